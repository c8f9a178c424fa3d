using ZonCoin.Core.Protocol;

namespace ZonCoin.Integration.Tests.Support;

/// <summary>
/// <see cref="PeerNetwork"/> (Org1 and Org2 peers, solo orderer, channel <c>e2e</c>, the C# sample chaincode under
/// <c>AND('Org1MSP.peer','Org2MSP.peer')</c>) plus a gateway process for Org1 that knows both orgs' peers. The channel
/// names no peers, so a gateway knows only those it is told about.
/// </summary>
public class GatewayNetwork : PeerNetwork
{
    protected override bool AnchorPeers => false;

    internal GatewayNode Gateway { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Gateway = await GatewayNode.StartAsync(Org1, [Peer1.Endpoint, $"{Org2.MspId}@{Peer2.Endpoint}"]);
    }

    public override async Task DisposeAsync()
    {
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }
        await base.DisposeAsync();
    }

    /// <summary>Org1's client user.</summary>
    internal SigningIdentity User => Org1.User();
}

[CollectionDefinition(Name)]
public sealed class GatewayNetworkCollectionDefinition : ICollectionFixture<GatewayNetwork>
{
    public const string Name = "GatewayNetwork";
}
