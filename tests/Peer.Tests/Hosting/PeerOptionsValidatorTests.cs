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

    private static List<string> Failures(PeerOptions options, string setting) =>
        [.. (new PeerOptionsValidator().Validate(null, options).Failures ?? []).Where(f => f.StartsWith(setting, StringComparison.Ordinal))];

    [Fact]
    public void The_gateway_runs_in_the_peer_by_default_and_applications_need_no_client_certificate()
    {
        var options = new PeerOptions();
        Assert.True(options.Gateway.Enabled);
        Assert.False(options.Tls.ClientAuthRequired);
        Assert.Empty(Failures(options, "Peer:Gateway"));
        Assert.Empty(Failures(options, "Peer:Address"));
    }

    [Fact]
    public void The_gateway_settings_and_the_peer_address_are_checked()
    {
        var options = new PeerOptions { Address = "no-port" };
        options.Gateway.EndorsementTimeout = TimeSpan.Zero;
        options.Gateway.ConcurrencyLimit = 0;
        Assert.Equal(["Peer:Address: 'no-port' is not a host:port address"], Failures(options, "Peer:Address"));
        Assert.Equal(["Peer:Gateway:EndorsementTimeout: must be a positive duration", "Peer:Gateway:ConcurrencyLimit: must be at least 1"], Failures(options, "Peer:Gateway"));
        Assert.Empty(Failures(new PeerOptions { Address = "peer0.org1.example.com:7051" }, "Peer:Address"));
    }
}
