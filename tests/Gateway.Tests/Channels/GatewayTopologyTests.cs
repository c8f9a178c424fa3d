using Microsoft.Extensions.Time.Testing;
using ZonCoin.Gateway.Channels;
using ZonCoin.Gateway.Nodes;
using ZonCoin.Protos.Config;

namespace ZonCoin.Gateway.Tests.Channels;

public sealed class GatewayTopologyTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private GatewayTopology Topology() => new("Org1MSP",
    [
        new PeerAddress("Org1MSP", "127.0.0.1:7051"),
        new PeerAddress("Org2MSP", "127.0.0.1:9051"),
        new PeerAddress("Org1MSP", "127.0.0.1:7061"),
    ], _time);

    [Fact]
    public void Own_peers_are_the_configured_peers_of_the_gateways_organisation_in_order()
    {
        var topology = Topology();

        Assert.Equal(["127.0.0.1:7051", "127.0.0.1:7061"], topology.OwnPeers.Select(p => p.Endpoint));
        Assert.Equal("127.0.0.1:7051", topology.OwnPeer?.Endpoint);
        Assert.Null(new GatewayTopology("Org3MSP", [new PeerAddress("Org2MSP", "127.0.0.1:9051")], _time).OwnPeer);
    }

    [Fact]
    public void A_failed_peer_is_tried_last_until_the_penalty_passes_or_it_answers()
    {
        var topology = Topology();
        topology.Failed(new PeerAddress("Org1MSP", "127.0.0.1:7051"));

        Assert.Equal("127.0.0.1:7061", topology.OwnPeer?.Endpoint);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal("127.0.0.1:7061", topology.OwnPeer?.Endpoint);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("127.0.0.1:7051", topology.OwnPeer?.Endpoint);

        topology.Failed(new PeerAddress("Org1MSP", "127.0.0.1:7051"));
        Assert.Equal("127.0.0.1:7061", topology.OwnPeer?.Endpoint);
        topology.Succeeded(new PeerAddress("Org1MSP", "127.0.0.1:7051"));
        Assert.Equal("127.0.0.1:7051", topology.OwnPeer?.Endpoint);
    }

    [Fact]
    public void Peers_of_an_organisation_are_configured_ones_then_the_channels_without_duplicates()
    {
        var topology = Topology();
        var org2 = new Organization { Name = "Org2", MspId = "Org2MSP" };
        org2.PeerEndpoints.Add("127.0.0.1:9051");
        org2.PeerEndpoints.Add("peer1.org2.example.com:9051");
        var org3 = new Organization { Name = "Org3", MspId = "Org3MSP" };
        org3.PeerEndpoints.Add("127.0.0.1:11051");
        var config = new ChannelConfig { Application = new ApplicationConfig { Organizations = { org2, org3 } } };

        Assert.Equal(["127.0.0.1:9051", "peer1.org2.example.com:9051"], topology.PeersOf("Org2MSP", config).Select(p => p.Endpoint));
        Assert.Equal([new PeerAddress("Org3MSP", "127.0.0.1:11051")], topology.PeersOf("Org3MSP", config));
        Assert.Equal(["127.0.0.1:7051", "127.0.0.1:7061"], topology.PeersOf("Org1MSP", config).Select(p => p.Endpoint));
        Assert.Empty(topology.PeersOf("Org4MSP", config));
        Assert.Equal(["127.0.0.1:9051"], topology.PeersOf("Org2MSP", null).Select(p => p.Endpoint));

        topology.Failed(new PeerAddress("Org2MSP", "127.0.0.1:9051"));
        Assert.Equal(["peer1.org2.example.com:9051", "127.0.0.1:9051"], topology.PeersOf("Org2MSP", config).Select(p => p.Endpoint));
    }
}
