using Google.Protobuf;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;
using ZonCoin.Protos.Msp;

namespace ZonCoin.Gateway.Endorsement;

/// <summary>
/// Works out which sets of organisations can satisfy an endorsement policy when each endorses with one of its peers
/// (a peer is a MEMBER and a PEER of its MSP; ADMIN, CLIENT and ORDERER principals are never satisfied by a peer).
/// Signature policies and implicit-meta policies over the application organisations are both understood. The
/// result is every minimal set, the gateway's own organisation's sets first, then smaller before larger.
/// </summary>
internal static class EndorsementPlanner
{
    /// <summary>The channel policy a chaincode definition without its own policy uses.</summary>
    public const string DefaultPolicyReference = "/Channel/Application/Endorsement";

    private const int MaxLayouts = 256;

    /// <summary>The minimal organisation sets that satisfy <paramref name="policy"/> on a channel.</summary>
    public static IReadOnlyList<IReadOnlySet<string>> Layouts(ApplicationPolicy? policy, ChannelConfig config, string ownMspId)
    {
        ArgumentNullException.ThrowIfNull(config);
        var sets = policy?.TypeCase switch
        {
            ApplicationPolicy.TypeOneofCase.SignaturePolicy => Signature(policy.SignaturePolicy),
            ApplicationPolicy.TypeOneofCase.ChannelConfigPolicyReference => Reference(policy.ChannelConfigPolicyReference, config),
            _ => Reference(DefaultPolicyReference, config),
        };
        return [.. sets
            .OrderBy(set => set.Contains(ownMspId) ? 0 : 1)
            .ThenBy(set => set.Count)
            .ThenBy(set => string.Join(",", set.Order(StringComparer.Ordinal)), StringComparer.Ordinal)];
    }

