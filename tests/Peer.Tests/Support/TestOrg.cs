using System.Collections.Concurrent;
using ZonCoin.Core.Config;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Msp;

namespace ZonCoin.Peer.Tests.Support;

/// <summary>A real organisation: a root CA (valid from 30 days ago), its node-OU MSP config and identities by role.</summary>
internal sealed class TestOrg : IDisposable
{
    private readonly ConcurrentDictionary<string, SigningIdentity> _identities = new(StringComparer.Ordinal);

    public TestOrg(string name, string mspId)
    {
        Name = name;
        MspId = mspId;
        Ca = CertificateAuthority.CreateRoot($"ca.{name.ToLowerInvariant()}", mspId, notBefore: DateTimeOffset.UtcNow.AddDays(-30));
        MspConfig = MspConfigs.Create(mspId, [Ca.Certificate]);
    }

    public string Name { get; }

    public string MspId { get; }

    public CertificateAuthority Ca { get; }

    public FabricMSPConfig MspConfig { get; }

    /// <summary>The channel-config definition of this org; orderer orgs get an orderer endpoint.</summary>
    public OrganizationDefinition Definition(bool orderer = false, IReadOnlyList<string>? peerEndpoints = null) => new(Name, MspId, MspConfig)
    {
        OrdererEndpoints = orderer ? [$"orderer.{Name.ToLowerInvariant()}:7050"] : [],
        PeerEndpoints = peerEndpoints ?? (orderer ? [] : [$"peer0.{Name.ToLowerInvariant()}:7051"]),
    };

    public SigningIdentity Client => Identity(MspConfigs.ClientOu);

    public SigningIdentity Peer => Identity(MspConfigs.PeerOu);

    public SigningIdentity Admin => Identity(MspConfigs.AdminOu);

    public SigningIdentity Orderer => Identity(MspConfigs.OrdererOu);

    /// <summary>One identity per role, issued on first use.</summary>
    public SigningIdentity Identity(string role) => _identities.GetOrAdd(role, r => Issue(new CertificateSpec
    {
        CommonName = $"{r}.{Name.ToLowerInvariant()}",
        Organization = MspId,
        OrganizationalUnits = [r],
    }));

    /// <summary>A fresh identity from <paramref name="spec"/> (e.g. with a validity period in the past).</summary>
    public SigningIdentity Issue(CertificateSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var issued = Ca.Issue(spec);
        return new SigningIdentity(MspId, MspIdentity.Serialize(MspId, issued.Certificate), new EcdsaSigner(issued.Key));
    }

    public void Dispose() => Ca.Dispose();
}
