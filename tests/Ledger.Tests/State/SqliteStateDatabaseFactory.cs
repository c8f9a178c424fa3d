using ZonCoin.Ledger.State;
using ZonCoin.Ledger.State.Sqlite;
using ZonCoin.Ledger.Tests.Support;

namespace ZonCoin.Ledger.Tests.State;

/// <summary>SQLite databases as files <c>name.db</c> in a temp directory.</summary>
internal sealed class SqliteStateDatabaseFactory : IStateDatabaseFactory
{
    private readonly TempDirectory _dir = new();

    public SqliteStateDatabaseFactory(SqliteStateDatabaseOptions? options = null)
    {
        Options = options ?? new SqliteStateDatabaseOptions();
    }

    public SqliteStateDatabaseOptions Options { get; }

    public string PathOf(string name) => _dir.File(name + ".db");

    public IStateDatabase Open(string name) => SqliteStateDatabase.Open(PathOf(name), Options);

    public void OnNextApply(IStateDatabase database, int afterWrites, Action action) =>
        ((SqliteStateDatabase)database).OnNextApply(afterWrites, action);

    public void Dispose() => _dir.Dispose();
}
