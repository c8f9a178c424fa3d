using ZonCoin.Ledger.State;
using ZonCoin.Ledger.State.Postgres;
using ZonCoin.Ledger.State.Sqlite;
using ZonCoin.Ledger.Tests.Support;

namespace ZonCoin.Peer.Tests.Support;

/// <summary>
/// Where a test's state databases live, for the state tests that run against both implementations: a test class
/// is abstract and takes a <see cref="TestStates"/>; two sealed subclasses pass <see cref="Sqlite"/> and
/// <see cref="Postgres"/> (the latter in the <see cref="SharedPostgresServer"/> collection). One instance per test;
/// it deletes its databases on dispose (after the test closed them).
/// </summary>
public abstract class TestStates : IDisposable
{
    /// <summary>The implementation: "sqlite" or "postgres" (<see cref="IStateDatabase.Name"/>).</summary>
    public abstract string Kind { get; }

    /// <summary>SQLite files <c>name.db</c> in a temp directory.</summary>
    public static TestStates Sqlite() => new SqliteStates();

    /// <summary>PostgreSQL channels (schemas) on the shared test server, under a prefix unique to this instance.</summary>
    public static TestStates Postgres(PostgresServer server) => new PostgresStates(server);

    /// <summary>Opens the database <paramref name="name"/>, creating it when new; after the previous instance was
    /// disposed, the same name reopens the same data.</summary>
    public abstract IStateDatabase Open(string name);

    public abstract void Dispose();

    public override string ToString() => Kind;

    private sealed class SqliteStates : TestStates
    {
        private readonly TempDirectory _directory = new();

        public override string Kind => "sqlite";

        public override IStateDatabase Open(string name) => SqliteStateDatabase.Open(Path.Combine(_directory.Path, name + ".db"));

        public override void Dispose() => _directory.Dispose();
    }

    private sealed class PostgresStates(PostgresServer server) : TestStates
    {
        private readonly string _prefix = PostgresServer.UniqueName("p");
        private readonly HashSet<string> _channels = [];

        public override string Kind => "postgres";

        public override IStateDatabase Open(string name)
        {
            var channel = $"{_prefix}-{name}";
            lock (_channels)
            {
                _channels.Add(channel);
            }
            return PostgresStateDatabase.Open(server.ConnectionString, channel);
        }

        public override void Dispose()
        {
            foreach (var channel in _channels)
            {
                PostgresStateDatabase.Drop(server.ConnectionString, channel);
            }
        }
    }
}
