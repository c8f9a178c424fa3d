using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;

namespace ZonCoin.Core.Tests.Support;

/// <summary>A real organisation for tests: a root CA, its MSP and identities issued on demand.</summary>
internal sealed class TestOrg : IDisposable
{
    public TestOrg(string mspId)
    {
        MspId = mspId;
        Ca = CertificateAuthority.CreateRoot($"ca.{mspId.ToLowerInvariant()}", mspId);
        Msp = Msp.Create(MspConfigs.Create(mspId, [Ca.Certificate]));
    }

    public string MspId { get; }

    public CertificateAuthority Ca { get; }

    public Msp Msp { get; }

    /// <summary>Issues a certificate with the node OU <paramref name="role"/> and returns a signing identity for it.</summary>
    public SigningIdentity NewIdentity(string role, string? name = null)
    {
        var issued = Ca.Issue(new CertificateSpec { CommonName = name ?? $"{role}.{MspId}", Organization = MspId, OrganizationalUnits = [role] });
        return new SigningIdentity(MspId, MspIdentity.Serialize(MspId, issued.Certificate), new EcdsaSigner(issued.Key));
    }

    public void Dispose() => Ca.Dispose();
}
