using ZonCoin.Ledger.State;
using ZonCoin.Ledger.State.Sqlite;
using ZonCoin.Ledger.Tests.Support;

namespace ZonCoin.Ledger.Tests.State;

/// <summary>SQLite databases as files <c>name.db</c> in a temp directory.</summary>
internal sealed class SqliteStateDatabaseFactory : IStateDatabaseFactory
{
    private readonly TempDirectory _dir = new();
    private readonly OneShotWriteHooks _hooks = new();

    public SqliteStateDatabaseFactory(SqliteStateDatabaseOptions? options = null)
    {
        Options = options ?? new SqliteStateDatabaseOptions();
    }

    public SqliteStateDatabaseOptions Options { get; }

    public string PathOf(string name) => _dir.File(name + ".db");

    public IStateDatabase Open(string name) => _hooks.Open(hook => SqliteStateDatabase.Open(PathOf(name), Options with { WriteHook = hook }));

    public void OnNextApply(IStateDatabase database, int afterWrites, Action action) => _hooks.Arm(database, afterWrites, action);

    public void Dispose() => _dir.Dispose();
}
