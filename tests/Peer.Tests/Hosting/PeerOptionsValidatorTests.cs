using ZonCoin.Peer.Hosting;

namespace ZonCoin.Peer.Tests.Hosting;

public sealed class PeerOptionsValidatorTests
{
    private static List<string> StateFailures(PeerOptions options) =>
        [.. (new PeerOptionsValidator().Validate(null, options).Failures ?? []).Where(f => f.Contains("Peer:StateDatabase", StringComparison.Ordinal) || f.Contains("Peer:PostgresConnectionString", StringComparison.Ordinal))];

    [Fact]
    public void Sqlite_is_the_default_and_needs_no_connection_string()
    {
        var options = new PeerOptions();
        Assert.Equal("sqlite", options.StateDatabase);
        Assert.Empty(StateFailures(options));
    }

    [Fact]
    public void Postgres_needs_a_valid_connection_string()
    {
        Assert.Equal(["Peer:PostgresConnectionString: required when Peer:StateDatabase is postgres"], StateFailures(new PeerOptions { StateDatabase = "postgres" }));
        Assert.Single(StateFailures(new PeerOptions { StateDatabase = "postgres", PostgresConnectionString = "NoSuchKeyword=1" }));
        Assert.Empty(StateFailures(new PeerOptions { StateDatabase = "postgres", PostgresConnectionString = "Host=127.0.0.1;Port=5432;Username=peer;Database=zoncoin" }));
    }

    [Fact]
    public void Other_state_databases_are_refused()
    {
        var failure = Assert.Single(StateFailures(new PeerOptions { StateDatabase = "couchdb" }));
        Assert.Contains("use sqlite or postgres", failure, StringComparison.Ordinal);
    }
}
