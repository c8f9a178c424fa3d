using Google.Protobuf;
using Google.Protobuf.Collections;
using ZonCoin.Protos.Config;

namespace ZonCoin.Orderer.MsgProcessor;

/// <summary>
/// Which modification policies a config change needs, following Fabric's mod_policy defaults for the parts of
/// our typed config: an organisation's own definition is changed by that org's admins
/// (<c>/Channel/Application/&lt;Org&gt;/Admins</c>); adding or removing an org, or changing a section's policies
/// or ACLs, by the section's admins (<c>/Channel/Application/Admins</c>, by default a MAJORITY of the member
/// orgs' admins); the orderer's batch and consensus settings by <c>/Channel/Orderer/Admins</c>; channel-level
/// policies, capabilities and adding or removing a whole section by <c>/Channel/Admins</c>.
/// </summary>
internal static class ConfigDiff
{
    /// <summary>The policy paths that must all be satisfied, sorted; empty when nothing changed.</summary>
    public static IReadOnlyList<string> RequiredPolicies(ChannelConfig current, ChannelConfig next)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        var required = new SortedSet<string>(StringComparer.Ordinal);
        if (!MapEquals(current.Policies, next.Policies) || !current.Capabilities.SequenceEqual(next.Capabilities))
        {
            required.Add("/Channel/Admins");
        }
        if ((current.Application is null) != (next.Application is null) || (current.Orderer is null) != (next.Orderer is null))
        {
            required.Add("/Channel/Admins");
        }
        if (current.Application is { } application && next.Application is { } nextApplication)
        {
            const string section = "/Channel/Application";
            if (!MapEquals(application.Policies, nextApplication.Policies) || !MapEquals(application.Acls, nextApplication.Acls))
            {
                required.Add($"{section}/Admins");
            }
            CompareOrganizations(section, application.Organizations, nextApplication.Organizations, required);
        }
        if (current.Orderer is { } orderer && next.Orderer is { } nextOrderer)
        {
            const string section = "/Channel/Orderer";
            if (!MapEquals(orderer.Policies, nextOrderer.Policies)
                || orderer.ConsensusType != nextOrderer.ConsensusType
                || !Equals(orderer.BatchSize, nextOrderer.BatchSize)
                || !Equals(orderer.BatchTimeout, nextOrderer.BatchTimeout)
                || !Equals(orderer.Kafka, nextOrderer.Kafka))
            {
                required.Add($"{section}/Admins");
            }
            CompareOrganizations(section, orderer.Organizations, nextOrderer.Organizations, required);
        }
        return [.. required];
    }

    private static void CompareOrganizations(string section, RepeatedField<Organization> current, RepeatedField<Organization> next, SortedSet<string> required)
    {
        var before = ByName(current);
        var after = ByName(next);
        if (before is null || after is null || !before.Keys.ToHashSet().SetEquals(after.Keys))
        {
            required.Add($"{section}/Admins");
            return;
        }
        foreach (var (name, organization) in before)
        {
            if (!organization.Equals(after[name]))
            {
                required.Add($"{section}/{name}/Admins");
            }
        }
    }

    /// <summary>Organisations by group name (MSP ID when unnamed); null when two share a name.</summary>
    private static Dictionary<string, Organization>? ByName(RepeatedField<Organization> organizations)
    {
        var byName = new Dictionary<string, Organization>(StringComparer.Ordinal);
        foreach (var organization in organizations)
        {
            var name = string.IsNullOrEmpty(organization.Name) ? organization.MspId : organization.Name;
            if (!byName.TryAdd(name, organization))
            {
                return null;
            }
        }
        return byName;
    }

    private static bool MapEquals<TValue>(MapField<string, TValue> left, MapField<string, TValue> right) => left.Equals(right);

    private static bool Equals(IMessage? left, IMessage? right) => left is null ? right is null : left.Equals(right);
}
