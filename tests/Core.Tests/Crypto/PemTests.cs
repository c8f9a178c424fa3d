using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZonCoin.Core.Crypto;

namespace ZonCoin.Core.Tests.Crypto;

public sealed class PemTests
{
    [Fact]
    public void Certificate_and_key_round_trip_through_pem_files()
    {
        using var ca = CertificateAuthority.CreateRoot("ca.org1", "org1");
        var issued = ca.Issue(new CertificateSpec { CommonName = "peer0.org1", OrganizationalUnits = ["peer"] });
        var dir = Directory.CreateTempSubdirectory("zoncoin-pem-");
        try
        {
            var keyPath = Path.Combine(dir.FullName, "key.pem");
            File.WriteAllText(keyPath, Pem.PrivateKey(issued.Key));
            var certificate = Pem.ReadCertificate(Pem.Certificate(issued.Certificate));
            Assert.Equal(issued.Certificate.RawData, certificate.RawData);

            using var signer = EcdsaSigner.FromPemFile(keyPath);
            var signature = signer.Sign("hello"u8);
            using var publicKey = certificate.GetECDsaPublicKey()!;
            Assert.True(EcdsaSignatures.Verify(publicKey, "hello"u8, signature));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not pem at all")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")]
    public void Malformed_certificate_pem_is_a_CryptoException(string pem)
    {
        var error = Assert.Throws<CryptoException>(() => Pem.ReadCertificate(pem));
        Assert.Contains("certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_key_pem_is_a_CryptoException()
    {
        Assert.Throws<CryptoException>(() => Pem.ReadPrivateKey("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
        Assert.Throws<CryptoException>(() => Pem.ReadPrivateKey("garbage"));
    }

    [Fact]
    public void Missing_key_file_is_a_CryptoException_naming_the_path()
    {
        var error = Assert.Throws<CryptoException>(() => EcdsaSigner.FromPemFile("/nonexistent/key.pem"));
        Assert.Contains("/nonexistent/key.pem", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rsa_keys_are_refused_by_the_signer()
    {
        using var rsa = RSA.Create(2048);
        var pem = rsa.ExportPkcs8PrivateKeyPem();
        Assert.Throws<CryptoException>(() => Pem.ReadPrivateKey(pem));
        Assert.NotEmpty(Encoding.ASCII.GetBytes(pem));
    }
}
