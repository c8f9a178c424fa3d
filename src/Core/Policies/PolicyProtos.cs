using Google.Protobuf;
using ZonCoin.Protos.Common;

namespace ZonCoin.Core.Policies;

/// <summary>
/// Builders for the policy protos: signature policy rules and envelopes, role principals and the
/// <c>common.Policy</c> wrappers stored in channel configuration.
/// </summary>
public static class PolicyProtos
{
    /// <summary>A rule satisfied by a signer matching <c>identities[index]</c>.</summary>
    public static SignaturePolicy SignedBy(int index) => new() { SignedBy = index };

    /// <summary>A rule satisfied when at least <paramref name="n"/> of <paramref name="rules"/> are.</summary>
    public static SignaturePolicy NOutOf(int n, IEnumerable<SignaturePolicy> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var nOutOf = new SignaturePolicy.Types.NOutOf { N = n };
        nOutOf.Rules.AddRange(rules);
        return new SignaturePolicy { NOutOf = nOutOf };
    }

    /// <summary>A ROLE principal, e.g. <c>Org1MSP.peer</c>.</summary>
    public static MSPPrincipal RolePrincipal(string mspId, MSPRole.Types.MSPRoleType role)
    {
        ArgumentException.ThrowIfNullOrEmpty(mspId);
        return new MSPPrincipal
        {
            PrincipalClassification = MSPPrincipal.Types.Classification.Role,
            Principal = new MSPRole { MspIdentifier = mspId, Role = role }.ToByteString(),
        };
    }

    /// <summary>A version-0 envelope of a rule and the principals its <c>signed_by</c> indices refer to.</summary>
    public static SignaturePolicyEnvelope Envelope(SignaturePolicy rule, IEnumerable<MSPPrincipal> identities)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(identities);
        var envelope = new SignaturePolicyEnvelope { Version = 0, Rule = rule };
        envelope.Identities.AddRange(identities);
        return envelope;
    }

    /// <summary>Fabric's accept-all policy: 0 out of no rules, satisfied by any signature set, even an empty one.</summary>
    public static SignaturePolicyEnvelope AcceptAll() => Envelope(NOutOf(0, []), []);

    /// <summary>Fabric's <c>SignedByAnyMember</c>: one member of any of the MSPs, i.e. <c>OR('A.member', 'B.member', ...)</c>.</summary>
    public static SignaturePolicyEnvelope SignedByAnyMember(IEnumerable<string> mspIds)
    {
        ArgumentNullException.ThrowIfNull(mspIds);
        var principals = mspIds.Select(id => RolePrincipal(id, MSPRole.Types.MSPRoleType.Member)).ToList();
        return Envelope(NOutOf(1, principals.Select((_, i) => SignedBy(i))), principals);
    }

    /// <summary>Wraps a signature policy envelope as a <c>common.Policy</c> of type SIGNATURE.</summary>
    public static Policy Signature(SignaturePolicyEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return new Policy { Type = (int)Policy.Types.PolicyType.Signature, Value = envelope.ToByteString() };
    }

    /// <summary>Wraps an implicit meta policy as a <c>common.Policy</c> of type IMPLICIT_META.</summary>
    public static Policy ImplicitMeta(ImplicitMetaPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new Policy { Type = (int)Policy.Types.PolicyType.ImplicitMeta, Value = policy.ToByteString() };
    }

    /// <summary>An IMPLICIT_META <c>common.Policy</c> with the given rule over <paramref name="subPolicy"/>.</summary>
    public static Policy ImplicitMeta(ImplicitMetaPolicy.Types.Rule rule, string subPolicy)
    {
        ArgumentException.ThrowIfNullOrEmpty(subPolicy);
        return ImplicitMeta(new ImplicitMetaPolicy { Rule = rule, SubPolicy = subPolicy });
    }
}
