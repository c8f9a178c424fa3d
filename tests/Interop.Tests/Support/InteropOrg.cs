using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;

namespace ZonCoin.Interop.Tests.Support;

/// <summary>
/// A real organisation: a root CA, its MSP with node OUs, a client certificate (OU "client") whose PEM files
/// the Node client loads, and a peer identity that endorses.
/// </summary>
internal sealed class InteropOrg : IDisposable
{
    public InteropOrg(string mspId, string directory)
    {
        MspId = mspId;
        Ca = CertificateAuthority.CreateRoot($"ca.{mspId.ToLowerInvariant()}", mspId);
        Msp = Msp.Create(MspConfigs.Create(mspId, [Ca.Certificate]));
        Msps = new MspManager([Msp]);

        var client = Ca.Issue(new CertificateSpec { CommonName = $"user1.{mspId}", Organization = mspId, OrganizationalUnits = [MspConfigs.ClientOu] });
        ClientCertificatePem = Pem.Certificate(client.Certificate);
        ClientCertPath = Path.Combine(directory, "cert.pem");
        ClientKeyPath = Path.Combine(directory, "key.pem");
        File.WriteAllText(ClientCertPath, ClientCertificatePem);
        File.WriteAllText(ClientKeyPath, Pem.PrivateKey(client.Key));
        ClientCreator = MspIdentity.Serialize(mspId, client.Certificate);
        client.Key.Dispose();

        var peer = Ca.Issue(new CertificateSpec { CommonName = $"peer0.{mspId}", Organization = mspId, OrganizationalUnits = [MspConfigs.PeerOu] });
        Peer = new SigningIdentity(mspId, MspIdentity.Serialize(mspId, peer.Certificate), new EcdsaSigner(peer.Key));
    }

    public string MspId { get; }

    public CertificateAuthority Ca { get; }

    public Msp Msp { get; }

    public MspManager Msps { get; }

    public string ClientCertificatePem { get; }

    public string ClientCertPath { get; }

    public string ClientKeyPath { get; }

    /// <summary>The client's SerializedIdentity as ZonCoin writes it.</summary>
    public byte[] ClientCreator { get; }

    public SigningIdentity Peer { get; }

    /// <summary>What the Node tools need to connect as the client.</summary>
    public Dictionary<string, string> ClientRequest() => new()
    {
        ["mspId"] = MspId,
        ["certPath"] = ClientCertPath,
        ["keyPath"] = ClientKeyPath,
    };

    public void Dispose()
    {
        ((IDisposable)Peer.Signer).Dispose();
        Ca.Dispose();
    }
}
