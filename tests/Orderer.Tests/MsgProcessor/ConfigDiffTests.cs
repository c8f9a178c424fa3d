using ZonCoin.Core.Policies;
using ZonCoin.Orderer.MsgProcessor;
using ZonCoin.Orderer.Tests.Support;

namespace ZonCoin.Orderer.Tests.MsgProcessor;

public sealed class ConfigDiffTests : IDisposable
{
    private readonly TestNetwork _network = new();

    [Fact]
    public void No_change_requires_nothing()
    {
        var config = _network.Config();

        Assert.Empty(ConfigDiff.RequiredPolicies(config, config.Clone()));
    }

    [Fact]
    public void Sequence_alone_is_not_a_change()
    {
        var config = _network.Config();
        var next = config.Clone();
        next.Sequence = 7;

        Assert.Empty(ConfigDiff.RequiredPolicies(config, next));
    }

    [Fact]
    public void Adding_an_org_requires_application_admins()
    {
        var config = _network.Config();
        var next = config.Clone();
        next.Application.Organizations.Add(_network.MemberOrganization(_network.Org4));

        Assert.Equal(["/Channel/Application/Admins"], ConfigDiff.RequiredPolicies(config, next));
    }

    [Fact]
    public void Removing_an_org_requires_application_admins()
    {
        var config = _network.Config();
        var next = config.Clone();
        next.Application.Organizations.RemoveAt(2);

        Assert.Equal(["/Channel/Application/Admins"], ConfigDiff.RequiredPolicies(config, next));
    }

    [Fact]
    public void Changing_one_orgs_endpoints_requires_that_orgs_admins()
    {
        var config = _network.Config();
        var next = config.Clone();
        next.Application.Organizations[1].PeerEndpoints.Add("peer1.org2:7051");

        Assert.Equal(["/Channel/Application/Org2/Admins"], ConfigDiff.RequiredPolicies(config, next));
    }

    [Fact]
    public void Changing_two_orgs_requires_both_orgs_admins()
    {
        var config = _network.Config();
        var next = config.Clone();
        next.Application.Organizations[0].GatewayEndpoints.Add("gw.org1:7051");
        next.Application.Organizations[2].GatewayEndpoints.Add("gw.org3:7051");

        Assert.Equal(["/Channel/Application/Org1/Admins", "/Channel/Application/Org3/Admins"], ConfigDiff.RequiredPolicies(config, next));
    }

    [Fact]
    public void Changing_batch_size_requires_orderer_admins()
    {
        var config = _network.Config();
        var next = config.Clone();
        next.Orderer.BatchSize.MaxMessageCount = 99;

        Assert.Equal(["/Channel/Orderer/Admins"], ConfigDiff.RequiredPolicies(config, next));
    }

    [Fact]
    public void Changing_batch_timeout_or_consensus_type_requires_orderer_admins()
    {
        var config = _network.Config();
        var timeout = config.Clone();
        timeout.Orderer.BatchTimeout = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(9));
        var consensus = config.Clone();
        consensus.Orderer.ConsensusType = "kafka";

        Assert.Equal(["/Channel/Orderer/Admins"], ConfigDiff.RequiredPolicies(config, timeout));
        Assert.Equal(["/Channel/Orderer/Admins"], ConfigDiff.RequiredPolicies(config, consensus));
    }

    [Fact]
    public void Changing_an_orderer_orgs_endpoints_requires_that_orgs_admins()
    {
        var config = _network.Config();
        var next = config.Clone();
        next.Orderer.Organizations[0].OrdererEndpoints.Add("orderer2.ordererorg:7050");

        Assert.Equal(["/Channel/Orderer/OrdererOrg/Admins"], ConfigDiff.RequiredPolicies(config, next));
    }

    [Fact]
    public void Changing_channel_policies_or_capabilities_requires_channel_admins()
    {
        var config = _network.Config();
        var policies = config.Clone();
        policies.Policies["Writers"] = PolicyDsl.ImplicitMeta("ALL Writers");
        var capabilities = config.Clone();
        capabilities.Capabilities.Add("V3_0");

        Assert.Equal(["/Channel/Admins"], ConfigDiff.RequiredPolicies(config, policies));
        Assert.Equal(["/Channel/Admins"], ConfigDiff.RequiredPolicies(config, capabilities));
    }

    [Fact]
    public void Changing_application_policies_or_acls_requires_application_admins()
    {
        var config = _network.Config();
        var policies = config.Clone();
        policies.Application.Policies["Endorsement"] = PolicyDsl.ImplicitMeta("ANY Endorsement");
        var acls = config.Clone();
        acls.Application.Acls["qscc/GetChainInfo"] = "/Channel/Application/Readers";

        Assert.Equal(["/Channel/Application/Admins"], ConfigDiff.RequiredPolicies(config, policies));
        Assert.Equal(["/Channel/Application/Admins"], ConfigDiff.RequiredPolicies(config, acls));
    }

    [Fact]
    public void Removing_a_section_requires_channel_admins()
    {
        var config = _network.Config();
        var next = config.Clone();
        next.Application = null;

        Assert.Equal(["/Channel/Admins"], ConfigDiff.RequiredPolicies(config, next));
    }

    [Fact]
    public void Several_changes_give_every_policy_sorted()
    {
        var config = _network.Config();
        var next = config.Clone();
        next.Orderer.BatchSize.PreferredMaxBytes = 1024;
        next.Application.Organizations[0].PeerEndpoints.Clear();
        next.Policies["Readers"] = PolicyDsl.ImplicitMeta("ALL Readers");

        Assert.Equal(["/Channel/Admins", "/Channel/Application/Org1/Admins", "/Channel/Orderer/Admins"], ConfigDiff.RequiredPolicies(config, next));
    }

    public void Dispose() => _network.Dispose();
}
