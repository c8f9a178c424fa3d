using System.Net.Sockets;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using ZonCoin.Peer.Sync;
using ZonCoin.Peer.Tests.Support;

namespace ZonCoin.Peer.Tests.Sync;

public sealed class BlockPullerTests : IDisposable
{
    private readonly TestOrg _org = new("Org1", "Org1MSP");
    private readonly CancellationTokenSource _stop = new();

    [Fact]
    public async Task A_stop_that_races_a_refused_connection_ends_the_pull_without_blaming_the_orderer()
    {
        // The peer stops while the orderer it dials is gone: the call fails UNAVAILABLE after the token was cancelled.
        var health = new ChannelSyncHealth(TimeProvider.System);
        var puller = new BlockPuller("mychannel", _org.Peer, () => ["127.0.0.1:7050"], _ => Refusing(), () => null, health, TimeProvider.System,
            NullLogger.Instance);

        var blocks = 0;
        var ended = await Record.ExceptionAsync(async () =>
        {
            await foreach (var _ in puller.PullAsync(0, _stop.Token))
            {
                blocks++;
            }
        });

        Assert.True(ended is null or OperationCanceledException, $"the pull ended with {ended}");
        Assert.Equal(0, blocks);
        Assert.Null(health.Problem(orderers: 1));
    }

    /// <summary>A channel whose every connection attempt is refused just after the peer was told to stop.</summary>
    private GrpcChannel Refusing() => GrpcChannel.ForAddress("http://127.0.0.1:7050", new GrpcChannelOptions
    {
        HttpHandler = new StopThenRefuse(_stop),
    });

    public void Dispose()
    {
        _stop.Dispose();
        _org.Dispose();
    }

    private sealed class StopThenRefuse(CancellationTokenSource stop) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await stop.CancelAsync();
            throw new HttpRequestException("Connection refused (127.0.0.1:7050)", new SocketException((int)SocketError.ConnectionRefused));
        }
    }
}
