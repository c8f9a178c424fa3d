using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZonCoin.Core.Crypto;

/// <summary>PEM encoding of certificates and ECDSA private keys (PKCS#8, as Fabric's keystores hold them).</summary>
public static class Pem
{
    public static string Certificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return PemEncoding.WriteString("CERTIFICATE", certificate.RawData) + "\n";
    }

    public static string PrivateKey(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    /// <summary>Reads the first certificate in a PEM text.</summary>
    public static X509Certificate2 ReadCertificate(string pem)
    {
        try
        {
            return X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new CryptoException($"not a PEM X.509 certificate: {ex.Message}", ex);
        }
    }

    /// <summary>Reads every certificate in a PEM bundle.</summary>
    public static IReadOnlyList<X509Certificate2> ReadCertificates(string pem)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new CryptoException($"not a PEM certificate bundle: {ex.Message}", ex);
        }
        return [.. collection];
    }

    /// <summary>Reads an ECDSA private key (PKCS#8 or SEC1 PEM).</summary>
    public static ECDsa ReadPrivateKey(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new CryptoException($"not a PEM ECDSA private key: {ex.Message}", ex);
        }
    }
}
