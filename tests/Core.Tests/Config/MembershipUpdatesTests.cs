using Google.Protobuf.WellKnownTypes;
using ZonCoin.Core.Config;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Core.Tests.Support;
using ZonCoin.Protos.Config;

namespace ZonCoin.Core.Tests.Config;

public sealed class MembershipUpdatesTests : IDisposable
{
    private readonly TestOrg _org1 = new("Org1MSP");
    private readonly TestOrg _org2 = new("Org2MSP");
    private readonly TestOrg _org3 = new("Org3MSP");
    private readonly TestOrg _orderer = new("OrdererMSP");
    private readonly ChannelConfig _config;

    public MembershipUpdatesTests()
    {
        _config = ChannelConfigBuilder.Create("ch", [Definition(_org1, "Org1"), Definition(_org2, "Org2")],
            [Definition(_orderer, "OrdererOrg") with { OrdererEndpoints = ["127.0.0.1:7050"] }], new OrderingDefinition());
    }

    public void Dispose()
    {
        foreach (var org in new[] { _org1, _org2, _org3, _orderer })
        {
            org.Dispose();
        }
    }

    private static OrganizationDefinition Definition(TestOrg org, string name) =>
        new(name, org.MspId, MspConfigs.Create(org.MspId, [org.Ca.Certificate]));

    [Fact]
    public void Adding_an_org_appends_it_with_default_policies_and_classifies_as_add()
    {
        var next = MembershipUpdates.AddOrganization(_config, Definition(_org3, "Org3") with { PeerEndpoints = ["peer0:7051"] });

        var added = next.Application.Organizations.Last();
        Assert.Equal("Org3MSP", added.MspId);
        Assert.Equal(["peer0:7051"], added.PeerEndpoints);
        Assert.Equal(["Admins", "Endorsement", "Readers", "Writers"], added.Policies.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, _config.Application.Organizations.Count);
        Assert.Equal(new MembershipUpdate(MembershipChange.Add, "Org3MSP", "Org3"), MembershipUpdates.Classify(_config, next));
        Assert.NotNull(ChannelResources.Create(next).Policies.Find("/Channel/Application/Org3/Endorsement"));
    }

    [Fact]
    public void Removing_an_org_classifies_as_remove_and_the_last_member_or_a_stranger_cannot_be_removed()
    {
        var next = MembershipUpdates.RemoveOrganization(_config, "Org2MSP");

        Assert.Equal(["Org1MSP"], next.Application.Organizations.Select(o => o.MspId));
        Assert.Equal(new MembershipUpdate(MembershipChange.Remove, "Org2MSP", "Org2"), MembershipUpdates.Classify(_config, next));
        Assert.Throws<ArgumentException>(() => MembershipUpdates.RemoveOrganization(next, "Org1MSP"));
        Assert.Throws<ArgumentException>(() => MembershipUpdates.RemoveOrganization(_config, "Org3MSP"));
    }

    [Fact]
    public void An_existing_msp_id_or_name_cannot_be_added()
    {
        Assert.Contains("already an organisation", Assert.Throws<ArgumentException>(() => MembershipUpdates.AddOrganization(_config, Definition(_org2, "Other"))).Message, StringComparison.Ordinal);
        Assert.Contains("already an organisation", Assert.Throws<ArgumentException>(() => MembershipUpdates.AddOrganization(_config, Definition(_orderer, "Ord"))).Message, StringComparison.Ordinal);
        Assert.Contains("named 'Org1'", Assert.Throws<ArgumentException>(() => MembershipUpdates.AddOrganization(_config, Definition(_org3, "Org1"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_refuses_other_changes_and_more_than_one_org()
    {
        var batch = MembershipUpdates.AddOrganization(_config, Definition(_org3, "Org3"));
        batch.Orderer.BatchTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(30));
        Assert.Contains("more than the application organisations", Assert.Throws<ArgumentException>(() => MembershipUpdates.Classify(_config, batch)).Message, StringComparison.Ordinal);

        var swapped = MembershipUpdates.AddOrganization(MembershipUpdates.RemoveOrganization(_config, "Org2MSP"), Definition(_org3, "Org3"));
        Assert.Contains("adds 1 and removes 1", Assert.Throws<ArgumentException>(() => MembershipUpdates.Classify(_config, swapped)).Message, StringComparison.Ordinal);

        var edited = _config.Clone();
        edited.Application.Organizations[0].PeerEndpoints.Add("x:1");
        Assert.Throws<ArgumentException>(() => MembershipUpdates.Classify(_config, edited));
        Assert.Throws<ArgumentException>(() => MembershipUpdates.Classify(_config, _config));
    }

    [Fact]
    public void Admins_threshold_follows_the_implicit_meta_rule()
    {
        Assert.Equal(2, MembershipUpdates.AdminsThreshold(_config));
        Assert.Equal(2, MembershipUpdates.AdminsThreshold(MembershipUpdates.AddOrganization(_config, Definition(_org3, "Org3"))));
        var any = _config.Clone();
        any.Application.Policies["Admins"] = Core.Policies.PolicyDsl.ImplicitMeta("ANY Admins");
        Assert.Equal(1, MembershipUpdates.AdminsThreshold(any));
        any.Application.Policies["Admins"] = Core.Policies.PolicyDsl.SignaturePolicy("OR('Org1MSP.admin')");
        Assert.Null(MembershipUpdates.AdminsThreshold(any));
    }

    [Fact]
    public void The_org_definition_file_round_trips_and_bad_files_are_refused()
    {
        var definition = Definition(_org3, "Org3") with { PeerEndpoints = ["peer0.org3:7051"], GatewayEndpoints = ["gw.org3:7053"] };

        var read = OrganizationDefinitionJson.Read(OrganizationDefinitionJson.Write(definition));

        Assert.Equal("Org3", read.Name);
        Assert.Equal("Org3MSP", read.MspId);
        Assert.Equal(definition.Msp, read.Msp);
        Assert.Equal(["peer0.org3:7051"], read.PeerEndpoints);
        Assert.Equal(["gw.org3:7053"], read.GatewayEndpoints);
        Assert.Throws<MspConfigurationException>(() => OrganizationDefinitionJson.Read("[]"));
        Assert.Throws<MspConfigurationException>(() => OrganizationDefinitionJson.Read("{\"name\":\"X\",\"mspId\":\"XMSP\"}"));
        var wrongId = OrganizationDefinitionJson.Write(definition).Replace("\"mspId\": \"Org3MSP\"", "\"mspId\": \"Org4MSP\"", StringComparison.Ordinal);
        Assert.Contains("not 'Org4MSP'", Assert.Throws<MspConfigurationException>(() => OrganizationDefinitionJson.Read(wrongId)).Message, StringComparison.Ordinal);
    }
}
