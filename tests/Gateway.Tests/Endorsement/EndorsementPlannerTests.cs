using Google.Protobuf;
using ZonCoin.Core.Policies;
using ZonCoin.Gateway.Endorsement;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;
using ZonCoin.Protos.Msp;

namespace ZonCoin.Gateway.Tests.Endorsement;

/// <summary>
/// Which organisation sets the gateway asks for endorsements. Expected layouts are written as
/// <c>"Org1MSP,Org2MSP | Org3MSP"</c>: the sets in the planner's order (own organisation's first, then smaller, then
/// by name), each set's members sorted; an empty string means no set satisfies the policy.
/// </summary>
public sealed class EndorsementPlannerTests
{
    [Theory]
    // OR: each organisation alone; own organisation first.
    [InlineData("OR('Org1MSP.peer','Org2MSP.peer')", "Org1MSP", "Org1MSP | Org2MSP")]
    [InlineData("OR('Org1MSP.peer','Org2MSP.peer')", "Org2MSP", "Org2MSP | Org1MSP")]
    [InlineData("OR('Org1MSP.peer','Org2MSP.peer')", "Org9MSP", "Org1MSP | Org2MSP")]
    // AND: one set of all; .member and .peer are both satisfied by a peer.
    [InlineData("AND('Org1MSP.peer','Org2MSP.member')", "Org1MSP", "Org1MSP,Org2MSP")]
    [InlineData("AND('Org1MSP.member','Org2MSP.member','Org3MSP.peer')", "Org2MSP", "Org1MSP,Org2MSP,Org3MSP")]
    // OutOf: every choice of N, own organisation's first.
    [InlineData("OutOf(2,'Org1MSP.peer','Org2MSP.peer','Org3MSP.peer')", "Org1MSP", "Org1MSP,Org2MSP | Org1MSP,Org3MSP | Org2MSP,Org3MSP")]
    [InlineData("OutOf(2,'Org1MSP.peer','Org2MSP.peer','Org3MSP.peer')", "Org3MSP", "Org1MSP,Org3MSP | Org2MSP,Org3MSP | Org1MSP,Org2MSP")]
    [InlineData("OutOf(1,'Org1MSP.peer','Org2MSP.peer')", "Org2MSP", "Org2MSP | Org1MSP")]
    [InlineData("OutOf(3,'Org1MSP.peer','Org2MSP.peer','Org3MSP.peer')", "Org1MSP", "Org1MSP,Org2MSP,Org3MSP")]
    // Nested gates.
    [InlineData("AND('Org1MSP.peer', OR('Org2MSP.peer','Org3MSP.peer'))", "Org3MSP", "Org1MSP,Org3MSP | Org1MSP,Org2MSP")]
    [InlineData("OR(AND('Org1MSP.peer','Org2MSP.peer'), AND('Org3MSP.peer','Org4MSP.peer'))", "Org4MSP", "Org3MSP,Org4MSP | Org1MSP,Org2MSP")]
    [InlineData("OutOf(2, AND('Org1MSP.peer','Org2MSP.peer'), 'Org3MSP.peer', 'Org4MSP.peer')", "Org1MSP", "Org1MSP,Org2MSP,Org3MSP | Org1MSP,Org2MSP,Org4MSP | Org3MSP,Org4MSP")]
    // Minimal sets only: a superset of a satisfying set is dropped, duplicates collapse.
    [InlineData("OR(AND('Org1MSP.peer','Org2MSP.peer'), 'Org1MSP.member')", "Org2MSP", "Org1MSP")]
    [InlineData("OR('Org1MSP.peer','Org1MSP.member','Org1MSP.peer')", "Org1MSP", "Org1MSP")]
    [InlineData("OR(AND('Org1MSP.peer','Org2MSP.peer'), AND('Org2MSP.peer','Org1MSP.member'))", "Org1MSP", "Org1MSP,Org2MSP")]
    // Peers cannot satisfy admin, client or orderer principals.
    [InlineData("OR('Org1MSP.admin','Org2MSP.peer')", "Org1MSP", "Org2MSP")]
    [InlineData("OR('Org1MSP.client','Org2MSP.member')", "Org1MSP", "Org2MSP")]
    [InlineData("OR('Org1MSP.admin','Org1MSP.client')", "Org1MSP", "")]
    [InlineData("OR('OrdererMSP.orderer')", "Org1MSP", "")]
    [InlineData("AND('Org1MSP.peer','Org2MSP.admin')", "Org1MSP", "")]
    [InlineData("OutOf(2,'Org1MSP.peer','Org2MSP.client','Org3MSP.admin')", "Org1MSP", "")]
    [InlineData("OutOf(2,'Org1MSP.peer','Org2MSP.client','Org3MSP.peer')", "Org1MSP", "Org1MSP,Org3MSP")]
    public void Signature_policies(string policy, string ownMspId, string expected)
    {
        var layouts = EndorsementPlanner.Layouts(new ApplicationPolicy { SignaturePolicy = PolicyDsl.Parse(policy) }, Config(3), ownMspId);

        Assert.Equal(expected, Render(layouts));
    }

