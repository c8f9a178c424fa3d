using ZonCoin.Peer.Governance;
using ZonCoin.Peer.Lifecycle;
using ZonCoin.Peer.Query;
using ZonCoin.Peer.SystemChaincodes;

namespace ZonCoin.Peer.Tests.SystemChaincodes;

public sealed class SystemChaincodeRegistryTests
{
    private readonly SystemChaincodeRegistry _registry = SystemChaincodeRegistry.ForPeer("Org1MSP", _ => null);

    [Fact]
    public void A_peer_runs_qscc_lifecycle_and_governance_in_process()
    {
        Assert.Equal(new[] { GovernanceKeys.Namespace, LifecycleKeys.Namespace, QueryChaincode.Name }, _registry.Names.Order(StringComparer.Ordinal));
        Assert.All(_registry.Names, name => Assert.Equal(name, _registry.Find(name)!.Name));
    }

    [Fact]
    public void Only_qscc_answers_without_a_read_write_set()
    {
        Assert.True(_registry.Find(QueryChaincode.Name)!.ReadOnly);
        Assert.False(_registry.Find(LifecycleKeys.Namespace)!.ReadOnly);
        Assert.False(_registry.Find(GovernanceKeys.Namespace)!.ReadOnly);
    }

    [Fact]
    public void A_user_chaincode_is_not_a_system_chaincode()
    {
        Assert.Null(_registry.Find("basic"));
        Assert.Null(_registry.Find("QSCC"));
    }
}
