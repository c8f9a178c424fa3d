using ZonCoin.Core.Identity;
using ZonCoin.Core.Policies;
using ZonCoin.Orderer.BlockCutting;
using ZonCoin.Protos.Config;

namespace ZonCoin.Orderer.Channels;

/// <summary>
/// One channel configuration in force, compiled: its MSPs, its policy tree and its batch settings. Immutable;
/// a config block replaces the whole state at once, so a message is always judged against one consistent
/// configuration identified by <see cref="Sequence"/>.
/// </summary>
internal sealed class ChannelState
{
    private ChannelState(ChannelConfig config, MspManager msps, ChannelPolicies policies, BatchSettings batch)
    {
        Config = config;
        Msps = msps;
        Policies = policies;
        Batch = batch;
    }

    public string ChannelId => Config.ChannelId;

    /// <summary>The configuration sequence: 0 for the genesis config, bumped by every config update.</summary>
    public ulong Sequence => Config.Sequence;

    public ChannelConfig Config { get; }

    public MspManager Msps { get; }

    public ChannelPolicies Policies { get; }

    public BatchSettings Batch { get; }

    public string ConsensusType => Config.Orderer.ConsensusType;

    /// <summary>
    /// Compiles a configuration. Throws <see cref="ChannelConfigException"/> naming what is wrong: a missing
    /// orderer section, a bad channel id, batch sizes that contradict each other, an MSP that does not load, or
    /// a policy that does not compile.
    /// </summary>
    public static ChannelState Create(ChannelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        try
        {
            Core.Config.ChannelConfigBuilder.ValidateChannelId(config.ChannelId);
        }
        catch (ArgumentException ex)
        {
            throw new ChannelConfigException(ex.Message);
        }
        if (config.Orderer is null)
        {
            throw new ChannelConfigException($"channel '{config.ChannelId}' has no orderer section");
        }
        var batch = BatchSettings.From(config.Orderer);
        MspManager msps;
        try
        {
            msps = new MspManager(Organizations(config)
                .GroupBy(org => org.MspId, StringComparer.Ordinal)
                .Select(group => Msp.Create(group.First().Msp)));
        }
        catch (Exception ex) when (ex is MspConfigurationException or IdentityException or ArgumentException)
        {
            throw new ChannelConfigException($"channel '{config.ChannelId}': an MSP does not load: {ex.Message}");
        }
        ChannelPolicies policies;
        try
        {
            policies = ChannelPolicies.Create(config, msps);
        }
        catch (Exception ex) when (ex is PolicyException or Google.Protobuf.InvalidProtocolBufferException)
        {
            throw new ChannelConfigException($"channel '{config.ChannelId}': {ex.Message}");
        }
        return new ChannelState(config, msps, policies, batch);
    }

    private static IEnumerable<Organization> Organizations(ChannelConfig config)
    {
        var application = config.Application?.Organizations ?? [];
        return application.Concat(config.Orderer.Organizations);
    }
}
