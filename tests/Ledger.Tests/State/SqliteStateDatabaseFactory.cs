using System.Runtime.CompilerServices;
using ZonCoin.Ledger.State;
using ZonCoin.Ledger.State.Sqlite;
using ZonCoin.Ledger.Tests.Support;

namespace ZonCoin.Ledger.Tests.State;

/// <summary>SQLite databases as files <c>name.db</c> in a temp directory.</summary>
internal sealed class SqliteStateDatabaseFactory : IStateDatabaseFactory
{
    private readonly TempDirectory _dir = new();
    private readonly ConditionalWeakTable<IStateDatabase, OneShotWriteHook> _hooks = [];

    public SqliteStateDatabaseFactory(SqliteStateDatabaseOptions? options = null)
    {
        Options = options ?? new SqliteStateDatabaseOptions();
    }

    public SqliteStateDatabaseOptions Options { get; }

    public string PathOf(string name) => _dir.File(name + ".db");

    public IStateDatabase Open(string name)
    {
        var hook = new OneShotWriteHook();
        var database = SqliteStateDatabase.Open(PathOf(name), Options with { WriteHook = hook });
        _hooks.Add(database, hook);
        return database;
    }

    public void OnNextApply(IStateDatabase database, int afterWrites, Action action)
    {
        if (!_hooks.TryGetValue(database, out var hook))
        {
            throw new InvalidOperationException("the database was not opened by this factory");
        }
        hook.Arm(afterWrites, action);
    }

    public void Dispose() => _dir.Dispose();
}
