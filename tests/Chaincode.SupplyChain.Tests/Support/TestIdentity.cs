using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using ZonCoin.Protos.Msp;

namespace ZonCoin.Chaincode.SupplyChain.Tests.Support;

/// <summary>A caller: a self-signed ECDSA certificate serialized as the proposal creator (<c>msp.SerializedIdentity</c>) of an MSP.</summary>
internal sealed class TestIdentity
{
    private TestIdentity(string mspId, byte[] creator)
    {
        MspId = mspId;
        Creator = creator;
    }

    public string MspId { get; }

    public byte[] Creator { get; }

    public static TestIdentity Create(string mspId)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=user1, OU=client, O={mspId}", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2036, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var identity = new SerializedIdentity { Mspid = mspId, IdBytes = ByteString.CopyFromUtf8(certificate.ExportCertificatePem()) };
        return new TestIdentity(mspId, identity.ToByteArray());
    }
}
