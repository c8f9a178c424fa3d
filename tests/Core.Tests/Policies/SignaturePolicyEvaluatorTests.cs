using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Tests.Support;
using ZonCoin.Protos.Common;

namespace ZonCoin.Core.Tests.Policies;

[Collection(PolicyFixtureDefinition.Name)]
public sealed class SignaturePolicyEvaluatorTests
{
    private readonly PolicyOrgs _orgs;

    public SignaturePolicyEvaluatorTests(PolicyOrgs orgs)
    {
        _orgs = orgs;
    }

    public static TheoryData<string, string[], bool> Cases => new()
    {
        // Roles: member is any valid identity; client/peer/orderer need that node OU; admin the admin OU.
        { "OR('Org1MSP.member')", ["Org1.peer"], true },
        { "OR('Org1MSP.member')", ["Org1.client"], true },
        { "OR('Org1MSP.member')", ["Org1.admin"], true },
        { "OR('Org1MSP.member')", ["Org1.orderer"], true },
        { "OR('Org1MSP.peer')", ["Org1.client"], false },
        { "OR('Org1MSP.peer')", ["Org1.peer"], true },
        { "OR('Org1MSP.client')", ["Org1.peer"], false },
        { "OR('Org1MSP.orderer')", ["Org1.orderer"], true },
        { "OR('Org1MSP.admin')", ["Org1.admin"], true },
        { "OR('Org1MSP.admin')", ["Org1.peer"], false },
        { "OR('Org1MSP.admin')", ["Org1.client"], false },
        { "OR('Org1MSP.member')", ["Org2.peer"], false },
        { "OR('Org1MSP.member')", [], false },
        // Admins listed in the MSP definition, without the admin OU.
        { "OR('Org3MSP.admin')", ["Org3.listedadmin"], true },
        { "OR('Org3MSP.client')", ["Org3.listedadmin"], true },
        { "OR('Org3MSP.admin')", ["Org3.client"], false },
        // OR / AND / OutOf.
        { "OR('Org1MSP.peer', 'Org2MSP.peer')", ["Org2.peer"], true },
        { "OR('Org1MSP.peer', 'Org2MSP.peer')", ["Org3.peer"], false },
        { "AND('Org1MSP.peer', 'Org2MSP.peer')", ["Org1.peer"], false },
        { "AND('Org1MSP.peer', 'Org2MSP.peer')", ["Org2.peer", "Org1.peer"], true },
        { "AND('Org1MSP.peer', 'Org2MSP.peer')", ["Org1.peer", "Org2.client"], false },
        { "OutOf(2, 'Org1MSP.admin', 'Org2MSP.admin', 'Org3MSP.admin')", ["Org1.admin"], false },
        { "OutOf(2, 'Org1MSP.admin', 'Org2MSP.admin', 'Org3MSP.admin')", ["Org1.admin", "Org3.admin"], true },
        { "OutOf(2, 'Org1MSP.admin', 'Org2MSP.admin', 'Org3MSP.admin')", ["Org1.admin", "Org2.admin", "Org3.admin"], true },
        { "OutOf(2, 'Org1MSP.admin', 'Org2MSP.admin', 'Org3MSP.admin')", ["Org1.admin", "Org2.peer", "Org3.client"], false },
        { "OutOf(3, 'Org1MSP.admin', 'Org2MSP.admin', 'Org3MSP.admin')", ["Org1.admin", "Org2.admin"], false },
        { "OutOf(0, 'Org1MSP.admin')", [], true },
        // Nesting.
        { "OR(AND('Org1MSP.peer', 'Org2MSP.peer'), 'Org3MSP.admin')", ["Org3.admin"], true },
        { "OR(AND('Org1MSP.peer', 'Org2MSP.peer'), 'Org3MSP.admin')", ["Org1.peer", "Org2.peer"], true },
        { "OR(AND('Org1MSP.peer', 'Org2MSP.peer'), 'Org3MSP.admin')", ["Org1.peer", "Org3.peer"], false },
        { "AND('Org1MSP.admin', OR('Org2MSP.peer', 'Org3MSP.peer'))", ["Org3.peer", "Org1.admin"], true },
        { "AND('Org1MSP.admin', OR('Org2MSP.peer', 'Org3MSP.peer'))", ["Org1.admin"], false },
        { "AND(OR('Org1MSP.member', 'Org2MSP.member'), OR('Org1MSP.member', 'Org2MSP.member'))", ["Org1.peer"], false },
        // Fabric quirk kept on purpose: n_out_of tries every rule even after n succeeded, so the first OR
        // consumes both signers and the second finds none left.
        { "AND(OR('Org1MSP.member', 'Org2MSP.member'), OR('Org1MSP.member', 'Org2MSP.member'))", ["Org1.peer", "Org2.client"], false },
        { "AND(OR('Org1MSP.member', 'Org2MSP.member'), OR('Org1MSP.member', 'Org2MSP.member'))", ["Org1.peer", "Org2.client", "Org1.client"], true },
        // Each identity counts once.
        { "AND('Org1MSP.member', 'Org1MSP.member')", ["Org1.peer"], false },
        { "AND('Org1MSP.member', 'Org1MSP.member')", ["Org1.peer", "Org1.peer"], false },
        { "AND('Org1MSP.member', 'Org1MSP.member')", ["Org1.peer", "Org1.peer#2"], true },
        { "AND('Org1MSP.member', 'Org1MSP.member')", ["Org1.peer", "Org1.client"], true },
        { "OutOf(2, 'Org1MSP.admin', 'Org1MSP.admin', 'Org2MSP.admin')", ["Org1.admin", "Org1.admin"], false },
        // Greedy matching, as in Fabric: member consumes the first signer even when only it could be the admin.
        { "AND('Org1MSP.member', 'Org1MSP.admin')", ["Org1.admin", "Org1.peer"], false },
        { "AND('Org1MSP.member', 'Org1MSP.admin')", ["Org1.peer", "Org1.admin"], true },
        // Signers that are not counted.
        { "OR('Org9MSP.member')", ["Org9.admin"], false },
        { "OR('Org1MSP.member', 'Org9MSP.member')", ["Org9.admin"], false },
        { "OR('Org1MSP.member')", ["garbage"], false },
        { "OR('Org1MSP.member')", ["garbage", "Org1.peer"], true },
        { "OR('Org1MSP.peer')", ["Org1.peer:bad"], false },
        { "OR('Org1MSP.peer')", ["Org1.peer:bad", "Org1.peer"], true },
        { "OR('Org1MSP.peer')", ["Org1.peer:highs"], false },
        { "AND('Org1MSP.peer', 'Org2MSP.peer')", ["Org1.peer:highs", "Org2.peer"], false },
        { "OR('Org1MSP.member')", ["Org1.client:foreign"], false },
        { "OR('Org1MSP.admin', 'Org2MSP.admin')", ["Org1.admin:foreign"], false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluates_like_fabric_cauthdsl(string policy, string[] signers, bool expected)
    {
        var evaluator = SignaturePolicyEvaluator.Compile(PolicyDsl.Parse(policy), _orgs.Msps);

        var result = evaluator.Evaluate(_orgs.Sign(signers));

        Assert.True(expected == result.IsSatisfied, $"{policy} with [{string.Join(", ", signers)}]: {result}");
        Assert.Equal(expected, result.Reason is null);
    }

    [Fact]
    public void Failure_reason_names_the_policy_and_the_ignored_signers()
    {
        var evaluator = SignaturePolicyEvaluator.Compile(PolicyDsl.Parse("AND('Org1MSP.peer', 'Org2MSP.peer')"), _orgs.Msps);

        var result = evaluator.Evaluate(_orgs.Sign(["Org1.peer", "Org2.peer:bad", "Org9.admin", "Org1.peer"]));

        Assert.False(result.IsSatisfied);
        Assert.Contains("AND('Org1MSP.peer', 'Org2MSP.peer')", result.Reason, StringComparison.Ordinal);
        Assert.Contains("#1: signature by Org2MSP", result.Reason, StringComparison.Ordinal);
        Assert.Contains("#2: MSP 'Org9MSP' is not a member of this channel", result.Reason, StringComparison.Ordinal);
        Assert.Contains("#3: Org1MSP", result.Reason, StringComparison.Ordinal);
        Assert.Contains("signed more than once", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Signatures_over_other_data_than_the_entry_claims_do_not_count()
    {
        var evaluator = SignaturePolicyEvaluator.Compile(PolicyDsl.Parse("OR('Org1MSP.peer')"), _orgs.Msps);
        var signed = _orgs.Sign("Org1.peer");

        Assert.True(evaluator.Evaluate([signed]).IsSatisfied);
        Assert.False(evaluator.Evaluate([signed with { Data = "tampered"u8.ToArray() }]).IsSatisfied);
        Assert.False(evaluator.Evaluate([signed with { Signature = [] }]).IsSatisfied);
    }

    [Fact]
    public void The_high_s_signature_is_otherwise_a_valid_ecdsa_signature()
    {
        var signed = _orgs.Sign("Org1.peer:highs");
        var identity = _orgs.Msps.DeserializeAndValidate(signed.Identity);
        using var key = identity.Certificate.GetECDsaPublicKey()!;

        Assert.True(EcdsaSignatures.IsHighS(key, signed.Signature));
        Assert.True(key.VerifyData(signed.Data, signed.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.False(identity.Verify(signed.Data, signed.Signature));
    }

    [Fact]
    public void Accept_all_is_satisfied_by_no_signatures()
    {
        var evaluator = SignaturePolicyEvaluator.Compile(PolicyProtos.AcceptAll(), _orgs.Msps);

        Assert.True(evaluator.Evaluate([]).IsSatisfied);
    }

    [Fact]
    public void Signed_by_any_member_accepts_each_listed_org()
    {
        var evaluator = SignaturePolicyEvaluator.Compile(PolicyProtos.SignedByAnyMember(["Org1MSP", "Org2MSP"]), _orgs.Msps);

        Assert.Equal("OR('Org1MSP.member', 'Org2MSP.member')", evaluator.Description);
        Assert.True(evaluator.Evaluate(_orgs.Sign(["Org2.client"])).IsSatisfied);
        Assert.False(evaluator.Evaluate(_orgs.Sign(["Org3.client"])).IsSatisfied);
    }

    [Fact]
    public void A_signed_by_rule_at_the_top_of_the_envelope_works()
    {
        var envelope = PolicyProtos.Envelope(PolicyProtos.SignedBy(0),
            [PolicyProtos.RolePrincipal("Org2MSP", MSPRole.Types.MSPRoleType.Admin)]);
        var evaluator = SignaturePolicyEvaluator.Compile(envelope, _orgs.Msps);

        Assert.True(evaluator.Evaluate(_orgs.Sign(["Org1.admin", "Org2.admin"])).IsSatisfied);
        Assert.False(evaluator.Evaluate(_orgs.Sign(["Org1.admin"])).IsSatisfied);
    }

    [Fact]
    public void Compiling_copies_the_envelope()
    {
        var envelope = PolicyDsl.Parse("OR('Org1MSP.peer')");
        var evaluator = SignaturePolicyEvaluator.Compile(envelope, _orgs.Msps);

        envelope.Identities.Clear();

        Assert.Single(evaluator.Envelope.Identities);
        Assert.True(evaluator.Evaluate(_orgs.Sign(["Org1.peer"])).IsSatisfied);
    }

    public static TheoryData<SignaturePolicyEnvelope, string> InvalidEnvelopes => new()
    {
        { Envelope(PolicyProtos.NOutOf(1, [PolicyProtos.SignedBy(1)]), 1), "rule.n_out_of.rules[0]: signed_by index 1 is out of range; the envelope has 1 identities" },
        { Envelope(PolicyProtos.SignedBy(-1), 1), "rule: signed_by index -1 is out of range" },
        { Envelope(PolicyProtos.NOutOf(3, [PolicyProtos.SignedBy(0), PolicyProtos.SignedBy(0)]), 1), "rule: n_out_of needs 3 of 2 rules" },
        { Envelope(PolicyProtos.NOutOf(-1, [PolicyProtos.SignedBy(0)]), 1), "rule: n_out_of needs a non-negative n, got -1" },
        { Envelope(PolicyProtos.NOutOf(1, [new SignaturePolicy()]), 1), "rule.n_out_of.rules[0]: empty signature policy rule" },
        { new SignaturePolicyEnvelope(), "rule: empty signature policy rule" },
        { new SignaturePolicyEnvelope { Version = 1, Rule = PolicyProtos.SignedBy(0) }, "version 1 is not supported" },
    };

    [Theory]
    [MemberData(nameof(InvalidEnvelopes))]
    public void Invalid_envelopes_fail_to_compile(SignaturePolicyEnvelope envelope, string message)
    {
        var error = Assert.Throws<PolicyException>(() => SignaturePolicyEvaluator.Compile(envelope, _orgs.Msps));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private static SignaturePolicyEnvelope Envelope(SignaturePolicy rule, int principals) =>
        PolicyProtos.Envelope(rule, Enumerable.Range(0, principals).Select(_ => PolicyProtos.RolePrincipal("Org1MSP", MSPRole.Types.MSPRoleType.Member)));
}
