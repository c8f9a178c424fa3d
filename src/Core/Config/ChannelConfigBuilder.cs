using Google.Protobuf.WellKnownTypes;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Policies;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;
using ZonCoin.Protos.Msp;

namespace ZonCoin.Core.Config;

/// <summary>An organisation as a channel configuration names it.</summary>
public sealed record OrganizationDefinition(string Name, string MspId, FabricMSPConfig Msp)
{
    public IReadOnlyList<string> PeerEndpoints { get; init; } = [];

    public IReadOnlyList<string> OrdererEndpoints { get; init; } = [];

    public IReadOnlyList<string> GatewayEndpoints { get; init; } = [];
}

/// <summary>How the channel is ordered and how blocks are cut.</summary>
public sealed record OrderingDefinition
{
    public string ConsensusType { get; init; } = "solo";

    public IReadOnlyList<string> KafkaBrokers { get; init; } = [];

    public TimeSpan BatchTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public uint MaxMessageCount { get; init; } = 500;

    public uint AbsoluteMaxBytes { get; init; } = 10 * 1024 * 1024;

    public uint PreferredMaxBytes { get; init; } = 2 * 1024 * 1024;
}

/// <summary>
/// Builds a channel's first configuration with Fabric's default policies (as configtx.yaml's sample profiles
/// define them): per org Readers/Writers/Admins/Endorsement signature policies; Application Readers and Writers
/// ANY, Admins, Endorsement and LifecycleEndorsement MAJORITY; Orderer Readers/Writers ANY, Admins MAJORITY,
/// BlockValidation ANY Writers; Channel Readers/Writers ANY, Admins MAJORITY.
/// </summary>
public static class ChannelConfigBuilder
{
    public const string Readers = "Readers";
    public const string Writers = "Writers";
    public const string Admins = "Admins";
    public const string Endorsement = "Endorsement";
    public const string LifecycleEndorsement = "LifecycleEndorsement";
    public const string BlockValidation = "BlockValidation";

    public static ChannelConfig Create(
        string channelId,
        IReadOnlyList<OrganizationDefinition> applicationOrgs,
        IReadOnlyList<OrganizationDefinition> ordererOrgs,
        OrderingDefinition ordering)
    {
        ArgumentNullException.ThrowIfNull(applicationOrgs);
        ArgumentNullException.ThrowIfNull(ordererOrgs);
        ArgumentNullException.ThrowIfNull(ordering);
        ValidateChannelId(channelId);
        if (applicationOrgs.Count == 0)
        {
            throw new ArgumentException($"channel '{channelId}' needs at least one member organization", nameof(applicationOrgs));
        }
        if (ordererOrgs.Count == 0 || ordererOrgs.All(o => o.OrdererEndpoints.Count == 0))
        {
            throw new ArgumentException($"channel '{channelId}' needs an orderer organization with at least one orderer endpoint", nameof(ordererOrgs));
        }
        if (ordering.ConsensusType is not ("solo" or "kafka"))
        {
            throw new ArgumentException($"consensus type must be solo or kafka, not '{ordering.ConsensusType}'", nameof(ordering));
        }
        if (ordering.MaxMessageCount == 0 || ordering.PreferredMaxBytes == 0 || ordering.AbsoluteMaxBytes < ordering.PreferredMaxBytes)
        {
            throw new ArgumentException("batch size needs MaxMessageCount > 0 and 0 < PreferredMaxBytes ≤ AbsoluteMaxBytes", nameof(ordering));
        }
        foreach (var org in applicationOrgs.Concat(ordererOrgs))
        {
            Msp.Create(org.Msp);
        }

        var application = new ApplicationConfig();
        application.Organizations.AddRange(applicationOrgs.Select(org => Organization(org, ordererOrg: false)));
        application.Policies.Add(Readers, PolicyDsl.ImplicitMeta("ANY Readers"));
        application.Policies.Add(Writers, PolicyDsl.ImplicitMeta("ANY Writers"));
        application.Policies.Add(Admins, PolicyDsl.ImplicitMeta("MAJORITY Admins"));
        application.Policies.Add(Endorsement, PolicyDsl.ImplicitMeta("MAJORITY Endorsement"));
        application.Policies.Add(LifecycleEndorsement, PolicyDsl.ImplicitMeta("MAJORITY Endorsement"));

        var orderer = new OrdererConfig
        {
            ConsensusType = ordering.ConsensusType,
            BatchSize = new BatchSize
            {
                MaxMessageCount = ordering.MaxMessageCount,
                AbsoluteMaxBytes = ordering.AbsoluteMaxBytes,
                PreferredMaxBytes = ordering.PreferredMaxBytes,
            },
            BatchTimeout = Duration.FromTimeSpan(ordering.BatchTimeout),
        };
        if (ordering.ConsensusType == "kafka")
        {
            orderer.Kafka = new KafkaBrokers();
            orderer.Kafka.Brokers.AddRange(ordering.KafkaBrokers);
        }
        orderer.Organizations.AddRange(ordererOrgs.Select(org => Organization(org, ordererOrg: true)));
        orderer.Policies.Add(Readers, PolicyDsl.ImplicitMeta("ANY Readers"));
        orderer.Policies.Add(Writers, PolicyDsl.ImplicitMeta("ANY Writers"));
        orderer.Policies.Add(Admins, PolicyDsl.ImplicitMeta("MAJORITY Admins"));
        orderer.Policies.Add(BlockValidation, PolicyDsl.ImplicitMeta("ANY Writers"));

        var config = new ChannelConfig { ChannelId = channelId, Sequence = 0, Application = application, Orderer = orderer };
        config.Capabilities.Add("V2_0");
        config.Policies.Add(Readers, PolicyDsl.ImplicitMeta("ANY Readers"));
        config.Policies.Add(Writers, PolicyDsl.ImplicitMeta("ANY Writers"));
        config.Policies.Add(Admins, PolicyDsl.ImplicitMeta("MAJORITY Admins"));
        return config;
    }