    [Theory]
    // The channel's Endorsement policy over the organisations' own Endorsement policies (OR('OrgN.peer')).
    [InlineData("ANY Endorsement", 3, "Org2MSP", "Org2MSP | Org1MSP | Org3MSP")]
    [InlineData("ALL Endorsement", 3, "Org2MSP", "Org1MSP,Org2MSP,Org3MSP")]
    [InlineData("MAJORITY Endorsement", 3, "Org2MSP", "Org1MSP,Org2MSP | Org2MSP,Org3MSP | Org1MSP,Org3MSP")]
    [InlineData("MAJORITY Endorsement", 2, "Org1MSP", "Org1MSP,Org2MSP")]
    [InlineData("MAJORITY Endorsement", 1, "Org1MSP", "Org1MSP")]
    [InlineData("MAJORITY Endorsement", 4, "Org1MSP", "Org1MSP,Org2MSP,Org3MSP | Org1MSP,Org2MSP,Org4MSP | Org1MSP,Org3MSP,Org4MSP | Org2MSP,Org3MSP,Org4MSP")]
    [InlineData("ANY Endorsement", 1, "Org9MSP", "Org1MSP")]
    // A sub-policy no organisation has cannot be satisfied.
    [InlineData("ANY Missing", 3, "Org1MSP", "")]
    public void Implicit_meta_references(string rule, int orgs, string ownMspId, string expected)
    {
        var config = Config(orgs, rule);

        Assert.Equal(expected, Render(EndorsementPlanner.Layouts(Reference("/Channel/Application/Endorsement"), config, ownMspId)));
    }

    [Theory]
    // Org3's Endorsement policy needs its admin, which no peer is: it counts as an organisation that cannot endorse.
    [InlineData("ANY Endorsement", "Org1MSP | Org2MSP")]
    [InlineData("MAJORITY Endorsement", "Org1MSP,Org2MSP")]
    [InlineData("ALL Endorsement", "")]
    public void Implicit_meta_counts_organisations_whose_sub_policy_no_peer_satisfies(string rule, string expected)
    {
        var config = Config(3, rule);
        config.Application.Organizations[2].Policies["Endorsement"] = PolicyDsl.SignaturePolicy("OR('Org3MSP.admin')");

        Assert.Equal(expected, Render(EndorsementPlanner.Layouts(Reference("/Channel/Application/Endorsement"), config, "Org1MSP")));
    }

    [Fact]
    public void Implicit_meta_counts_organisations_without_the_sub_policy_as_unsatisfiable()
    {
        var config = Config(3, "MAJORITY Endorsement");
        config.Application.Organizations[0].Policies.Remove("Endorsement");

        Assert.Equal("Org2MSP,Org3MSP", Render(EndorsementPlanner.Layouts(Reference("/Channel/Application/Endorsement"), config, "Org1MSP")));
    }

    [Theory]
    [InlineData("ANY Endorsement", "Org2MSP | Org1MSP | Org3MSP")]
    [InlineData("MAJORITY Endorsement", "Org1MSP,Org2MSP | Org2MSP,Org3MSP | Org1MSP,Org3MSP")]
    public void An_empty_policy_means_the_channels_Endorsement_policy(string rule, string expected)
    {
        var config = Config(3, rule);

        Assert.Equal(expected, Render(EndorsementPlanner.Layouts(null, config, "Org2MSP")));
        Assert.Equal(expected, Render(EndorsementPlanner.Layouts(new ApplicationPolicy(), config, "Org2MSP")));
    }

