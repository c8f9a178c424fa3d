using System.Security.Cryptography.X509Certificates;
using ZonCoin.Core.Crypto;

namespace ZonCoin.Rpc.Tests;

/// <summary>Throwaway CAs and TLS certificates (with private keys) for the transport's TLS tests.</summary>
internal static class TestCertificates
{
    /// <summary>Issues a TLS certificate and returns it with its private key, loaded as Kestrel and SslStream want it.</summary>
    public static X509Certificate2 IssueTls(CertificateAuthority ca, string commonName, IReadOnlyList<string>? dnsNames = null, IReadOnlyList<string>? ipAddresses = null)
    {
        var issued = ca.Issue(new CertificateSpec
        {
            CommonName = commonName,
            DnsNames = dnsNames ?? [],
            IpAddresses = ipAddresses ?? [],
            ForTls = true,
        });
        using var key = issued.Key;
        using var certificate = issued.Certificate;
        using var withKey = certificate.CopyWithPrivateKey(key);
        // Round trip through PKCS#12 so the key is a persisted one: SslStream on Linux refuses some ephemeral keys.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A server certificate for localhost, 127.0.0.1 and the given extra DNS names.</summary>
    public static X509Certificate2 IssueServer(CertificateAuthority ca, string commonName = "localhost") =>
        IssueTls(ca, commonName, ["localhost"], ["127.0.0.1"]);
}
