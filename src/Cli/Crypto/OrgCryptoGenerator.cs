using System.Net;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;

namespace ZonCoin.Cli.Crypto;

/// <summary>What to generate for one organisation.</summary>
internal sealed record OrgCryptoRequest(string Org, string MspId, string Domain, int Peers, int Orderers, int Users, string OutputDirectory);

/// <summary>
/// Generates an organisation's crypto material in a Fabric cryptogen-like layout:
/// <code>
/// OUT/ca/            signing CA certificate and key
/// OUT/tlsca/         TLS CA certificate and key
/// OUT/msp/           the org's MSP definition (what channel configs carry)
/// OUT/peers/peer0.DOMAIN/{msp,tls}/      (likewise orderers/ and users/)
/// </code>
/// Node and user MSP folders carry their signing certificate (with the node OU) and key; tls/ holds
/// <c>ca.crt</c>, <c>server.crt|client.crt</c> and the key.
/// </summary>
internal static class OrgCryptoGenerator
{
    /// <summary>True when <paramref name="request"/>'s material was generated already (its signing CA key exists).</summary>
    public static bool Exists(OrgCryptoRequest request) => File.Exists(Path.Combine(request.OutputDirectory, "ca", "ca-key.pem"));

    /// <summary>Generates the material unless it exists (it is made once and kept); true when it was generated now.</summary>
    public static bool GenerateOnce(OrgCryptoRequest request)
    {
        if (Exists(request))
        {
            return false;
        }
        Generate(request);
        return true;
    }

    public static IReadOnlyList<string> Generate(OrgCryptoRequest request)
    {
        var output = request.OutputDirectory;
        if (Exists(request))
        {
            throw new InvalidOperationException(
                $"crypto material already exists in '{output}'; remove that folder or choose another --out (existing keys are never overwritten)");
        }
        var organization = request.Domain;
        using var ca = CertificateAuthority.CreateRoot($"ca.{request.Domain}", organization);
        using var tlsCa = CertificateAuthority.CreateRoot($"tlsca.{request.Domain}", organization);
        WriteCa(Path.Combine(output, "ca"), "ca", ca);
        WriteCa(Path.Combine(output, "tlsca"), "tlsca", tlsCa);
        MspDirectory.Write(Path.Combine(output, "msp"), ca.Certificate, tlsCa.Certificate);

        var written = new List<string> { Path.Combine(output, "msp") };
        for (var i = 0; i < request.Peers; i++)
        {
            written.Add(WriteNode(output, "peers", $"peer{i}.{request.Domain}", MspConfigs.PeerOu, server: true, organization, ca, tlsCa));
        }
        for (var i = 0; i < request.Orderers; i++)
        {
            written.Add(WriteNode(output, "orderers", $"orderer{i}.{request.Domain}", MspConfigs.OrdererOu, server: true, organization, ca, tlsCa));
        }
        written.Add(WriteNode(output, "users", $"Admin@{request.Domain}", MspConfigs.AdminOu, server: false, organization, ca, tlsCa));
        for (var i = 1; i <= request.Users; i++)
        {
            written.Add(WriteNode(output, "users", $"User{i}@{request.Domain}", MspConfigs.ClientOu, server: false, organization, ca, tlsCa));
        }
        return written;
    }

    private static string WriteNode(string output, string kind, string name, string nodeOu, bool server, string organization, CertificateAuthority ca, CertificateAuthority tlsCa)
    {
        var directory = Path.Combine(output, kind, name);
        var shortName = name.Split('.', '@')[0];
        var signing = ca.Issue(new CertificateSpec { CommonName = name, Organization = organization, OrganizationalUnits = [nodeOu] });
        MspDirectory.Write(Path.Combine(directory, "msp"), ca.Certificate, tlsCa.Certificate, signing);

        var dnsNames = server
            ? new[] { name, shortName, "localhost", Dns.GetHostName() }.Distinct(StringComparer.OrdinalIgnoreCase).ToList()
            : [];
        var tls = tlsCa.Issue(new CertificateSpec
        {
            CommonName = name,
            OrganizationalUnits = [nodeOu],
            DnsNames = dnsNames,
            IpAddresses = server ? ["127.0.0.1"] : [],
            ForTls = true,
        });
        var tlsDirectory = Path.Combine(directory, "tls");
        var stem = server ? "server" : "client";
        Directory.CreateDirectory(tlsDirectory);
        File.WriteAllText(Path.Combine(tlsDirectory, "ca.crt"), Pem.Certificate(tlsCa.Certificate));
        File.WriteAllText(Path.Combine(tlsDirectory, $"{stem}.crt"), Pem.Certificate(tls.Certificate));
        MspDirectory.WritePrivateKey(Path.Combine(tlsDirectory, $"{stem}.key"), Pem.PrivateKey(tls.Key));
        return directory;
    }

    private static void WriteCa(string directory, string stem, CertificateAuthority ca)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, $"{stem}-cert.pem"), Pem.Certificate(ca.Certificate));
        MspDirectory.WritePrivateKey(Path.Combine(directory, $"{stem}-key.pem"), Pem.PrivateKey(ca.Key));
    }
}
