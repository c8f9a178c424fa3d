using Google.Protobuf;
using ZonCoin.Protos.Common;

namespace ZonCoin.Core.Policies;

/// <summary>Renders signature policy rules in the DSL for <see cref="PolicyDsl.Format"/>.</summary>
internal static class PolicyFormatter
{
    public static string Format(SignaturePolicy? rule, IReadOnlyList<MSPPrincipal> identities)
    {
        switch (rule?.TypeCase)
        {
            case SignaturePolicy.TypeOneofCase.SignedBy:
                var index = rule.SignedBy;
                return index >= 0 && index < identities.Count ? FormatPrincipal(identities[index]) : $"signed_by({index})";
            case SignaturePolicy.TypeOneofCase.NOutOf:
                var n = rule.NOutOf.N;
                var count = rule.NOutOf.Rules.Count;
                var rules = string.Join(", ", rule.NOutOf.Rules.Select(r => Format(r, identities)));
                if (n == 1 && count >= 1)
                {
                    return $"OR({rules})";
                }
                if (n == count && count > 1)
                {
                    return $"AND({rules})";
                }
                return count == 0 ? $"OutOf({n})" : $"OutOf({n}, {rules})";
            default:
                return "<empty rule>";
        }
    }

    private static string FormatPrincipal(MSPPrincipal principal)
    {
        try
        {
            switch (principal.PrincipalClassification)
            {
                case MSPPrincipal.Types.Classification.Role:
                    var role = MSPRole.Parser.ParseFrom(principal.Principal);
                    return $"'{role.MspIdentifier}.{role.Role.ToString().ToLowerInvariant()}'";
                case MSPPrincipal.Types.Classification.OrganizationUnit:
                    var unit = OrganizationUnit.Parser.ParseFrom(principal.Principal);
                    return $"OU({unit.MspIdentifier}/{unit.OrganizationalUnitIdentifier})";
                case MSPPrincipal.Types.Classification.Identity:
                    var identity = Protos.Msp.SerializedIdentity.Parser.ParseFrom(principal.Principal);
                    return $"IDENTITY({identity.Mspid})";
                default:
                    return principal.PrincipalClassification.ToString().ToUpperInvariant();
            }
        }
        catch (InvalidProtocolBufferException)
        {
            return "<malformed principal>";
        }
    }
}