    [Theory]
    // Application-level policies by name, with or without the leading slash.
    [InlineData("/Channel/Application/Endorsement", "Org1MSP,Org2MSP | Org1MSP,Org3MSP | Org2MSP,Org3MSP")]
    [InlineData("Channel/Application/Endorsement", "Org1MSP,Org2MSP | Org1MSP,Org3MSP | Org2MSP,Org3MSP")]
    [InlineData("/Channel/Application/Custom", "Org1MSP | Org3MSP")]
    // An organisation's own policy, by organisation name (not MSP ID).
    [InlineData("/Channel/Application/Org2/Endorsement", "Org2MSP")]
    [InlineData("/Channel/Application/Org2MSP/Endorsement", "")]
    [InlineData("/Channel/Application/Org2/Admins", "")]
    // Unknown or non-application paths.
    [InlineData("/Channel/Application/Nothing", "")]
    [InlineData("/Channel/Orderer/BlockValidation", "")]
    [InlineData("/Channel/Writers", "")]
    [InlineData("", "")]
    public void Channel_config_policy_references(string path, string expected)
    {
        var config = Config(3, "MAJORITY Endorsement");
        config.Application.Policies["Custom"] = PolicyDsl.SignaturePolicy("OR('Org1MSP.peer','Org2MSP.admin','Org3MSP.member')");

        Assert.Equal(expected, Render(EndorsementPlanner.Layouts(Reference(path), config, "Org1MSP")));
    }

    [Fact]
    public void Organisations_are_found_by_msp_id_when_they_have_no_name()
    {
        var config = Config(2, "ANY Endorsement");
        config.Application.Organizations[1].Name = "";

        Assert.Equal("Org2MSP", Render(EndorsementPlanner.Layouts(Reference("/Channel/Application/Org2MSP/Endorsement"), config, "Org1MSP")));
    }

    [Fact]
    public void A_channel_without_an_application_section_has_no_layouts()
    {
        var config = Config(2, "ANY Endorsement");
        config.Application = null;

        Assert.Empty(EndorsementPlanner.Layouts(null, config, "Org1MSP"));
        Assert.Empty(EndorsementPlanner.Layouts(Reference("/Channel/Application/Org1/Endorsement"), config, "Org1MSP"));
    }

    [Fact]
    public void Malformed_policy_bytes_are_unsatisfiable_not_fatal()
    {
        var config = Config(2, "ANY Endorsement");
        config.Application.Policies["Broken"] = new Policy { Type = (int)Policy.Types.PolicyType.Signature, Value = ByteString.CopyFrom(0xff, 0xff, 0xff) };
        config.Application.Policies["Unknown"] = new Policy { Type = (int)Policy.Types.PolicyType.Msp, Value = ByteString.Empty };

        Assert.Empty(EndorsementPlanner.Layouts(Reference("/Channel/Application/Broken"), config, "Org1MSP"));
        Assert.Empty(EndorsementPlanner.Layouts(Reference("/Channel/Application/Unknown"), config, "Org1MSP"));
    }

    [Fact]
    public void Out_of_range_signed_by_indices_are_unsatisfiable()
    {
        var envelope = PolicyProtos.Envelope(PolicyProtos.NOutOf(1, [PolicyProtos.SignedBy(5), PolicyProtos.SignedBy(-1)]),
            [PolicyProtos.RolePrincipal("Org1MSP", MSPRole.Types.MSPRoleType.Peer)]);

        Assert.Empty(EndorsementPlanner.Layouts(new ApplicationPolicy { SignaturePolicy = envelope }, Config(2), "Org1MSP"));
    }

    [Fact]
    public void Organisation_unit_and_identity_principals_name_their_msp()
    {
        var unit = new MSPPrincipal
        {
            PrincipalClassification = MSPPrincipal.Types.Classification.OrganizationUnit,
            Principal = new OrganizationUnit { MspIdentifier = "Org2MSP", OrganizationalUnitIdentifier = "peer" }.ToByteString(),
        };
        var identity = new MSPPrincipal
        {
            PrincipalClassification = MSPPrincipal.Types.Classification.Identity,
            Principal = new SerializedIdentity { Mspid = "Org3MSP", IdBytes = ByteString.CopyFromUtf8("cert") }.ToByteString(),
        };
        var anonymity = new MSPPrincipal { PrincipalClassification = MSPPrincipal.Types.Classification.Anonymity };
        var envelope = PolicyProtos.Envelope(PolicyProtos.NOutOf(1, [PolicyProtos.SignedBy(0), PolicyProtos.SignedBy(1), PolicyProtos.SignedBy(2)]), [unit, identity, anonymity]);

        Assert.Equal("Org2MSP | Org3MSP", Render(EndorsementPlanner.Layouts(new ApplicationPolicy { SignaturePolicy = envelope }, Config(3), "Org1MSP")));
    }

