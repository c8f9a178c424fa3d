using ZonCoin.Cli.Commands;
using ZonCoin.Cli.Crypto;
using ZonCoin.Core.Config;
using ZonCoin.Core.Identity;

namespace ZonCoin.Cli.Tests;

public sealed class OrgInitTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "zoncoin-org-init-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private OrgCryptoRequest Request(string name = "Pharmacy", string mspId = "PharmacyMSP") =>
        new(name, mspId, $"{name.ToLowerInvariant()}.zoncoin.local", 1, 0, 1, _directory);

    [Fact]
    public void Init_writes_the_org_and_its_definition_and_a_rerun_reuses_them()
    {
        OrgCommands.Init(Request(), ["127.0.0.1:9051"], []);
        var file = Path.Combine(_directory, "Pharmacy.org.json");
        var key = File.ReadAllText(Path.Combine(_directory, "ca", "ca-key.pem"));

        var definition = OrganizationDefinitionJson.Read(File.ReadAllText(file));
        Assert.Equal("PharmacyMSP", definition.MspId);
        Assert.Equal(["127.0.0.1:9051"], definition.PeerEndpoints);
        Assert.Equal(MspDirectory.LoadDefinition(Path.Combine(_directory, "msp"), "PharmacyMSP"), definition.Msp);
        Assert.True(File.Exists(Path.Combine(_directory, "peers", "peer0.pharmacy.zoncoin.local", "msp", "keystore", "key.pem")));
        Assert.True(File.Exists(Path.Combine(_directory, "users", "Admin@pharmacy.zoncoin.local", "msp", "keystore", "key.pem")));
        Assert.True(File.Exists(Path.Combine(_directory, "users", "User1@pharmacy.zoncoin.local", "msp", "keystore", "key.pem")));

        var again = OrgCommands.Init(Request(), ["127.0.0.1:9051"], []);
        Assert.Contains(again, line => line.Contains("reusing", StringComparison.Ordinal));
        Assert.Contains(again, line => line.Contains("unchanged", StringComparison.Ordinal));
        Assert.Equal(key, File.ReadAllText(Path.Combine(_directory, "ca", "ca-key.pem")));
    }

    [Fact]
    public void A_rerun_with_other_details_or_for_another_org_is_refused()
    {
        OrgCommands.Init(Request(), [], []);

        Assert.Contains("different definition", Assert.Throws<InvalidOperationException>(() => OrgCommands.Init(Request(), ["127.0.0.1:1"], [])).Message, StringComparison.Ordinal);
        Assert.Contains("different definition", Assert.Throws<InvalidOperationException>(() => OrgCommands.Init(Request(mspId: "OtherMSP"), [], [])).Message, StringComparison.Ordinal);
        Assert.Contains("another organisation", Assert.Throws<InvalidOperationException>(() => OrgCommands.Init(Request(name: "Clinic"), [], [])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => OrgCommands.Init(Request(), ["no-port"], []));
    }
}
