using ZonCoin.Gateway.Client;
using ZonCoin.Integration.Tests.Support;
using GatewayClient = ZonCoin.Gateway.Client.Gateway;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// A clean stop: each node process asked to stop (SIGTERM) while it serves a channel (the peer pulling blocks from
/// the orderer, the gateway following the peer) ends its open streams, closes everything once and exits with 0.
/// </summary>
[Collection(ConsortiumCollectionDefinition.Name)]
public sealed class NodeShutdownTests : IAsyncLifetime
{
    private const string ChannelId = "shutdown";
    private readonly Consortium _consortium = new() { PeerOrgs = 1 };

    public Task InitializeAsync() => _consortium.InitializeAsync();

    public Task DisposeAsync() => _consortium.DisposeAsync();

    [Fact]
    public async Task Orderer_peer_and_gateway_stopped_while_serving_a_channel_exit_with_zero()
    {
        var org = _consortium.Orgs[0];
        await using var orderer = await OrdererNode.StartAsync(_consortium, tls: false);
        var genesis = _consortium.Genesis(ChannelId, memberCount: 1, ordererEndpoints: [$"127.0.0.1:{orderer.Port}"]);
        var ordererJoined = await orderer.JoinAsync(genesis);
        Assert.True(ordererJoined.ExitCode == 0, ordererJoined.Output);
        await using var peer = await PeerNode.StartAsync(_consortium, org);
        var joined = await peer.JoinAsync(genesis);
        Assert.True(joined.ExitCode == 0, joined.Output);
        await using var gateway = await GatewayNode.StartAsync(org, [peer.Endpoint]);
        // The gateway opens the channel (and follows the peer's blocks) on first use.
        using (var channel = gateway.Connect())
        {
            using var client = org.ConnectGateway(channel);
            // No chaincode is deployed: the gateway opens the channel, then refuses the evaluation.
            await Assert.ThrowsAnyAsync<Exception>(() => client.GetNetwork(ChannelId).GetContract("absent").EvaluateTransactionAsync("Nothing"));
        }

        // Each stops while the next holds a Deliver stream open to it (the peer to the orderer, the gateway to the
        // peer): the stream ends and the node exits 0, instead of waiting for it until the stop is given up and the
        // process killed (NodeProcess.StopAsync kills after 30 s).
        await orderer.StopAsync();
        Assert.True(orderer.Process.ExitCode == 0, $"orderer exit code {orderer.Process.ExitCode}:\n{orderer.Output}");
        await peer.StopAsync();
        Assert.True(peer.ExitCode == 0, $"peer exit code {peer.ExitCode}:\n{peer.Output}");
        await gateway.StopAsync();
        Assert.True(gateway.ExitCode == 0, $"gateway exit code {gateway.ExitCode}:\n{gateway.Output}");
    }
}
