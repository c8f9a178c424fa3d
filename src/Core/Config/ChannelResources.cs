using ZonCoin.Core.Identity;
using ZonCoin.Core.Policies;
using ZonCoin.Protos.Config;

namespace ZonCoin.Core.Config;

/// <summary>
/// A channel configuration in force on a node (peer or gateway), compiled: its MSPs and policy tree. Immutable; a config
/// block replaces it as a whole.
/// </summary>
public sealed class ChannelResources
{
    private ChannelResources(ChannelConfig config, MspManager msps, ChannelPolicies policies)
    {
        Config = config;
        Msps = msps;
        Policies = policies;
    }

    public string ChannelId => Config.ChannelId;

    public ulong Sequence => Config.Sequence;

    public ChannelConfig Config { get; }

    public MspManager Msps { get; }

    public ChannelPolicies Policies { get; }

    /// <summary>The TLS root and intermediate CA certificates (PEM) of every organisation, application and orderer, each once.</summary>
    public IReadOnlyList<string> TlsCertificateAuthorities =>
        [.. (Config.Application?.Organizations ?? []).Concat(Config.Orderer?.Organizations ?? [])
            .SelectMany(org => org.Msp.TlsRootCerts.Concat(org.Msp.TlsIntermediateCerts))
            .Select(pem => pem.ToStringUtf8())
            .Distinct(StringComparer.Ordinal)];

    /// <summary>The application organisations' MSP IDs.</summary>
    public IReadOnlyList<string> ApplicationMspIds => [.. (Config.Application?.Organizations ?? []).Select(org => org.MspId)];

    /// <summary>Compiles a configuration; throws <see cref="InvalidOperationException"/> naming what is wrong.</summary>
    public static ChannelResources Create(ChannelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        try
        {
            var organizations = (config.Application?.Organizations ?? []).Concat(config.Orderer?.Organizations ?? []);
            var msps = new MspManager(organizations.GroupBy(org => org.MspId, StringComparer.Ordinal).Select(group => Msp.Create(group.First().Msp)));
            return new ChannelResources(config, msps, ChannelPolicies.Create(config, msps));
        }
        catch (Exception ex) when (ex is MspConfigurationException or IdentityException or PolicyException or ArgumentException or Google.Protobuf.InvalidProtocolBufferException)
        {
            throw new InvalidOperationException($"channel '{config.ChannelId}' configuration cannot be used: {ex.Message}", ex);
        }
    }
}
