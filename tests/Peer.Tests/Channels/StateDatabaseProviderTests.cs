using ZonCoin.Ledger.State;
using ZonCoin.Ledger.Tests.Support;
using ZonCoin.Peer.Channels;
using Version = ZonCoin.Ledger.State.Version;

namespace ZonCoin.Peer.Tests.Channels;

[Collection(SharedPostgresServer.Name)]
public sealed class StateDatabaseProviderTests : IDisposable
{
    private readonly PostgresServer _server;
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "zoncoin-peer-tests", Guid.NewGuid().ToString("N"));

    public StateDatabaseProviderTests(PostgresServer server)
    {
        _server = server;
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public void Each_kind_opens_per_channel_databases_that_delete_cleanly(string kind)
    {
        var provider = new StateDatabaseProvider(kind, _dataDirectory, _server.ConnectionString);
        var channel = PostgresServer.UniqueName("ch");
        using (var state = provider.Open(channel))
        {
            Assert.Equal(kind, state.Name);
            var batch = new UpdateBatch();
            batch.Put("cc", "k", "v"u8.ToArray(), new Version(0, 0));
            state.ApplyBlock(0, batch);
        }
        using (var other = provider.Open(channel + "-other"))
        {
            Assert.Null(other.Get("cc", "k"));
        }
        using (var again = provider.Open(channel))
        {
            Assert.Equal(new Version(0, 0), again.Savepoint);
        }

        provider.Delete(channel);
        using var fresh = provider.Open(channel);
        Assert.Null(fresh.Savepoint);
        Assert.Null(fresh.Get("cc", "k"));
    }

    [Fact]
    public void An_unknown_kind_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new StateDatabaseProvider("couchdb", _dataDirectory));
    }
}
