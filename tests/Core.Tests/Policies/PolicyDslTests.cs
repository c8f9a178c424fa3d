using Google.Protobuf;
using ZonCoin.Core.Policies;
using ZonCoin.Protos.Common;
using Role = ZonCoin.Protos.Common.MSPRole.Types.MSPRoleType;

namespace ZonCoin.Core.Tests.Policies;

public sealed class PolicyDslTests
{
    private static SignaturePolicy By(int index) => PolicyProtos.SignedBy(index);

    private static SignaturePolicy OutOf(int n, params SignaturePolicy[] rules) => PolicyProtos.NOutOf(n, rules);

    private static MSPPrincipal P(string mspId, Role role = Role.Member) => PolicyProtos.RolePrincipal(mspId, role);

    public static TheoryData<string, SignaturePolicyEnvelope> Valid => new()
    {
        { "OR('Org1MSP.member')", PolicyProtos.Envelope(OutOf(1, By(0)), [P("Org1MSP")]) },
        { "AND('A.peer', 'B.peer')", PolicyProtos.Envelope(OutOf(2, By(0), By(1)), [P("A", Role.Peer), P("B", Role.Peer)]) },
        { "OutOf(2, 'A.admin', 'B.client', 'C.orderer')",
            PolicyProtos.Envelope(OutOf(2, By(0), By(1), By(2)), [P("A", Role.Admin), P("B", Role.Client), P("C", Role.Orderer)]) },
        { "OutOf(0, 'A.member')", PolicyProtos.Envelope(OutOf(0, By(0)), [P("A")]) },
        // Double quotes, spacing and the three accepted spellings of each gate.
        { "  or ( \"A.member\" ,'B.member' ) ", PolicyProtos.Envelope(OutOf(1, By(0), By(1)), [P("A"), P("B")]) },
        { "And('A.member')", PolicyProtos.Envelope(OutOf(1, By(0)), [P("A")]) },
        { "and('A.member','B.member')", PolicyProtos.Envelope(OutOf(2, By(0), By(1)), [P("A"), P("B")]) },
        { "Or('A.member')", PolicyProtos.Envelope(OutOf(1, By(0)), [P("A")]) },
        { "outof(1, 'A.member')", PolicyProtos.Envelope(OutOf(1, By(0)), [P("A")]) },
        { "OUTOF(1, 'A.member')", PolicyProtos.Envelope(OutOf(1, By(0)), [P("A")]) },
        // MSP IDs may hold dots and hyphens; the role follows the last dot.
        { "OR('org1.example-com.peer')", PolicyProtos.Envelope(OutOf(1, By(0)), [P("org1.example-com", Role.Peer)]) },
        // Fabric does not deduplicate principals: each occurrence has its own index.
        { "AND('A.member', 'A.member')", PolicyProtos.Envelope(OutOf(2, By(0), By(1)), [P("A"), P("A")]) },
        // Fabric numbers a gate's nested gates before its own principals.
        { "OR('C.member', AND('A.member', 'B.member'))",
            PolicyProtos.Envelope(OutOf(1, By(2), OutOf(2, By(0), By(1))), [P("A"), P("B"), P("C")]) },
        { "AND(OR('A.peer', 'B.peer'), 'C.admin', OutOf(1, 'D.client', OR('E.member')))",
            PolicyProtos.Envelope(
                OutOf(3, OutOf(1, By(0), By(1)), By(4), OutOf(1, By(3), OutOf(1, By(2)))),
                [P("A", Role.Peer), P("B", Role.Peer), P("E"), P("D", Role.Client), P("C", Role.Admin)]) },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parses_like_fabric_policydsl(string text, SignaturePolicyEnvelope expected)
    {
        var envelope = PolicyDsl.Parse(text);

        Assert.Equal(expected, envelope);
        Assert.Equal(expected.ToByteArray(), envelope.ToByteArray());
    }

    [Theory]
    [InlineData("member", Role.Member)]
    [InlineData("admin", Role.Admin)]
    [InlineData("client", Role.Client)]
    [InlineData("peer", Role.Peer)]
    [InlineData("orderer", Role.Orderer)]
    public void Parses_every_role(string role, Role expected)
    {
        var envelope = PolicyDsl.Parse($"OR('Org1MSP.{role}')");

        var principal = Assert.Single(envelope.Identities);
        Assert.Equal(MSPPrincipal.Types.Classification.Role, principal.PrincipalClassification);
        Assert.Equal(new MSPRole { MspIdentifier = "Org1MSP", Role = expected }, MSPRole.Parser.ParseFrom(principal.Principal));
    }

    public static TheoryData<string, string, int> Invalid => new()
    {
        { "", "the policy is empty", 0 },
        { "   ", "the policy is empty", 3 },
        { "'A.member'", "not a bare principal", 0 },
        { "XOR('A.member')", "unknown gate 'XOR'", 0 },
        { "aNd('A.member')", "unknown gate 'aNd'", 0 },
        { "OR", "expected '(' after OR, found the end of the policy", 2 },
        { "OR(", "expected a principal such as 'Org1MSP.member' or a nested gate, found the end of the policy", 3 },
        { "OR()", "found ')'", 3 },
        { "OR('A.member'", "expected ',' or ')', found the end of the policy", 13 },
        { "OR('A.member',)", "found ')'", 14 },
        { "OR('A.member' 'B.member')", "expected ',' or ')', found '''", 14 },
        { "OR('A.member') AND('B.member')", "unexpected 'A' after the end of the policy", 15 },
        { "OR('A.member)", "unterminated string starting with '", 3 },
        { "OR('A.superuser')", "'A.superuser' is not a principal", 3 },
        { "OR('member')", "'member' is not a principal", 3 },
        { "OR('.member')", "'.member' is not a principal", 3 },
        { "OR('A_B.member')", "'A_B.member' is not a principal", 3 },
        { "OR('A.Member')", "'A.Member' is not a principal", 3 },
        { "OR(A.member)", "unknown gate 'A'", 3 },
        { "OR(1, 'A.member')", "found '1'", 3 },
        { "OutOf('A.member')", "OutOf needs a non-negative integer count as its first argument, found '''", 6 },
        { "OutOf(-1, 'A.member')", "OutOf needs a non-negative integer count", 6 },
        { "OutOf(1)", "expected ',' and at least one rule after the count of OutOf, found ')'", 7 },
        { "OutOf(3, 'A.member', 'B.member')", "OutOf(3, ...) has only 2 rules and could never be satisfied", 0 },
        { "OR('A.member', OutOf(2, 'B.member'))", "OutOf(2, ...) has only 1 rules", 15 },
        { "OutOf(99999999999, 'A.member')", "the count 99999999999 of OutOf is too large", 6 },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Rejects_bad_syntax_with_the_position(string text, string message, int position)
    {
        var error = Assert.Throws<PolicyException>(() => PolicyDsl.Parse(text));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(position, error.Position);
        Assert.Contains($"(at column {position + 1})", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("OR('Org1MSP.member')")]
    [InlineData("AND('A.peer', 'B.peer')")]
    [InlineData("OutOf(2, 'A.admin', 'B.client', 'C.orderer')")]
    [InlineData("OR('C.member', AND('A.member', 'B.member'))")]
    [InlineData("AND(OR('A.peer', 'B.peer'), 'C.admin', OR('D.client', OR('E.member')))")]
    public void Formats_back_to_the_canonical_text(string text)
    {
        var envelope = PolicyDsl.Parse(text);

        Assert.Equal(text, PolicyDsl.Format(envelope));
        Assert.Equal(envelope, PolicyDsl.Parse(PolicyDsl.Format(envelope)));
    }

    [Fact]
    public void Formats_principals_that_the_language_cannot_express()
    {
        var ou = new MSPPrincipal
        {
            PrincipalClassification = MSPPrincipal.Types.Classification.OrganizationUnit,
            Principal = new OrganizationUnit { MspIdentifier = "A", OrganizationalUnitIdentifier = "sales" }.ToByteString(),
        };
        var envelope = PolicyProtos.Envelope(OutOf(2, By(0), By(5)), [ou]);

        Assert.Equal("AND(OU(A/sales), signed_by(5))", PolicyDsl.Format(envelope));
        Assert.Equal("OutOf(0)", PolicyDsl.Format(PolicyProtos.AcceptAll()));
    }

    [Theory]
    [InlineData("ANY Readers", ImplicitMetaPolicy.Types.Rule.Any, "Readers")]
    [InlineData("ALL Writers", ImplicitMetaPolicy.Types.Rule.All, "Writers")]
    [InlineData("MAJORITY Endorsement", ImplicitMetaPolicy.Types.Rule.Majority, "Endorsement")]
    public void Parses_implicit_meta_policies(string text, ImplicitMetaPolicy.Types.Rule rule, string subPolicy)
    {
        var policy = PolicyDsl.ParseImplicitMeta(text);

        Assert.Equal(new ImplicitMetaPolicy { Rule = rule, SubPolicy = subPolicy }, policy);
        Assert.Equal(text, PolicyDsl.FormatImplicitMeta(policy));
        var wrapped = PolicyDsl.ImplicitMeta(text);
        Assert.Equal((int)Policy.Types.PolicyType.ImplicitMeta, wrapped.Type);
        Assert.Equal(policy, ImplicitMetaPolicy.Parser.ParseFrom(wrapped.Value));
    }

    [Theory]
    [InlineData("ANY", "expected two space separated tokens, got 1")]
    [InlineData("ANY  Readers", "expected two space separated tokens, got 3")]
    [InlineData("ANY Readers Writers", "expected two space separated tokens, got 3")]
    [InlineData("any Readers", "unknown rule 'any', expected ALL, ANY or MAJORITY")]
    [InlineData("SOME Readers", "unknown rule 'SOME'")]
    [InlineData("ANY ", "no sub-policy name")]
    public void Rejects_bad_implicit_meta_text(string text, string message)
    {
        var error = Assert.Throws<PolicyException>(() => PolicyDsl.ParseImplicitMeta(text));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wraps_signature_policies_in_a_policy_message()
    {
        var policy = PolicyDsl.SignaturePolicy("OR('Org1MSP.peer', 'Org2MSP.peer')");

        Assert.Equal((int)Policy.Types.PolicyType.Signature, policy.Type);
        Assert.Equal(PolicyDsl.Parse("OR('Org1MSP.peer', 'Org2MSP.peer')"), SignaturePolicyEnvelope.Parser.ParseFrom(policy.Value));
    }
}
