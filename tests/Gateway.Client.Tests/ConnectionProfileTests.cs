namespace ZonCoin.Gateway.Client.Tests;

public sealed class ConnectionProfileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("zoncoin-profile-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_directory, "profile.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static string Json(string certPath = "/abs/cert.pem", string endpoint = "127.0.0.1:7051", string mspId = "\"ManufacturerMSP\"") => $$"""
        {
          "name": "Manufacturer",
          "mspId": {{mspId}},
          "gateway": {"endpoint": "{{endpoint}}", "tlsRootCertPath": null, "hostnameOverride": null},
          "identity": {"certPath": "{{certPath}}", "keyPath": "/abs/key.pem"},
          "channels": ["supplychain", "zoncoin"]
        }
        """;

    [Fact]
    public void The_documented_json_loads()
    {
        var profile = ConnectionProfile.Load(Write("""
            {"name": "Manufacturer", "mspId": "ManufacturerMSP",
             "gateway": {"endpoint": "127.0.0.1:7051", "tlsRootCertPath": "/abs/tls/ca.pem", "hostnameOverride": "gateway.manufacturer"},
             "identity": {"certPath": "/abs/cert.pem", "keyPath": "/abs/key.pem"},
             "admin": {"certPath": "/abs/admin/cert.pem", "keyPath": "/abs/admin/key.pem"},
             "channels": ["supplychain", "zoncoin"]}
            """));

        Assert.Equal("Manufacturer", profile.Name);
        Assert.Equal("ManufacturerMSP", profile.MspId);
        Assert.Equal("127.0.0.1:7051", profile.Gateway.Endpoint);
        Assert.Equal("/abs/tls/ca.pem", profile.Gateway.TlsRootCertPath);
        Assert.Equal("gateway.manufacturer", profile.Gateway.HostnameOverride);
        Assert.Equal("/abs/cert.pem", profile.Identity.CertPath);
        Assert.Equal("/abs/admin/key.pem", profile.Admin!.KeyPath);
        Assert.Equal(["supplychain", "zoncoin"], profile.Channels);
    }

    [Fact]
    public void Save_then_load_round_trips()
    {
        var profile = new ConnectionProfile
        {
            Name = "Retailer",
            MspId = "RetailerMSP",
            Gateway = new GatewayProfile { Endpoint = "localhost:9051", TlsRootCertPath = "/etc/tls/ca.pem", HostnameOverride = "gw" },
            Identity = new IdentityProfile { CertPath = "/u/cert.pem", KeyPath = "/u/key.pem" },
            Admin = new IdentityProfile { CertPath = "/a/cert.pem", KeyPath = "/a/key.pem" },
            Channels = ["zoncoin"],
        };
        var path = Path.Combine(_directory, "saved.json");

        profile.Save(path);
        var loaded = ConnectionProfile.Load(path);

        Assert.Equal(profile.Name, loaded.Name);
        Assert.Equal(profile.MspId, loaded.MspId);
        Assert.Equal(profile.Gateway, loaded.Gateway);
        Assert.Equal(profile.Identity, loaded.Identity);
        Assert.Equal(profile.Admin, loaded.Admin);
        Assert.Equal(profile.Channels, loaded.Channels);
        Assert.Contains("\"mspId\": \"RetailerMSP\"", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void Admin_is_optional_and_a_null_tls_root_means_plain_h2c()
    {
        var profile = ConnectionProfile.Load(Write(Json()));

        Assert.Null(profile.Admin);
        Assert.Null(profile.Gateway.TlsRootCertPath);
    }

    [Theory]
    [InlineData("cert.pem", "127.0.0.1:7051", "\"M\"", "identity.certPath")]
    [InlineData("/abs/cert.pem", "127.0.0.1", "\"M\"", "gateway.endpoint")]
    [InlineData("/abs/cert.pem", "http://127.0.0.1:7051", "\"M\"", "gateway.endpoint")]
    [InlineData("/abs/cert.pem", "127.0.0.1:7051", "null", "mspId")]
    [InlineData("/abs/cert.pem", "127.0.0.1:7051", "\"\"", "mspId")]
    public void Errors_name_the_field_and_the_file(string certPath, string endpoint, string mspId, string field)
    {
        var path = Write(Json(certPath, endpoint, mspId));

        var error = Assert.Throws<InvalidDataException>(() => ConnectionProfile.Load(path));

        Assert.Contains($"'{field}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_identity_and_broken_json_are_reported_with_the_file()
    {
        var missing = Write("""{"name": "M", "mspId": "MSP", "gateway": {"endpoint": "h:1"}, "channels": []}""");
        var error = Assert.Throws<InvalidDataException>(() => ConnectionProfile.Load(missing));
        Assert.Contains("'identity.certPath'", error.Message, StringComparison.Ordinal);

        var broken = Write("{\"name\": ");
        var parse = Assert.Throws<InvalidDataException>(() => ConnectionProfile.Load(broken));
        Assert.Contains(broken, parse.Message, StringComparison.Ordinal);

        Assert.Throws<FileNotFoundException>(() => ConnectionProfile.Load(Path.Combine(_directory, "absent.json")));
    }
}
