using Google.Protobuf;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;

namespace ZonCoin.Core.Tests.Policies;

[Collection(PolicyFixtureDefinition.Name)]
public sealed class ChannelPoliciesTests
{
    private readonly PolicyOrgs _orgs;

    public ChannelPoliciesTests(PolicyOrgs orgs)
    {
        _orgs = orgs;
    }

    /// <summary>Three application orgs and one orderer org, with the policies configtxgen's sample profiles use.</summary>
    private static ChannelConfig Config()
    {
        var application = new ApplicationConfig();
        foreach (var org in new[] { "Org1", "Org2", "Org3" })
        {
            application.Organizations.Add(Org(org, $"{org}MSP", new()
            {
                ["Readers"] = PolicyDsl.SignaturePolicy($"OR('{org}MSP.admin', '{org}MSP.peer', '{org}MSP.client')"),
                ["Writers"] = PolicyDsl.SignaturePolicy($"OR('{org}MSP.admin', '{org}MSP.client')"),
                ["Admins"] = PolicyDsl.SignaturePolicy($"OR('{org}MSP.admin')"),
                ["Endorsement"] = PolicyDsl.SignaturePolicy($"OR('{org}MSP.peer')"),
            }));
        }
        application.Organizations[2].Policies["Implicit"] = PolicyDsl.ImplicitMeta("ALL Anything");
        AddAll(application.Policies, new()
        {
            ["Readers"] = PolicyDsl.ImplicitMeta("ANY Readers"),
            ["Writers"] = PolicyDsl.ImplicitMeta("ANY Writers"),
            ["Admins"] = PolicyDsl.ImplicitMeta("MAJORITY Admins"),
            ["Endorsement"] = PolicyDsl.ImplicitMeta("MAJORITY Endorsement"),
            ["LifecycleEndorsement"] = PolicyDsl.ImplicitMeta("MAJORITY Endorsement"),
            ["AllWriters"] = PolicyDsl.ImplicitMeta("ALL Writers"),
            ["Ghost"] = PolicyDsl.ImplicitMeta("ANY Ghost"),
        });
        var orderer = new OrdererConfig { ConsensusType = "solo" };
        orderer.Organizations.Add(Org("OrdererOrg", "OrdererMSP", new()
        {
            ["Readers"] = PolicyDsl.SignaturePolicy("OR('OrdererMSP.member')"),
            ["Writers"] = PolicyDsl.SignaturePolicy("OR('OrdererMSP.member')"),
            ["Admins"] = PolicyDsl.SignaturePolicy("OR('OrdererMSP.admin')"),
        }));
        AddAll(orderer.Policies, new()
        {
            ["Readers"] = PolicyDsl.ImplicitMeta("ANY Readers"),
            ["Writers"] = PolicyDsl.ImplicitMeta("ANY Writers"),
            ["Admins"] = PolicyDsl.ImplicitMeta("MAJORITY Admins"),
            ["BlockValidation"] = PolicyDsl.ImplicitMeta("ANY Writers"),
        });
        var config = new ChannelConfig { ChannelId = "mychannel", Application = application, Orderer = orderer };
        AddAll(config.Policies, new()
        {
            ["Readers"] = PolicyDsl.ImplicitMeta("ANY Readers"),
            ["Writers"] = PolicyDsl.ImplicitMeta("ANY Writers"),
            ["Admins"] = PolicyDsl.ImplicitMeta("MAJORITY Admins"),
        });
        return config;
    }

    private static Organization Org(string name, string mspId, Dictionary<string, Policy> policies)
    {
        var organization = new Organization { Name = name, MspId = mspId };
        AddAll(organization.Policies, policies);
        return organization;
    }

    private static void AddAll(Google.Protobuf.Collections.MapField<string, Policy> target, Dictionary<string, Policy> policies)
    {
        foreach (var (name, policy) in policies)
        {
            target[name] = policy;
        }
    }

