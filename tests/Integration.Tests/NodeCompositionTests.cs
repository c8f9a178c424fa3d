using System.Net;
using Google.Protobuf;
using Grpc.Core;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Hosting;
using ZonCoin.Hosting;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Peer.Hosting;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// Node kinds composed in one process through their host extensions: a peer (<c>AddPeer</c>, its own gateway off) and a
/// standalone gateway (<c>AddGateway</c>) in the test process, in front of an orderer process. Each serves on its own ports, both
/// operations endpoints are healthy (the gateway reaching the peer beside it), the peer's and the gateway's Deliver
/// (the same gRPC method) each answer on their own port, and a method one kind does not serve is unknown on its port.
/// </summary>
[Collection(ConsortiumCollectionDefinition.Name)]
public sealed class NodeCompositionTests : IAsyncLifetime
{
    private const string ChannelId = "composed";
    private readonly Consortium _consortium = new() { PeerOrgs = 1 };

    public Task InitializeAsync() => _consortium.InitializeAsync();

    public Task DisposeAsync() => _consortium.DisposeAsync();

    [Fact]
    public async Task A_peer_and_a_gateway_composed_in_one_host_each_serve_on_their_own_ports()
    {
        var org = _consortium.Orgs[0];
        await using var orderer = await OrdererNode.StartAsync(_consortium, tls: false);
        var genesis = _consortium.Genesis(ChannelId, memberCount: 1, ordererEndpoints: [$"127.0.0.1:{orderer.Port}"]);
        var ordererJoined = await orderer.JoinAsync(genesis);
        Assert.True(ordererJoined.ExitCode == 0, ordererJoined.Output);

        var (peerPort, peerAdminPort, peerOperationsPort) = (NodeProcess.FreePort(), NodeProcess.FreePort(), NodeProcess.FreePort());
        var (gatewayPort, gatewayOperationsPort) = (NodeProcess.FreePort(), NodeProcess.FreePort());
        var msp = Path.Combine(org.PeerDirectory(0), "msp");
        var builder = NodeHost.CreateBuilder([], PeerProgram.CommandLine);
        builder.AddPeer(peer =>
        {
            peer.ListenAddress = $"127.0.0.1:{peerPort}";
            peer.AdminListenAddress = $"127.0.0.1:{peerAdminPort}";
            peer.OperationsListenAddress = $"127.0.0.1:{peerOperationsPort}";
            peer.DataDirectory = _consortium.NewDirectory("composed-peer");
            peer.MspId = org.MspId;
            peer.MspDirectory = msp;
            peer.Insecure = true;
            // A standalone gateway beside it instead of the peer's own.
            peer.Gateway.Enabled = false;
        });
        builder.AddGateway(gateway =>
        {
            gateway.ListenAddress = $"127.0.0.1:{gatewayPort}";
            gateway.OperationsListenAddress = $"127.0.0.1:{gatewayOperationsPort}";
            gateway.MspId = org.MspId;
            gateway.MspDirectory = msp;
            gateway.Peers.Add($"127.0.0.1:{peerPort}");
            gateway.Insecure = true;
        });
        await using var app = builder.Build();
        await app.StartAsync();
        try
        {
            var file = Path.Combine(_consortium.NewDirectory("blocks"), "genesis.block");
            await File.WriteAllBytesAsync(file, genesis.ToByteArray());
            var joined = await NodeProcess.RunAsync(Repo.CliDll, ["peer", "join", "--channel", ChannelId, "--block", file, "--peer", $"127.0.0.1:{peerAdminPort}"], null);
            Assert.True(joined.ExitCode == 0, joined.Output);

            await Health.WaitForAsync(peerOperationsPort, HttpStatusCode.OK);
            await Health.WaitForAsync(gatewayOperationsPort, HttpStatusCode.OK);

            var fromPeer = await FirstBlockAsync(peerPort, org);
            var fromGateway = await FirstBlockAsync(gatewayPort, org);
            Assert.Equal(0UL, fromPeer.Header.Number);
            Assert.Equal(genesis.Header.ToByteString(), fromPeer.Header.ToByteString());
            Assert.Equal(fromPeer.Header.ToByteString(), fromGateway.Header.ToByteString());

            // The gateway's port does not serve the peer's Endorser (nor the peer's port the Gateway service).
            using var gatewayChannel = RpcChannels.ForAddress($"http://127.0.0.1:{gatewayPort}");
            var (proposal, _) = Proposals.Create(ChaincodeInvocation.Of(ChannelId, "basic", "ReadAsset", "a1"), org.User());
            var refused = await Assert.ThrowsAsync<RpcException>(() => gatewayChannel.CreateCallInvoker()
                .AsyncUnaryCall(EndorserService.ProcessProposal, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)), proposal).ResponseAsync);
            Assert.Equal(StatusCode.Unimplemented, refused.StatusCode);
            using var peerChannel = RpcChannels.ForAddress($"http://127.0.0.1:{peerPort}");
            var notGateway = await Assert.ThrowsAsync<RpcException>(() => peerChannel.CreateCallInvoker()
                .AsyncUnaryCall(GatewayService.Evaluate, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)), new Protos.Gateway.EvaluateRequest()).ResponseAsync);
            Assert.Equal(StatusCode.Unimplemented, notGateway.StatusCode);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public void A_standalone_gateway_beside_a_peer_that_runs_its_own_is_refused_when_the_host_is_composed()
    {
        var builder = NodeHost.CreateBuilder([], PeerProgram.CommandLine);
        builder.AddPeer();
        var refused = Assert.Throws<InvalidOperationException>(() => builder.AddGateway());
        Assert.Contains("Peer:Gateway:Enabled", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Block 0 of the channel from the Deliver service on <paramref name="port"/> (the peer's, or the gateway's forwarding one).</summary>
    private static async Task<Block> FirstBlockAsync(int port, OrgMaterial org)
    {
        using var channel = RpcChannels.ForAddress($"http://127.0.0.1:{port}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var request = DeliverRequests.Create(ChannelId, DeliverRequests.Range(DeliverRequests.Specified(0), DeliverRequests.Specified(0)), org.User());
        await foreach (var response in PeerDeliverClient.ReadAsync(channel.CreateCallInvoker(), PeerDeliverService.Deliver, request, timeout.Token))
        {
            Assert.True(response.TypeCase == DeliverResponse.TypeOneofCase.Block, $"deliver on port {port} answered {response.Status}");
            return response.Block;
        }
        throw new InvalidOperationException($"deliver on port {port} ended without a block");
    }
}
