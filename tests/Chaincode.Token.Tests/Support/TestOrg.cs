using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using ZonCoin.Chaincode.Shim;
using ZonCoin.Protos.Msp;

namespace ZonCoin.Chaincode.Token.Tests.Support;

/// <summary>An organisation with its own CA that issues X.509 identities (with an OU and Fabric CA attributes) for tests.</summary>
internal sealed class TestOrg : IDisposable
{
    private static long _serial;
    private readonly ECDsa _caKey;

    public TestOrg(string mspId)
    {
        MspId = mspId;
        _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName($"ca.{mspId.ToLowerInvariant()}");
        name.AddOrganizationName(mspId);
        var request = new CertificateRequest(name.Build(), _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    public string MspId { get; }

    public X509Certificate2 Ca { get; }

    /// <summary>Issues an identity; <paramref name="attributes"/> go into extension 1.2.3.4.5.6.7.8.1 as <c>{"attrs":{…}}</c>.</summary>
    public TestUser User(string name, string ou = "client", IReadOnlyDictionary<string, string>? attributes = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName(MspId);
        subject.AddOrganizationalUnitName(ou);
        subject.AddCommonName(name);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        if (attributes is not null)
        {
            var json = JsonSerializer.Serialize(new { attrs = attributes });
            request.CertificateExtensions.Add(new X509Extension(ClientIdentity.AttributesOid, Encoding.UTF8.GetBytes(json), false));
        }
        var serial = BitConverter.GetBytes(Interlocked.Increment(ref _serial));
        using var certificate = request.Create(Ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMonths(6), serial);
        var creator = new SerializedIdentity { Mspid = MspId, IdBytes = ByteString.CopyFromUtf8(certificate.ExportCertificatePem()) }.ToByteArray();
        var identity = ClientIdentity.FromSerializedIdentity(creator);
        return new TestUser(name, MspId, creator, identity.Id, AccountIds.For(identity));
    }

    public void Dispose()
    {
        Ca.Dispose();
        _caKey.Dispose();
    }
}

/// <summary>A test identity: its serialized creator bytes, fabric-shim id and account id.</summary>
internal sealed record TestUser(string Name, string MspId, byte[] Creator, string ClientId, string Account)
{
    public override string ToString() => Name;
}
