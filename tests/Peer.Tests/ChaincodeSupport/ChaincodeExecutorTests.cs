using Microsoft.Extensions.Logging.Abstractions;
using ZonCoin.Peer.ChaincodeSupport;
using ZonCoin.Peer.Channels;
using ZonCoin.Peer.Simulation;
using ZonCoin.Peer.Tests.Support;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.Tests.ChaincodeSupport;

/// <summary>The chaincode-to-chaincode calls the executor refuses, with Fabric's words, before any chaincode runs.</summary>
public sealed class ChaincodeExecutorTests : IDisposable
{
    private readonly TestNetwork _network = new();
    private readonly TestLedger _ledger;
    private readonly PeerChannel _channel;
    private readonly ChaincodeExecutor _executor;

    public ChaincodeExecutorTests()
    {
        _ledger = new TestLedger(_network);
        _channel = new PeerChannel(TestNetwork.ChannelId, _ledger.Blocks, _ledger.State);
        _executor = new ChaincodeExecutor(id => id == TestNetwork.ChannelId ? _channel : null, new Dictionary<string, string>(), TimeSpan.FromSeconds(5),
            TimeProvider.System, NullLoggerFactory.Instance);
    }

    public void Dispose()
    {
        _executor.Connections.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _channel.Dispose();
        _ledger.Dispose();
        _network.Dispose();
    }

    [Theory]
    [InlineData("other/otherchannel", "calling chaincode 'other' on another channel ('otherchannel') is not supported")]
    [InlineData("qscc", "Rejecting invoke of QSCC from another chaincode because of potential for deadlocks, original invocation for 'caller'")]
    [InlineData("caller", "chaincode 'caller' cannot invoke itself")]
    [InlineData("missing", "invalid invocation: [channel testchannel] failed to get chaincode container info for missing: chaincode missing not found")]
    public async Task A_call_that_cannot_be_made_is_refused_with_fabrics_words(string target, string expected)
    {
        var error = await Assert.ThrowsAsync<ChaincodeRequestException>(() => _executor.InvokeAsync(Invocation(TestNetwork.ChannelId, target), CancellationToken.None));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public async Task A_call_on_a_channel_the_peer_has_not_joined_is_refused()
    {
        var error = await Assert.ThrowsAsync<ChaincodeRequestException>(() => _executor.InvokeAsync(Invocation("elsewhere", "callee"), CancellationToken.None));

        Assert.Equal("channel 'elsewhere' not found", error.Message);
    }

    [Fact]
    public async Task The_same_channel_named_explicitly_is_that_channel()
    {
        var error = await Assert.ThrowsAsync<ChaincodeRequestException>(() => _executor.InvokeAsync(Invocation(TestNetwork.ChannelId, $"missing/{TestNetwork.ChannelId}"), CancellationToken.None));

        Assert.StartsWith("invalid invocation: [channel testchannel]", error.Message, StringComparison.Ordinal);
    }

    private ChaincodeInvocationRequest Invocation(string channelId, string target) => new(
        new TransactionContext(channelId, "tx1", new SignedProposal(), new TxSimulator(_ledger.State)),
        "caller",
        new ChaincodeSpec { ChaincodeId = new ChaincodeID { Name = target }, Input = new ChaincodeInput() });
}
