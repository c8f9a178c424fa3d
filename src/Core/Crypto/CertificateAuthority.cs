using System.Buffers;
using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace ZonCoin.Core.Crypto;

/// <summary>
/// An ECDSA P-256 certificate authority: issues intermediate CAs, node and user certificates and CRLs.
/// Used by <c>zoncoin crypto generate</c> and by tests that need real certificate chains.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    /// <summary>The extension Fabric CA uses to carry attributes such as <c>role</c>.</summary>
    public const string AttributesOid = "1.2.3.4.5.6.7.8.1";

    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(3650);

    private CertificateAuthority(X509Certificate2 certificate, ECDsa key)
    {
        Certificate = certificate;
        Key = key;
    }

    public X509Certificate2 Certificate { get; }

    public ECDsa Key { get; }

    /// <summary>Creates a self-signed root CA.</summary>
    public static CertificateAuthority CreateRoot(
        string commonName, string? organization = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = CaRequest(commonName, organization, key);
        var start = notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5);
        var certificate = request.CreateSelfSigned(start, notAfter ?? start + DefaultLifetime);
        return new CertificateAuthority(X509CertificateLoader.LoadCertificate(certificate.RawData), key);
    }

    /// <summary>Loads a CA from its PEM certificate and PEM private key.</summary>
    public static CertificateAuthority Load(string certificatePem, string privateKeyPem) =>
        new(Pem.ReadCertificate(certificatePem), Pem.ReadPrivateKey(privateKeyPem));

    /// <summary>Issues an intermediate CA signed by this one.</summary>
    public CertificateAuthority IssueIntermediate(string commonName, string? organization = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = CaRequest(commonName, organization, key);
        request.CertificateExtensions.Add(
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var (start, end) = Validity(null, null);
        using var issued = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(Key), start, end, NewSerial());
        return new CertificateAuthority(X509CertificateLoader.LoadCertificate(issued.RawData), key);
    }

    /// <summary>Issues an end-entity certificate with a fresh P-256 key.</summary>
    public IssuedCertificate Issue(CertificateSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject(spec.CommonName, spec.Organization, spec.OrganizationalUnits), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var usage = spec.ForTls
            ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment
            : X509KeyUsageFlags.DigitalSignature;
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        if (spec.ForTls)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        }
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (spec.DnsNames.Count > 0 || spec.IpAddresses.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var dns in spec.DnsNames)
            {
                san.AddDnsName(dns);
            }
            foreach (var ip in spec.IpAddresses)
            {
                san.AddIpAddress(IPAddress.Parse(ip));
            }
            request.CertificateExtensions.Add(san.Build());
        }
        if (spec.Attributes.Count > 0)
        {
            request.CertificateExtensions.Add(new X509Extension(AttributesOid, AttributesJson(spec.Attributes), false));
        }
        var (start, end) = Validity(spec.NotBefore, spec.NotAfter);
        using var issued = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(Key), start, end, NewSerial());
        return new IssuedCertificate(X509CertificateLoader.LoadCertificate(issued.RawData), key);
    }

    /// <summary>Issues a CRL (DER) revoking the given certificates.</summary>
    public byte[] IssueCrl(IEnumerable<X509Certificate2> revoked, BigInteger crlNumber, DateTimeOffset? nextUpdate = null)
    {
        ArgumentNullException.ThrowIfNull(revoked);
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked)
        {
            builder.AddEntry(certificate, DateTimeOffset.UtcNow.AddMinutes(-1));
        }
        var now = DateTimeOffset.UtcNow;
        var authorityKeyId = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false);
        return builder.Build(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(Key), crlNumber,
            nextUpdate ?? now.AddDays(30), HashAlgorithmName.SHA256, authorityKeyId, now.AddMinutes(-1));
    }

    public void Dispose()
    {
        Key.Dispose();
        Certificate.Dispose();
    }

    private static CertificateRequest CaRequest(string commonName, string? organization, ECDsa key)
    {
        var request = new CertificateRequest(Subject(commonName, organization, []), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    /// <summary>
    /// A subject encoded in the order Go's <c>pkix.Name</c> (and so Fabric's cryptogen and CA) writes it: C, O, OU, CN.
    /// Chaincode identities depend on it: fabric-shim's <c>getID()</c> lists the attributes in encoded order
    /// (<c>x509::/C=US/O=…/OU=client/CN=User1@…::…</c>). <see cref="X500DistinguishedNameBuilder.Build"/> encodes the
    /// attributes in the reverse of the order they were added, so they are added CN first.
    /// </summary>
    private static X500DistinguishedName Subject(string commonName, string? organization, IReadOnlyList<string> units)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(commonName);
        foreach (var unit in units.Reverse())
        {
            builder.AddOrganizationalUnitName(unit);
        }
        if (!string.IsNullOrEmpty(organization))
        {
            builder.AddOrganizationName(organization);
        }
        builder.AddCountryOrRegion("US");
        return builder.Build();
    }

    private (DateTimeOffset Start, DateTimeOffset End) Validity(DateTimeOffset? notBefore, DateTimeOffset? notAfter)
    {
        var start = notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5);
        var end = notAfter ?? start + DefaultLifetime;
        // A CA cannot issue beyond its own validity; clamp so that chains always build.
        var caStart = new DateTimeOffset(Certificate.NotBefore.ToUniversalTime());
        var caEnd = new DateTimeOffset(Certificate.NotAfter.ToUniversalTime());
        if (start < caStart)
        {
            start = caStart;
        }
        if (end > caEnd)
        {
            end = caEnd;
        }
        return (start, end);
    }

    private static byte[] NewSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01;
        return serial;
    }

    /// <summary>Fabric CA's attribute extension value: <c>{"attrs":{"name":"value",...}}</c>.</summary>
    private static byte[] AttributesJson(IReadOnlyDictionary<string, string> attributes)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("attrs");
            foreach (var (name, value) in attributes)
            {
                writer.WriteString(name, value);
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>A certificate and its freshly generated private key.</summary>
public sealed record IssuedCertificate(X509Certificate2 Certificate, ECDsa Key);
