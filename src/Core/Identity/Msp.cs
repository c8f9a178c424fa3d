using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Google.Protobuf;
using ZonCoin.Core.Crypto;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Msp;

namespace ZonCoin.Core.Identity;

/// <summary>
/// One organisation's membership service provider, built from its <c>FabricMSPConfig</c>: validates
/// certificates against the org's root and intermediate CAs and CRLs, classifies them by node OU and
/// decides whether an identity satisfies an MSP principal.
/// </summary>
public sealed class Msp
{
    private readonly X509Certificate2[] _roots;
    private readonly X509Certificate2[] _intermediates;
    private readonly X509Certificate2[] _admins;
    private readonly RevocationList[] _crls;
    private readonly Dictionary<NodeRole, string> _nodeOus = [];
    private readonly (string Unit, X509Certificate2? Certifier)[] _requiredUnits;

    // Chain, CRL and OU checks do not depend on the time of use: remember their outcome per certificate.
    private const int ValidationCacheLimit = 4096;
    private readonly ConcurrentDictionary<string, IdentityException?> _validated = new(StringComparer.Ordinal);

    private Msp(FabricMSPConfig config)
    {
        Config = config;
        MspId = config.Name;
        _roots = ReadCertificates(config.RootCerts, "root certificate");
        _intermediates = ReadCertificates(config.IntermediateCerts, "intermediate certificate");
        _admins = ReadCertificates(config.Admins, "admin certificate");
        _crls = [.. config.RevocationList.Select(crl => RevocationList.Parse(crl.ToByteArray()))];
        _requiredUnits = [.. config.OrganizationalUnitIdentifiers.Select(ou =>
            (ou.OrganizationalUnitIdentifier, ou.Certificate.IsEmpty ? null : ReadCertificate(ou.Certificate, "OU certificate")))];
        var nodeOus = config.FabricNodeOus;
        if (nodeOus is { Enable: true })
        {
            AddNodeOu(NodeRole.Client, nodeOus.ClientOuIdentifier);
            AddNodeOu(NodeRole.Peer, nodeOus.PeerOuIdentifier);
            AddNodeOu(NodeRole.Admin, nodeOus.AdminOuIdentifier);
            AddNodeOu(NodeRole.Orderer, nodeOus.OrdererOuIdentifier);
        }
    }

    public string MspId { get; }

    public FabricMSPConfig Config { get; }

    public bool NodeOusEnabled => _nodeOus.Count > 0;

    /// <summary>Builds an MSP from its definition; throws <see cref="MspConfigurationException"/> when it is unusable.</summary>
    public static Msp Create(FabricMSPConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (string.IsNullOrWhiteSpace(config.Name))
        {
            throw new MspConfigurationException("MSP definition has no name (MSP ID)");
        }
        if (config.RootCerts.Count == 0)
        {
            throw new MspConfigurationException($"MSP '{config.Name}' has no root certificates");
        }
        try
        {
            return new Msp(config);
        }
        catch (CryptoException ex)
        {
            throw new MspConfigurationException($"MSP '{config.Name}': {ex.Message}", ex);
        }
    }

    /// <summary>Parses serialized identity bytes and checks that they name this MSP (no validation).</summary>
    public MspIdentity Deserialize(ReadOnlySpan<byte> serializedIdentity)
    {
        var identity = MspIdentity.Parse(serializedIdentity);
        if (identity.MspId != MspId)
        {
            throw new IdentityException(IdentityError.UnknownMsp, identity.MspId,
                $"identity belongs to MSP '{identity.MspId}', expected '{MspId}'");
        }
        return identity;
    }

