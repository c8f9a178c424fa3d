using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;

namespace ZonCoin.Chaincode.Tests.Support;

/// <summary>A real organisation for tests: a root CA and identities issued on demand (optionally with Fabric CA attributes).</summary>
internal sealed class TestOrg : IDisposable
{
    public TestOrg(string mspId)
    {
        MspId = mspId;
        Ca = CertificateAuthority.CreateRoot($"ca.{mspId.ToLowerInvariant()}", mspId);
    }

    public string MspId { get; }

    public CertificateAuthority Ca { get; }

    public SigningIdentity NewIdentity(string name, IReadOnlyDictionary<string, string>? attributes = null)
    {
        var issued = Ca.Issue(new CertificateSpec
        {
            CommonName = name,
            Organization = MspId,
            OrganizationalUnits = ["client"],
            Attributes = attributes ?? new Dictionary<string, string>(),
        });
        return new SigningIdentity(MspId, MspIdentity.Serialize(MspId, issued.Certificate), new EcdsaSigner(issued.Key));
    }

    public void Dispose() => Ca.Dispose();
}