    [Theory]
    // A chaincode policy together with a key-level policy: every combination that meets both, minimal sets only.
    [InlineData("OR('Org1MSP.peer','Org2MSP.peer')", "OR('Org2MSP.peer')", "Org2MSP")]
    [InlineData("OR('Org1MSP.peer','Org2MSP.peer')", "OR('Org3MSP.peer')", "Org1MSP,Org3MSP | Org2MSP,Org3MSP")]
    [InlineData("AND('Org1MSP.peer','Org2MSP.peer')", "OR('Org2MSP.peer','Org3MSP.peer')", "Org1MSP,Org2MSP")]
    [InlineData("OR('Org1MSP.peer')", "AND('Org2MSP.peer','Org3MSP.peer')", "Org1MSP,Org2MSP,Org3MSP")]
    [InlineData("OR('Org1MSP.peer')", "OR('Org1MSP.admin')", "")]
    public void Combined_requirements(string chaincodePolicy, string keyPolicy, string expected)
    {
        IReadOnlyList<IReadOnlySet<string>> Layouts(string policy) =>
            EndorsementPlanner.Layouts(new ApplicationPolicy { SignaturePolicy = PolicyDsl.Parse(policy) }, Config(3), "Org1MSP");

        var combined = EndorsementPlanner.Combine([Layouts(chaincodePolicy), Layouts(keyPolicy)]);

        Assert.Equal(expected, Render([.. combined.OrderBy(l => l.Count).ThenBy(l => string.Join(",", l.Order(StringComparer.Ordinal)), StringComparer.Ordinal)]));
    }

    [Fact]
    public void No_requirements_need_no_endorser()
    {
        var combined = EndorsementPlanner.Combine([]);

        Assert.Empty(Assert.Single(combined));
    }

    [Fact]
    public void A_zero_out_of_policy_needs_no_endorser()
    {
        var layouts = EndorsementPlanner.Layouts(new ApplicationPolicy { SignaturePolicy = PolicyProtos.AcceptAll() }, Config(1), "Org1MSP");

        Assert.Empty(Assert.Single(layouts));
    }

    [Fact]
    public void Large_policies_stay_bounded()
    {
        // 3 out of 12 organisations: 220 minimal sets, all of them kept.
        var orgs = string.Join(",", Enumerable.Range(1, 12).Select(i => $"'Org{i}MSP.peer'"));
        var layouts = EndorsementPlanner.Layouts(new ApplicationPolicy { SignaturePolicy = PolicyDsl.Parse($"OutOf(3,{orgs})") }, Config(12), "Org5MSP");

        Assert.Equal(220, layouts.Count);
        Assert.All(layouts, layout => Assert.Equal(3, layout.Count));
        Assert.Equal(55, layouts.TakeWhile(layout => layout.Contains("Org5MSP")).Count());
        Assert.All(layouts.Skip(55), layout => Assert.DoesNotContain("Org5MSP", layout));
    }

    private static ApplicationPolicy Reference(string path) => new() { ChannelConfigPolicyReference = path };

    /// <summary>A channel of Org1..OrgN (names OrgN, MSP IDs OrgNMSP), each with Endorsement OR('OrgNMSP.peer'), and the channel's Endorsement policy.</summary>
    private static ChannelConfig Config(int orgs, string endorsement = "MAJORITY Endorsement")
    {
        var application = new ApplicationConfig();
        for (var i = 1; i <= orgs; i++)
        {
            var org = new Organization { Name = $"Org{i}", MspId = $"Org{i}MSP" };
            org.Policies.Add("Admins", PolicyDsl.SignaturePolicy($"OR('Org{i}MSP.admin')"));
            org.Policies.Add("Endorsement", PolicyDsl.SignaturePolicy($"OR('Org{i}MSP.peer')"));
            application.Organizations.Add(org);
        }
        application.Policies.Add("Endorsement", PolicyDsl.ImplicitMeta(endorsement));
        return new ChannelConfig { ChannelId = "ch", Application = application };
    }

    private static string Render(IReadOnlyList<IReadOnlySet<string>> layouts) =>
        string.Join(" | ", layouts.Select(layout => string.Join(",", layout.Order(StringComparer.Ordinal))));
}
