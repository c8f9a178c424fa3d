namespace ZonCoin.Core.Crypto;

/// <summary>What a certificate issued by a <see cref="CertificateAuthority"/> says about its holder.</summary>
public sealed record CertificateSpec
{
    public required string CommonName { get; init; }

    public string? Organization { get; init; }

    /// <summary>Subject OU values; node OUs (client, peer, admin, orderer) go here.</summary>
    public IReadOnlyList<string> OrganizationalUnits { get; init; } = [];

    public IReadOnlyList<string> DnsNames { get; init; } = [];

    public IReadOnlyList<string> IpAddresses { get; init; } = [];

    /// <summary>Adds serverAuth and clientAuth extended key usages, for TLS certificates.</summary>
    public bool ForTls { get; init; }

    /// <summary>
    /// Attributes in Fabric CA's form (extension 1.2.3.4.5.6.7.8.1 holding <c>{"attrs":{...}}</c>),
    /// e.g. <c>role=minter</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();

    public DateTimeOffset? NotBefore { get; init; }

    public DateTimeOffset? NotAfter { get; init; }
}
