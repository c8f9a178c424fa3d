using ZonCoin.Protos.Common;

namespace ZonCoin.Core.Policies;

/// <summary>
/// Fabric's policy text forms: the signature policy language of <c>configtx.yaml</c> and the peer CLI
/// (<c>OR('Org1MSP.peer', AND('Org2MSP.admin', 'Org3MSP.client'))</c>) and the implicit-meta form
/// (<c>MAJORITY Admins</c>).
/// </summary>
public static class PolicyDsl
{
    /// <summary>
    /// Parses a signature policy into an envelope, byte-compatible with Fabric's <c>policydsl.FromString</c>.
    /// Grammar: <c>GATE(arg, ...)</c> where GATE is And/and/AND, Or/or/OR, or OutOf/outof/OUTOF with a
    /// non-negative integer count first; an arg is a nested gate or a quoted principal <c>'MSPID.role'</c>
    /// (single or double quotes; role member, admin, client, peer or orderer; MSP ID of ASCII letters, digits,
    /// '.' and '-'). Like Fabric, every principal occurrence gets its own entry in <c>identities</c> (Fabric
    /// does not deduplicate them) and a gate's nested gates are numbered before its own principals.
    /// Throws <see cref="PolicyException"/> with the position for bad text, and for a count larger than the
    /// number of rules (Fabric tolerates one more, which can never be satisfied).
    /// </summary>
    public static SignaturePolicyEnvelope Parse(string policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return SignaturePolicyParser.Parse(policy);
    }

    /// <summary>
    /// Parses Fabric's implicit-meta form <c>"&lt;RULE&gt; &lt;SubPolicy&gt;"</c>, e.g. <c>ANY Readers</c>: exactly two
    /// tokens separated by one space, RULE being ANY, ALL or MAJORITY (upper case), as configtxgen reads it.
    /// </summary>
    public static ImplicitMetaPolicy ParseImplicitMeta(string policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var tokens = policy.Split(' ');
        if (tokens.Length != 2)
        {
            throw new PolicyException($"invalid implicit meta policy \"{policy}\": expected two space separated tokens, got {tokens.Length}");
        }
        var rule = tokens[0] switch
        {
            "ANY" => ImplicitMetaPolicy.Types.Rule.Any,
            "ALL" => ImplicitMetaPolicy.Types.Rule.All,
            "MAJORITY" => ImplicitMetaPolicy.Types.Rule.Majority,
            _ => throw new PolicyException($"invalid implicit meta policy \"{policy}\": unknown rule '{tokens[0]}', expected ALL, ANY or MAJORITY"),
        };
        if (tokens[1].Length == 0)
        {
            throw new PolicyException($"invalid implicit meta policy \"{policy}\": no sub-policy name");
        }
        return new ImplicitMetaPolicy { Rule = rule, SubPolicy = tokens[1] };
    }

    /// <summary>A SIGNATURE <c>common.Policy</c> from signature policy text (configtx.yaml <c>Type: Signature</c>).</summary>
    public static Policy SignaturePolicy(string policy) => PolicyProtos.Signature(Parse(policy));

    /// <summary>An IMPLICIT_META <c>common.Policy</c> from text such as <c>MAJORITY Endorsement</c> (<c>Type: ImplicitMeta</c>).</summary>
    public static Policy ImplicitMeta(string policy) => PolicyProtos.ImplicitMeta(ParseImplicitMeta(policy));

    /// <summary>
    /// Renders an envelope in the DSL: 1-out-of rules as OR, all-of rules (two or more) as AND, others as OutOf.
    /// Role principals render as <c>'MSPID.role'</c>; other principal kinds and invalid indices render in a
    /// descriptive form that does not parse back.
    /// </summary>
    public static string Format(SignaturePolicyEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return PolicyFormatter.Format(envelope.Rule, envelope.Identities);
    }

    /// <summary>Renders an implicit-meta policy as <c>RULE SubPolicy</c>.</summary>
    public static string FormatImplicitMeta(ImplicitMetaPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var rule = policy.Rule switch
        {
            ImplicitMetaPolicy.Types.Rule.Any => "ANY",
            ImplicitMetaPolicy.Types.Rule.All => "ALL",
            ImplicitMetaPolicy.Types.Rule.Majority => "MAJORITY",
            _ => $"RULE{(int)policy.Rule}",
        };
        return $"{rule} {policy.SubPolicy}";
    }
}
