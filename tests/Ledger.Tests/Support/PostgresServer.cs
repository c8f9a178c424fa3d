using ZonCoin.Shared;

namespace ZonCoin.Ledger.Tests.Support;

/// <summary>The xUnit collection of tests that share one <see cref="PostgresServer"/>.</summary>
[CollectionDefinition(Name)]
public sealed class SharedPostgresServer : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}

/// <summary>
/// The PostgreSQL 15 server of a test assembly's run (one per assembly, through <see cref="SharedPostgresServer"/>):
/// a <see cref="TemporaryPostgresServer"/> (src/Shared, linked into each test project that needs it) started in a
/// temp directory on a free 127.0.0.1 port and stopped at the end. Tests isolate their data by using their own
/// channels (schemas). Missing binaries fail the tests; they are not skipped.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly TemporaryPostgresServer _server = new();

    /// <summary>The server's TCP port on 127.0.0.1.</summary>
    public int Port => _server.Port;

    /// <summary>A connection string to the <c>postgres</c> database as the superuser.</summary>
    public string ConnectionString => _server.ConnectionString;

    /// <summary>A name no other test of this run uses (a channel id: lowercase letters, digits, dashes).</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}";

    public void Dispose() => _server.Dispose();
}