    /// <summary>Fabric's channel name rule: lowercase letters, digits, '.', '-'; starts with a letter; under 250 characters.</summary>
    public static void ValidateChannelId(string channelId)
    {
        if (string.IsNullOrEmpty(channelId) || channelId.Length >= 250 || !char.IsAsciiLetterLower(channelId[0])
            || !channelId.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-'))
        {
            throw new ArgumentException(
                $"channel name '{channelId}' is invalid: use lowercase letters, digits, '.' and '-', starting with a letter, fewer than 250 characters",
                nameof(channelId));
        }
    }

    /// <summary>A member organisation of the application section, with its default policies.</summary>
    public static Organization ApplicationOrganization(OrganizationDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Msp.Create(definition.Msp);
        return Organization(definition, ordererOrg: false);
    }

    private static Organization Organization(OrganizationDefinition definition, bool ordererOrg)
    {
        var org = new Organization { Name = definition.Name, MspId = definition.MspId, Msp = definition.Msp };
        org.PeerEndpoints.AddRange(definition.PeerEndpoints);
        org.OrdererEndpoints.AddRange(definition.OrdererEndpoints);
        org.GatewayEndpoints.AddRange(definition.GatewayEndpoints);
        var id = definition.MspId;
        if (ordererOrg)
        {
            org.Policies.Add(Readers, PolicyDsl.SignaturePolicy($"OR('{id}.member')"));
            org.Policies.Add(Writers, PolicyDsl.SignaturePolicy($"OR('{id}.member')"));
            org.Policies.Add(Admins, PolicyDsl.SignaturePolicy($"OR('{id}.admin')"));
        }
        else
        {
            org.Policies.Add(Readers, PolicyDsl.SignaturePolicy($"OR('{id}.admin', '{id}.peer', '{id}.client')"));
            org.Policies.Add(Writers, PolicyDsl.SignaturePolicy($"OR('{id}.admin', '{id}.client')"));
            org.Policies.Add(Admins, PolicyDsl.SignaturePolicy($"OR('{id}.admin')"));
            org.Policies.Add(Endorsement, PolicyDsl.SignaturePolicy($"OR('{id}.peer')"));
        }
        return org;
    }
}
