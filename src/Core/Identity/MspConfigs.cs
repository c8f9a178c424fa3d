using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using ZonCoin.Core.Crypto;
using ZonCoin.Protos.Msp;

namespace ZonCoin.Core.Identity;

/// <summary>Builds <c>FabricMSPConfig</c> definitions the way ZonCoin organisations use them.</summary>
public static class MspConfigs
{
    public const string ClientOu = "client";
    public const string PeerOu = "peer";
    public const string AdminOu = "admin";
    public const string OrdererOu = "orderer";

    /// <summary>
    /// An MSP with node OUs enabled (client, peer, admin, orderer), trusting <paramref name="rootCerts"/> and
    /// <paramref name="intermediateCerts"/>, with optional TLS CAs and CRLs.
    /// </summary>
    public static FabricMSPConfig Create(
        string mspId,
        IEnumerable<X509Certificate2> rootCerts,
        IEnumerable<X509Certificate2>? intermediateCerts = null,
        IEnumerable<X509Certificate2>? tlsRootCerts = null,
        IEnumerable<byte[]>? revocationLists = null)
    {
        ArgumentNullException.ThrowIfNull(rootCerts);
        var config = new FabricMSPConfig
        {
            Name = mspId,
            CryptoConfig = new FabricCryptoConfig { SignatureHashFamily = "SHA2", IdentityIdentifierHashFunction = "SHA256" },
            FabricNodeOus = new FabricNodeOUs
            {
                Enable = true,
                ClientOuIdentifier = new FabricOUIdentifier { OrganizationalUnitIdentifier = ClientOu },
                PeerOuIdentifier = new FabricOUIdentifier { OrganizationalUnitIdentifier = PeerOu },
                AdminOuIdentifier = new FabricOUIdentifier { OrganizationalUnitIdentifier = AdminOu },
                OrdererOuIdentifier = new FabricOUIdentifier { OrganizationalUnitIdentifier = OrdererOu },
            },
        };
        config.RootCerts.AddRange(rootCerts.Select(PemBytes));
        config.IntermediateCerts.AddRange((intermediateCerts ?? []).Select(PemBytes));
        config.TlsRootCerts.AddRange((tlsRootCerts ?? []).Select(PemBytes));
        config.RevocationList.AddRange((revocationLists ?? []).Select(ByteString.CopyFrom));
        return config;
    }

    private static ByteString PemBytes(X509Certificate2 certificate) => ByteString.CopyFromUtf8(Pem.Certificate(certificate));
}
