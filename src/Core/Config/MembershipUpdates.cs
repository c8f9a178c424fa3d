using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;

namespace ZonCoin.Core.Config;

/// <summary>Whether a membership update adds or removes an application organisation.</summary>
public enum MembershipChange
{
    Add,
    Remove,
}

/// <summary>What a membership config update does: the organisation (MSP ID and group name) it adds or removes.</summary>
public sealed record MembershipUpdate(MembershipChange Change, string MspId, string OrganizationName);

/// <summary>
/// Channel configurations that add or remove one application organisation, and the check that a proposed configuration
/// does exactly that and nothing else. Adding or removing a member is governed by <see cref="ModificationPolicy"/>
/// (<c>/Channel/Application/Admins</c>, by default a MAJORITY of the member organisations' admins), which is what the
/// orderer checks the signatures of such an update against.
/// </summary>
public static class MembershipUpdates
{
    public const string ModificationPolicy = "/Channel/Application/Admins";

    /// <summary>The next configuration with <paramref name="organization"/> as a new member (default policies).</summary>
    public static ChannelConfig AddOrganization(ChannelConfig current, OrganizationDefinition organization)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(organization);
        var application = current.Application ?? throw new ArgumentException($"channel '{current.ChannelId}' has no application section", nameof(current));
        if (string.IsNullOrWhiteSpace(organization.Name) || organization.Name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"organisation name '{organization.Name}' is invalid: it names the org's policy group and must be non-empty without '/'", nameof(organization));
        }
        if (organization.Msp.Name != organization.MspId)
        {
            throw new ArgumentException($"the MSP definition is for '{organization.Msp.Name}', not '{organization.MspId}'", nameof(organization));
        }
        var everyOrg = application.Organizations.Concat(current.Orderer?.Organizations ?? []).ToList();
        if (everyOrg.Any(o => o.MspId == organization.MspId))
        {
            throw new ArgumentException($"{organization.MspId} is already an organisation of channel '{current.ChannelId}'", nameof(organization));
        }
        if (application.Organizations.Any(o => GroupName(o) == organization.Name))
        {
            throw new ArgumentException($"channel '{current.ChannelId}' already has an organisation named '{organization.Name}'", nameof(organization));
        }
        var next = current.Clone();
        next.Application.Organizations.Add(ChannelConfigBuilder.ApplicationOrganization(organization));
        return next;
    }

    /// <summary>The next configuration without the member <paramref name="mspId"/>.</summary>
    public static ChannelConfig RemoveOrganization(ChannelConfig current, string mspId)
    {
        ArgumentNullException.ThrowIfNull(current);
        var application = current.Application ?? throw new ArgumentException($"channel '{current.ChannelId}' has no application section", nameof(current));
        var index = application.Organizations.ToList().FindIndex(o => o.MspId == mspId);
        if (index < 0)
        {
            throw new ArgumentException($"{mspId} is not a member of channel '{current.ChannelId}' (members: {string.Join(", ", application.Organizations.Select(o => o.MspId))})", nameof(mspId));
        }
        if (application.Organizations.Count == 1)
        {
            throw new ArgumentException($"{mspId} is the last member of channel '{current.ChannelId}' and cannot be removed", nameof(mspId));
        }
        var next = current.Clone();
        next.Application.Organizations.RemoveAt(index);
        return next;
    }

    /// <summary>
    /// Checks that <paramref name="proposed"/> differs from <paramref name="current"/> only by one application
    /// organisation added or removed (the sequence aside) and says which; throws <see cref="ArgumentException"/> otherwise.
    /// </summary>
    public static MembershipUpdate Classify(ChannelConfig current, ChannelConfig proposed)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(proposed);
        if (current.Application is null || proposed.Application is null)
        {
            throw new ArgumentException("a membership update needs an application section in both configurations");
        }
        var before = current.Clone();
        var after = proposed.Clone();
        before.Application.Organizations.Clear();
        after.Application.Organizations.Clear();
        after.Sequence = before.Sequence;
        if (!before.Equals(after))
        {
            throw new ArgumentException("the update changes more than the application organisations; only adding or removing one organisation is allowed");
        }
        var oldOrgs = current.Application.Organizations.ToDictionary(o => o.MspId, StringComparer.Ordinal);
        var newOrgs = proposed.Application.Organizations.ToDictionary(o => o.MspId, StringComparer.Ordinal);
        var added = newOrgs.Values.Where(o => !oldOrgs.ContainsKey(o.MspId)).ToList();
        var removed = oldOrgs.Values.Where(o => !newOrgs.ContainsKey(o.MspId)).ToList();
        foreach (var (mspId, organization) in oldOrgs)
        {
            if (newOrgs.TryGetValue(mspId, out var kept) && !kept.Equals(organization))
            {
                throw new ArgumentException($"the update changes the definition of member {mspId}; only adding or removing one organisation is allowed");
            }
        }
        return (added.Count, removed.Count) switch
        {
            (1, 0) => new MembershipUpdate(MembershipChange.Add, added[0].MspId, GroupName(added[0])),
            (0, 1) => new MembershipUpdate(MembershipChange.Remove, removed[0].MspId, GroupName(removed[0])),
            _ => throw new ArgumentException($"the update adds {added.Count} and removes {removed.Count} organisations; exactly one must be added or removed"),
        };
    }

    /// <summary>
    /// How many member organisations' admins <see cref="ModificationPolicy"/> needs when it is an implicit-meta policy
    /// over the members' Admins (ANY: 1, ALL: every member, MAJORITY: more than half); null for any other policy.
    /// </summary>
    public static int? AdminsThreshold(ChannelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Application is not { } application || !application.Policies.TryGetValue(ChannelConfigBuilder.Admins, out var policy)
            || policy.Type != (int)Policy.Types.PolicyType.ImplicitMeta)
        {
            return null;
        }
        ImplicitMetaPolicy meta;
        try
        {
            meta = ImplicitMetaPolicy.Parser.ParseFrom(policy.Value);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }
        if (meta.SubPolicy != ChannelConfigBuilder.Admins)
        {
            return null;
        }
        var members = application.Organizations.Count;
        return meta.Rule switch
        {
            ImplicitMetaPolicy.Types.Rule.Any => 1,
            ImplicitMetaPolicy.Types.Rule.All => members,
            ImplicitMetaPolicy.Types.Rule.Majority => (members / 2) + 1,
            _ => null,
        };
    }

    /// <summary>The organisation's policy group name: its name, or its MSP ID when unnamed.</summary>
    public static string GroupName(Organization organization)
    {
        ArgumentNullException.ThrowIfNull(organization);
        return string.IsNullOrEmpty(organization.Name) ? organization.MspId : organization.Name;
    }
}
