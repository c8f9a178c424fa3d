using System.Security.Cryptography;
using System.Text;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;

namespace ZonCoin.Gateway.Client.Tests.Support;

/// <summary>A client (or endorser) identity with a real CA-issued P-256 certificate and key.</summary>
internal sealed class TestIdentity : IDisposable
{
    private static readonly CertificateAuthority Ca = CertificateAuthority.CreateRoot("ca.org1", "Org1MSP");

    public TestIdentity(string mspId = "Org1MSP", string name = "client")
    {
        MspId = mspId;
        var issued = Ca.Issue(new CertificateSpec { CommonName = $"{name}.{mspId}", Organization = mspId, OrganizationalUnits = ["client"] });
        Key = issued.Key;
        CertificatePem = Encoding.UTF8.GetBytes(Pem.Certificate(issued.Certificate));
        KeyPem = Pem.PrivateKey(issued.Key);
        Identity = new X509Identity(mspId, CertificatePem);
        Signer = new EcdsaSigner(issued.Key);
        Creator = MspIdentity.Serialize(mspId, issued.Certificate);
        SigningIdentity = new SigningIdentity(mspId, Creator, Signer);
    }

    public string MspId { get; }

    public ECDsa Key { get; }

    public byte[] CertificatePem { get; }

    public string KeyPem { get; }

    public X509Identity Identity { get; }

    public EcdsaSigner Signer { get; }

    /// <summary>The serialized SerializedIdentity{mspid, id_bytes=PEM}.</summary>
    public byte[] Creator { get; }

    public SigningIdentity SigningIdentity { get; }

    /// <summary>True when <paramref name="signature"/> is a valid low-S signature by this identity over SHA-256(<paramref name="message"/>).</summary>
    public bool Verifies(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) => EcdsaSignatures.Verify(Key, message, signature);

    public void Dispose() => Signer.Dispose();
}