    /// <summary>
    /// Validates an identity: its certificate is not a CA, chains to a root of this MSP (through its
    /// intermediates), is not revoked, carries the required OUs and exactly one node OU when node OUs are
    /// enabled. When <paramref name="now"/> is given the certificate must also be within its validity period
    /// (Fabric's MSP itself checks the chain at NotBefore+1s and leaves expiry to its callers).
    /// </summary>
    public void Validate(MspIdentity identity, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (identity.MspId != MspId)
        {
            throw Fail(IdentityError.UnknownMsp, $"identity belongs to MSP '{identity.MspId}', expected '{MspId}'");
        }
        var certificate = identity.Certificate;
        if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(bc => bc.CertificateAuthority))
        {
            throw Fail(IdentityError.CertificateIsCa, $"certificate '{certificate.Subject}' is a CA certificate and cannot be used as an identity");
        }
        if (now is { } at)
        {
            if (at < certificate.NotBefore.ToUniversalTime())
            {
                throw Fail(IdentityError.NotYetValid, $"certificate '{certificate.Subject}' is not valid before {certificate.NotBefore.ToUniversalTime():O}");
            }
            if (at > certificate.NotAfter.ToUniversalTime())
            {
                throw Fail(IdentityError.Expired, $"certificate '{certificate.Subject}' expired at {certificate.NotAfter.ToUniversalTime():O}");
            }
        }
        if (!_validated.TryGetValue(identity.Id, out var failure))
        {
            failure = CheckMembership(identity);
            if (_validated.Count >= ValidationCacheLimit)
            {
                _validated.Clear();
            }
            _validated[identity.Id] = failure;
        }
        if (failure is not null)
        {
            throw new IdentityException(failure.Error, MspId, failure.Message, failure);
        }
    }

    private IdentityException? CheckMembership(MspIdentity identity)
    {
        try
        {
            var chain = BuildChain(identity.Certificate);
            CheckRevocation(chain);
            CheckOrganizationalUnits(identity, chain);
            if (NodeOusEnabled)
            {
                var roles = _nodeOus.Where(pair => identity.OrganizationalUnits.Contains(pair.Value)).Select(pair => pair.Key).ToList();
                if (roles.Count != 1)
                {
                    throw Fail(IdentityError.NodeOuMismatch,
                        $"certificate '{identity.Certificate.Subject}' must carry exactly one of the node OUs [{string.Join(", ", _nodeOus.Values)}], found {roles.Count}");
                }
            }
            return null;
        }
        catch (IdentityException ex)
        {
            return ex;
        }
    }

    /// <summary>True when the identity validates; the reason is discarded.</summary>
    public bool IsValid(MspIdentity identity, DateTimeOffset? now = null)
    {
        try
        {
            Validate(identity, now);
            return true;
        }
        catch (IdentityException)
        {
            return false;
        }
    }

    /// <summary>The node OU the identity carries (it must already be valid).</summary>
    public NodeRole RoleOf(MspIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        foreach (var (role, unit) in _nodeOus)
        {
            if (identity.OrganizationalUnits.Contains(unit))
            {
                return role;
            }
        }
        return NodeRole.None;
    }

    /// <summary>Admin: listed in the MSP's admins, or carrying the admin node OU.</summary>
    public bool IsAdmin(MspIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return _admins.Any(admin => admin.RawData.AsSpan().SequenceEqual(identity.Certificate.RawData))
            || (NodeOusEnabled && RoleOf(identity) == NodeRole.Admin);
    }

    /// <summary>
    /// Fabric's principal check: ROLE (member, admin, client, peer, orderer), IDENTITY, ORGANIZATION_UNIT and
    /// COMBINED. The principal's MSP ID must be this MSP's; the identity must validate.
    /// </summary>
    public bool SatisfiesPrincipal(MspIdentity identity, MSPPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(principal);
        try
        {
            switch (principal.PrincipalClassification)
            {
                case MSPPrincipal.Types.Classification.Role:
                    var role = MSPRole.Parser.ParseFrom(principal.Principal);
                    if (role.MspIdentifier != MspId || !IsValid(identity))
                    {
                        return false;
                    }
                    return role.Role switch
                    {
                        MSPRole.Types.MSPRoleType.Member => true,
                        MSPRole.Types.MSPRoleType.Admin => IsAdmin(identity),
                        MSPRole.Types.MSPRoleType.Client => RoleOf(identity) == NodeRole.Client,
                        MSPRole.Types.MSPRoleType.Peer => RoleOf(identity) == NodeRole.Peer,
                        MSPRole.Types.MSPRoleType.Orderer => RoleOf(identity) == NodeRole.Orderer,
                        _ => false,
                    };
                case MSPPrincipal.Types.Classification.Identity:
                    var other = MspIdentity.Parse(principal.Principal.Span);
                    return other.MspId == MspId
                        && other.Certificate.RawData.AsSpan().SequenceEqual(identity.Certificate.RawData)
                        && IsValid(identity);
                case MSPPrincipal.Types.Classification.OrganizationUnit:
                    var unit = OrganizationUnit.Parser.ParseFrom(principal.Principal);
                    if (unit.MspIdentifier != MspId || !IsValid(identity)
                        || !identity.OrganizationalUnits.Contains(unit.OrganizationalUnitIdentifier))
                    {
                        return false;
                    }
                    return unit.CertifiersIdentifier.IsEmpty
                        || unit.CertifiersIdentifier.Span.SequenceEqual(CertifiersIdentifier(BuildChain(identity.Certificate)));
                case MSPPrincipal.Types.Classification.Combined:
                    var combined = CombinedPrincipal.Parser.ParseFrom(principal.Principal);
                    return combined.Principals.Count > 0 && combined.Principals.All(p => SatisfiesPrincipal(identity, p));
                default:
                    return false;
            }
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or IdentityException)
        {
            return false;
        }
    }

    /// <summary>Hex-free identifier of a certification chain: SHA-256 over the DER of every CA above the leaf.</summary>
    public static byte[] CertifiersIdentifier(IReadOnlyList<X509Certificate2> chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        return Hashing.Sha256Concat([.. chain.Skip(1).Select(c => c.RawData)]);
    }

    /// <summary>The chain leaf → root for a certificate, or <see cref="IdentityException"/> if it does not chain here.</summary>
    public IReadOnlyList<X509Certificate2> BuildChain(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.ExtraStore.AddRange(_intermediates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = certificate.NotBefore.AddSeconds(1);
        if (!chain.Build(certificate))
        {
            var reasons = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            throw Fail(IdentityError.UntrustedCertificate,
                $"certificate '{certificate.Subject}' issued by '{certificate.Issuer}' does not chain to a root CA of MSP '{MspId}'"
                + (reasons.Length > 0 ? $": {reasons}" : ""));
        }
        return [.. chain.ChainElements.Select(e => e.Certificate)];
    }

    private void CheckRevocation(IReadOnlyList<X509Certificate2> chain)
    {
        for (var i = 0; i < chain.Count - 1; i++)
        {
            var issuer = chain[i + 1];
            foreach (var crl in _crls)
            {
                if (crl.IsIssuedBy(issuer) && crl.Revokes(chain[i]))
                {
                    throw Fail(IdentityError.Revoked, $"certificate '{chain[i].Subject}' (serial {chain[i].SerialNumber}) is revoked by '{issuer.Subject}'");
                }
            }
        }
    }

    private void CheckOrganizationalUnits(MspIdentity identity, IReadOnlyList<X509Certificate2> chain)
    {
        if (_requiredUnits.Length == 0)
        {
            return;
        }
        foreach (var (unit, certifier) in _requiredUnits)
        {
            if (identity.OrganizationalUnits.Contains(unit)
                && (certifier is null || chain.Skip(1).Any(c => c.RawData.AsSpan().SequenceEqual(certifier.RawData))))
            {
                return;
            }
        }
        throw Fail(IdentityError.OrganizationalUnitMismatch,
            $"certificate '{identity.Certificate.Subject}' carries none of the organizational units MSP '{MspId}' requires");
    }

    private void AddNodeOu(NodeRole role, FabricOUIdentifier? identifier)
    {
        if (identifier is not null && !string.IsNullOrEmpty(identifier.OrganizationalUnitIdentifier))
        {
            _nodeOus[role] = identifier.OrganizationalUnitIdentifier;
        }
    }

    private IdentityException Fail(IdentityError error, string message) => new(error, MspId, message);

    private static X509Certificate2[] ReadCertificates(IEnumerable<ByteString> pems, string what) =>
        [.. pems.Select(pem => ReadCertificate(pem, what))];

    private static X509Certificate2 ReadCertificate(ByteString pem, string what)
    {
        try
        {
            return X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(pem.Span));
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new CryptoException($"{what} is not a PEM X.509 certificate: {ex.Message}", ex);
        }
    }
}

/// <summary>An MSP definition that cannot be used (no name, no roots, unreadable certificates or CRLs).</summary>
public sealed class MspConfigurationException : Exception
{
    public MspConfigurationException(string message) : base(message) { }

    public MspConfigurationException(string message, Exception inner) : base(message, inner) { }
}