    /// <summary>
    /// The minimal organisation sets that meet every requirement at once, each requirement given as its alternative
    /// sets (as <see cref="Layouts"/> returns them); no requirements need no organisation.
    /// </summary>
    public static IReadOnlyList<IReadOnlySet<string>> Combine(IEnumerable<IReadOnlyList<IReadOnlySet<string>>> requirements)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        var product = new List<HashSet<string>> { new(StringComparer.Ordinal) };
        foreach (var requirement in requirements)
        {
            product = [.. product.SelectMany(partial => requirement.Select(option => new HashSet<string>(partial.Concat(option), StringComparer.Ordinal))).Take(MaxLayouts * 4)];
        }
        return Minimal(product);
    }

    private static List<HashSet<string>> Reference(string path, ChannelConfig config)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts is ["Channel", "Application", var name] && config.Application is { } application)
        {
            return application.Policies.TryGetValue(name, out var policy) ? Compile(policy, config, organization: null) : [];
        }
        if (parts is ["Channel", "Application", var orgName, var orgPolicy] && config.Application is { } app)
        {
            var org = app.Organizations.FirstOrDefault(o => (string.IsNullOrEmpty(o.Name) ? o.MspId : o.Name) == orgName);
            return org is not null && org.Policies.TryGetValue(orgPolicy, out var policy) ? Compile(policy, config, org) : [];
        }
        return [];
    }

    private static List<HashSet<string>> Compile(Policy policy, ChannelConfig config, Organization? organization)
    {
        try
        {
            switch ((Policy.Types.PolicyType)policy.Type)
            {
                case Policy.Types.PolicyType.Signature:
                    return Signature(SignaturePolicyEnvelope.Parser.ParseFrom(policy.Value));
                case Policy.Types.PolicyType.ImplicitMeta when organization is null:
                    var meta = ImplicitMetaPolicy.Parser.ParseFrom(policy.Value);
                    var subs = (config.Application?.Organizations ?? [])
                        .Select(org => org.Policies.TryGetValue(meta.SubPolicy, out var sub) ? Compile(sub, config, org) : [])
                        .ToList();
                    var required = meta.Rule switch
                    {
                        ImplicitMetaPolicy.Types.Rule.Any => Math.Min(1, subs.Count),
                        ImplicitMetaPolicy.Types.Rule.All => subs.Count,
                        _ => subs.Count / 2 + 1,
                    };
                    return NOutOf(required, subs);
                default:
                    return [];
            }
        }
        catch (InvalidProtocolBufferException)
        {
            return [];
        }
    }

    private static List<HashSet<string>> Signature(SignaturePolicyEnvelope envelope)
    {
        var principals = envelope.Identities.Select(PeerOrganization).ToList();
        return Rule(envelope.Rule, principals);
    }

    private static List<HashSet<string>> Rule(SignaturePolicy? rule, IReadOnlyList<string?> principals)
    {
        switch (rule?.TypeCase)
        {
            case SignaturePolicy.TypeOneofCase.SignedBy:
                var index = rule.SignedBy;
                return index >= 0 && index < principals.Count && principals[index] is { } org ? [[org]] : [];
            case SignaturePolicy.TypeOneofCase.NOutOf:
                return NOutOf(rule.NOutOf.N, [.. rule.NOutOf.Rules.Select(r => Rule(r, principals))]);
            default:
                return [];
        }
    }

    /// <summary>The organisation whose peer satisfies the principal, or null when no peer does.</summary>
    private static string? PeerOrganization(MSPPrincipal principal)
    {
        try
        {
            switch (principal.PrincipalClassification)
            {
                case MSPPrincipal.Types.Classification.Role:
                    var role = MSPRole.Parser.ParseFrom(principal.Principal);
                    return role.Role is MSPRole.Types.MSPRoleType.Member or MSPRole.Types.MSPRoleType.Peer ? role.MspIdentifier : null;
                case MSPPrincipal.Types.Classification.OrganizationUnit:
                    return OrganizationUnit.Parser.ParseFrom(principal.Principal).MspIdentifier;
                case MSPPrincipal.Types.Classification.Identity:
                    return SerializedIdentity.Parser.ParseFrom(principal.Principal).Mspid;
                default:
                    return null;
            }
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>Sets satisfying n of the alternatives: unions over every choice of n, minimal ones kept.</summary>
    private static List<HashSet<string>> NOutOf(int n, List<List<HashSet<string>>> alternatives)
    {
        if (n <= 0)
        {
            return [[]];
        }
        var result = new List<HashSet<string>>();
        foreach (var choice in Choose(alternatives.Count, n))
        {
            var product = new List<HashSet<string>> { new(StringComparer.Ordinal) };
            foreach (var i in choice)
            {
                product = [.. product.SelectMany(partial => alternatives[i].Select(option => new HashSet<string>(partial.Concat(option), StringComparer.Ordinal))).Take(MaxLayouts)];
            }
            result.AddRange(product);
            if (result.Count > MaxLayouts * 4)
            {
                break;
            }
        }
        return Minimal(result);
    }

    private static IEnumerable<int[]> Choose(int count, int n)
    {
        if (n > count)
        {
            yield break;
        }
        var indices = Enumerable.Range(0, n).ToArray();
        while (true)
        {
            yield return [.. indices];
            var i = n - 1;
            while (i >= 0 && indices[i] == count - n + i)
            {
                i--;
            }
            if (i < 0)
            {
                yield break;
            }
            indices[i]++;
            for (var j = i + 1; j < n; j++)
            {
                indices[j] = indices[j - 1] + 1;
            }
        }
    }

    private static List<HashSet<string>> Minimal(List<HashSet<string>> sets)
    {
        var distinct = sets.OrderBy(s => s.Count).ToList();
        var kept = new List<HashSet<string>>();
        foreach (var set in distinct)
        {
            if (!kept.Any(k => k.IsSubsetOf(set)))
            {
                kept.Add(set);
            }
            if (kept.Count >= MaxLayouts)
            {
                break;
            }
        }
        return kept;
    }
}