    public static TheoryData<string, string[], bool> Cases => new()
    {
        // MAJORITY of three application orgs' admins.
        { "/Channel/Application/Admins", ["Org1.admin"], false },
        { "/Channel/Application/Admins", ["Org1.admin", "Org2.admin"], true },
        { "/Channel/Application/Admins", ["Org1.admin", "Org2.admin", "Org3.admin"], true },
        { "/Channel/Application/Admins", ["Org1.admin", "Org2.peer", "Org3.client"], false },
        { "/Channel/Application/Admins", ["Org1.admin", "Org1.admin#2"], false },
        { "/Channel/Application/Admins", ["Org3.listedadmin", "Org2.admin"], true },
        { "/Channel/Application/Endorsement", ["Org1.peer", "Org3.peer"], true },
        { "/Channel/Application/Endorsement", ["Org1.peer", "Org3.peer:highs"], false },
        { "/Channel/Application/LifecycleEndorsement", ["Org2.peer"], false },
        // ANY / ALL.
        { "/Channel/Application/Readers", ["Org2.client"], true },
        { "/Channel/Application/Readers", ["Orderer.orderer"], false },
        { "/Channel/Application/Writers", ["Org1.peer"], false },
        { "/Channel/Application/Writers", ["Org1.client"], true },
        { "/Channel/Application/AllWriters", ["Org1.client", "Org2.admin"], false },
        { "/Channel/Application/AllWriters", ["Org1.client", "Org2.admin", "Org3.client"], true },
        // A sub-policy no org defines is never satisfied; an implicit-meta policy of an org (no children) always is.
        { "/Channel/Application/Ghost", ["Org1.admin", "Org2.admin", "Org3.admin"], false },
        { "/Channel/Application/Org3/Implicit", [], true },
        // Org-level and orderer policies.
        { "/Channel/Application/Org1/Admins", ["Org1.admin"], true },
        { "/Channel/Application/Org1/Admins", ["Org2.admin"], false },
        { "/Channel/Application/Org2/Endorsement", ["Org2.peer"], true },
        { "/Channel/Orderer/Admins", ["Orderer.admin"], true },
        { "/Channel/Orderer/Admins", ["Org1.admin"], false },
        { "/Channel/Orderer/BlockValidation", ["Orderer.orderer"], true },
        { "/Channel/Orderer/OrdererOrg/Writers", ["Orderer.orderer"], true },
        // /Channel ranges over the Application and Orderer groups.
        { "/Channel/Readers", ["Orderer.orderer"], true },
        { "/Channel/Readers", ["Org1.peer"], true },
        { "/Channel/Readers", ["Org9.admin"], false },
        { "/Channel/Writers", ["Org3.client"], true },
        { "/Channel/Admins", ["Org1.admin", "Org2.admin"], false },
        { "/Channel/Admins", ["Orderer.admin", "Org1.admin"], false },
        { "/Channel/Admins", ["Org1.admin", "Orderer.admin", "Org2.admin"], true },
        { "Admins", ["Org1.admin", "Orderer.admin", "Org2.admin"], true },
        // A missing path is not satisfied.
        { "/Channel/Application/Org4/Admins", ["Org1.admin"], false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluates_policies_by_path(string path, string[] signers, bool expected)
    {
        var policies = ChannelPolicies.Create(Config(), _orgs.Msps);

        var result = policies.Evaluate(path, _orgs.Sign(signers));

        Assert.True(expected == result.IsSatisfied, $"{path} with [{string.Join(", ", signers)}]: {result}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Verified_signers_give_the_same_answers_as_raw_signatures(string path, string[] signers, bool expected)
    {
        var policies = ChannelPolicies.Create(Config(), _orgs.Msps);
        var verified = policies.Verify(_orgs.Sign(signers));

        var result = policies.Evaluate(path, verified);

        Assert.True(expected == result.IsSatisfied, $"{path} with [{string.Join(", ", signers)}]: {result}");
    }

    [Fact]
    public void A_signer_set_counts_only_signatures_that_verify()
    {
        var policies = ChannelPolicies.Create(Config(), _orgs.Msps);
        var good = _orgs.Sign("Org1.admin");
        var tampered = good with { Data = [.. good.Data, 1] };

        var verified = policies.Verify([tampered, _orgs.Sign("Org2.admin")]);

        Assert.Single(verified.Identities);
        Assert.Equal("Org2MSP", verified.Identities[0].MspId);
        Assert.Contains("does not verify", verified.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Exposes_the_policy_tree()
    {
        var policies = ChannelPolicies.Create(Config(), _orgs.Msps);

        Assert.Equal(["Application", "Orderer"], policies.Root.Groups.Keys);
        Assert.Equal(["Org1", "Org2", "Org3"], policies.Root.Groups["Application"].Groups.Keys);
        Assert.Equal("/Channel/Application/Org2", policies.Root.Groups["Application"].Groups["Org2"].Path);
        Assert.Contains("/Channel/Application/Org1/Endorsement", policies.Paths);
        Assert.Contains("/Channel/Orderer/OrdererOrg/Admins", policies.Paths);
        Assert.Contains("/Channel/Admins", policies.Paths);
        Assert.Equal(30, policies.Paths.Count);
        Assert.Same(policies.Get("/Channel/Admins"), policies.Find("Admins"));
        var admins = Assert.IsType<ImplicitMetaPolicyEvaluator>(policies.Get("/Channel/Application/Admins"));
        Assert.Equal(2, admins.Threshold);
        Assert.Equal("MAJORITY Admins", admins.Description);
    }

    [Fact]
    public void Missing_paths_are_null_an_error_or_unsatisfied()
    {
        var policies = ChannelPolicies.Create(Config(), _orgs.Msps);

        Assert.Null(policies.Find("/Channel/Application/Org4/Admins"));
        var error = Assert.Throws<PolicyException>(() => policies.Get("/Channel/Nope"));
        Assert.Equal("policy /Channel/Nope does not exist in this channel's configuration", error.Message);
        var result = policies.Evaluate("/Channel/Application/Org4/Admins", _orgs.Sign(["Org1.admin"]));
        Assert.Equal("policy /Channel/Application/Org4/Admins does not exist", result.Reason);
    }

    [Fact]
    public void Failure_reasons_show_which_orgs_were_missing()
    {
        var policies = ChannelPolicies.Create(Config(), _orgs.Msps);

        var result = policies.Evaluate("/Channel/Application/Admins", _orgs.Sign(["Org1.admin", "Org2.peer"]));

        Assert.Contains("1 sub-policies were satisfied, but this policy requires 2 of the 'Admins' sub-policies", result.Reason, StringComparison.Ordinal);
        Assert.Contains("/Channel/Application/Org2/Admins: signature set did not satisfy policy OR('Org2MSP.admin')", result.Reason, StringComparison.Ordinal);
        Assert.Contains("/Channel/Application/Org3/Admins:", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_channel_without_an_orderer_group_ranges_over_the_application_only()
    {
        var config = Config();
        config.Orderer = null;
        var policies = ChannelPolicies.Create(config, _orgs.Msps);

        Assert.True(policies.Evaluate("/Channel/Admins", _orgs.Sign(["Org1.admin", "Org2.admin"])).IsSatisfied);
        Assert.Null(policies.Find("/Channel/Orderer/Admins"));
    }

    [Fact]
    public void An_org_without_a_name_is_named_by_its_msp_id()
    {
        var config = Config();
        config.Application.Organizations[0].Name = "";
        var policies = ChannelPolicies.Create(config, _orgs.Msps);

        Assert.NotNull(policies.Find("/Channel/Application/Org1MSP/Admins"));
        Assert.Null(policies.Find("/Channel/Application/Org1/Admins"));
    }

    public static TheoryData<string, string> BrokenConfigs => new()
    {
        { "index", "policy /Channel/Application/Org2/Admins: rule: signed_by index 4 is out of range; the envelope has 1 identities" },
        { "type", "policy /Channel/Application/Org2/Admins: policy type 2 is not supported" },
        { "unknown", "policy /Channel/Application/Org2/Admins: policy type 0 is not supported" },
        { "garbage", "policy /Channel/Application/Org2/Admins: value does not parse" },
        { "rule", "policy /Channel/Orderer/Admins: implicit meta policy has unknown rule 9" },
        { "duplicate", "/Channel/Application: organisation 'Org1' appears twice" },
    };

    [Theory]
    [MemberData(nameof(BrokenConfigs))]
    public void Invalid_policies_fail_when_the_tree_is_built(string breakage, string message)
    {
        var config = Config();
        var org2 = config.Application.Organizations[1].Policies;
        switch (breakage)
        {
            case "index":
                var envelope = PolicyProtos.Envelope(PolicyProtos.SignedBy(4), [PolicyProtos.RolePrincipal("Org2MSP", MSPRole.Types.MSPRoleType.Admin)]);
                org2["Admins"] = PolicyProtos.Signature(envelope);
                break;
            case "type":
                org2["Admins"] = new Policy { Type = (int)Policy.Types.PolicyType.Msp };
                break;
            case "unknown":
                org2["Admins"] = new Policy();
                break;
            case "garbage":
                org2["Admins"] = new Policy { Type = 1, Value = ByteString.CopyFrom(0x0a, 0xff) };
                break;
            case "rule":
                config.Orderer.Policies["Admins"] = PolicyProtos.ImplicitMeta((ImplicitMetaPolicy.Types.Rule)9, "Admins");
                break;
            case "duplicate":
                config.Application.Organizations[1].Name = "Org1";
                break;
        }

        var error = Assert.Throws<PolicyException>(() => ChannelPolicies.Create(config, _orgs.Msps));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolves_chaincode_application_policies()
    {
        var policies = ChannelPolicies.Create(Config(), _orgs.Msps);

        var byReference = policies.Resolve(new ApplicationPolicy { ChannelConfigPolicyReference = "/Channel/Application/Endorsement" });
        var bySignature = policies.Resolve(new ApplicationPolicy { SignaturePolicy = PolicyDsl.Parse("AND('Org1MSP.peer', 'Org3MSP.peer')") });

        Assert.Same(policies.Get("/Channel/Application/Endorsement"), byReference);
        Assert.True(bySignature.Evaluate(_orgs.Sign(["Org3.peer", "Org1.peer"])).IsSatisfied);
        Assert.False(bySignature.Evaluate(_orgs.Sign(["Org3.peer", "Org2.peer"])).IsSatisfied);
        Assert.Throws<PolicyException>(() => policies.Resolve(new ApplicationPolicy { ChannelConfigPolicyReference = "/Channel/Application/Nope" }));
        Assert.Throws<PolicyException>(() => policies.Resolve(new ApplicationPolicy()));
    }
}
