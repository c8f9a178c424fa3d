using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;

namespace ZonCoin.Core.Tests.Identity;

public sealed class MspDirectoryTests : IDisposable
{
    private readonly CertificateAuthority _ca = CertificateAuthority.CreateRoot("ca.org1.example.com", "org1.example.com");
    private readonly string _msp = Directory.CreateTempSubdirectory("zoncoin-msp-").FullName;

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_msp, recursive: true);
    }

    [Fact]
    public void The_written_config_yaml_enables_node_OUs_pointing_at_the_CA_certificate()
    {
        MspDirectory.Write(_msp, _ca.Certificate, _ca.Certificate);

        var nodeOus = MspDirectory.LoadDefinition(_msp, "Org1MSP").FabricNodeOus;

        Assert.True(nodeOus.Enable);
        Assert.Equal(["client", "peer", "admin", "orderer"], new[] { nodeOus.ClientOuIdentifier, nodeOus.PeerOuIdentifier, nodeOus.AdminOuIdentifier, nodeOus.OrdererOuIdentifier }
            .Select(id => id.OrganizationalUnitIdentifier));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_msp, "cacerts", "ca-cert.pem")), nodeOus.PeerOuIdentifier.Certificate.ToByteArray());
    }

    [Theory]
    [InlineData("Enable: yes", true)]
    [InlineData("Enable: True", true)]
    [InlineData("Enable: false", false)]
    [InlineData("Enable: off", false)]
    public void Enable_takes_YAML_booleans_and_unknown_keys_are_ignored(string enable, bool expected)
    {
        MspDirectory.Write(_msp, _ca.Certificate, _ca.Certificate);
        File.WriteAllText(Path.Combine(_msp, "config.yaml"), $"""
            Unknown: [1, 2]
            NodeOUs:
              {enable}
              Extra: ignored
              PeerOUIdentifier:
                OrganizationalUnitIdentifier: peer
            """);

        var nodeOus = MspDirectory.LoadDefinition(_msp, "Org1MSP").FabricNodeOus;

        Assert.Equal(expected, nodeOus.Enable);
        Assert.Equal("peer", nodeOus.PeerOuIdentifier.OrganizationalUnitIdentifier);
        Assert.True(nodeOus.PeerOuIdentifier.Certificate.IsEmpty);
        Assert.Null(nodeOus.ClientOuIdentifier);
    }

    [Theory]
    [InlineData("NodeOUs:\n  Enable: maybe\n", "not a boolean")]
    [InlineData("NodeOUs: [unclosed\n", "is not valid YAML")]
    [InlineData("NodeOUs:\n  Enable: true\n  PeerOUIdentifier:\n    Certificate: cacerts/missing.pem\n", "does not exist")]
    public void A_broken_config_yaml_is_refused_with_the_reason(string yaml, string reason)
    {
        MspDirectory.Write(_msp, _ca.Certificate, _ca.Certificate);
        File.WriteAllText(Path.Combine(_msp, "config.yaml"), yaml);

        var error = Assert.Throws<MspConfigurationException>(() => MspDirectory.LoadDefinition(_msp, "Org1MSP"));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_config_yaml_leaves_node_OUs_off()
    {
        MspDirectory.Write(_msp, _ca.Certificate, _ca.Certificate);
        File.WriteAllText(Path.Combine(_msp, "config.yaml"), "");

        Assert.False(MspDirectory.LoadDefinition(_msp, "Org1MSP").FabricNodeOus.Enable);
    }

    [Fact]
    public void Certificate_attributes_are_Fabric_CA_s_attrs_extension()
    {
        var issued = _ca.Issue(new CertificateSpec
        {
            CommonName = "user1",
            Attributes = new Dictionary<string, string> { ["role"] = "minter", ["hf.EnrollmentID"] = "user1 \"quoted\"" },
        });
        using var certificate = issued.Certificate;
        using var key = issued.Key;

        var extension = certificate.Extensions.Cast<X509Extension>().Single(e => e.Oid?.Value == CertificateAuthority.AttributesOid);
        using var json = JsonDocument.Parse(extension.RawData);

        Assert.Equal("minter", json.RootElement.GetProperty("attrs").GetProperty("role").GetString());
        Assert.Equal("user1 \"quoted\"", json.RootElement.GetProperty("attrs").GetProperty("hf.EnrollmentID").GetString());
        Assert.StartsWith("{\"attrs\":{", Encoding.UTF8.GetString(extension.RawData), StringComparison.Ordinal);
    }
}
