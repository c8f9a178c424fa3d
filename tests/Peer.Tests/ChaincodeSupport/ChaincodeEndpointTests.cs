using Microsoft.Extensions.Configuration;
using ZonCoin.Peer.ChaincodeSupport;
using ZonCoin.Peer.Hosting;
using ZonCoin.Protos.Lifecycle;

namespace ZonCoin.Peer.Tests.ChaincodeSupport;

/// <summary>Where the peer dials a chaincode-as-a-service: the definition's address unless Peer:ChaincodeAddresses overrides it.</summary>
public sealed class ChaincodeEndpointTests
{
    private static ChaincodeDefinition Definition(string name, string tlsRoot = "") => new()
    {
        Name = name,
        Version = "1.0",
        Sequence = 1,
        Address = "127.0.0.1:9999",
        PackageId = $"{name}_1.0:abc",
        TlsRootCert = tlsRoot,
    };

    [Fact]
    public void Without_an_override_the_definition_address_is_dialled()
    {
        var endpoint = ChaincodeEndpoint.For(Definition("zoncoin"), new Dictionary<string, string> { ["supplychain"] = "127.0.0.1:7777" });
        Assert.Equal(new ChaincodeEndpoint("zoncoin_1.0:abc", "127.0.0.1:9999", null), endpoint);
    }

    [Fact]
    public void An_override_for_the_chaincode_replaces_only_the_address()
    {
        var endpoint = ChaincodeEndpoint.For(Definition("zoncoin", "PEM"), new Dictionary<string, string> { ["zoncoin"] = "127.0.0.1:7100" });
        Assert.Equal(new ChaincodeEndpoint("zoncoin_1.0:abc", "127.0.0.1:7100", "PEM"), endpoint);
    }

    [Fact]
    public void Overrides_bind_from_configuration_and_bad_addresses_are_refused()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Peer:ChaincodeAddresses:zoncoin"] = "127.0.0.1:7101",
            ["Peer:ChaincodeAddresses:supplychain"] = "nowhere",
        }).Build();
        var options = new PeerOptions();
        configuration.GetSection(PeerOptions.Section).Bind(options);

        Assert.Equal("127.0.0.1:7101", ChaincodeEndpoint.For(Definition("zoncoin"), new Dictionary<string, string>(options.ChaincodeAddresses)).Address);
        var failures = new PeerOptionsValidator().Validate(null, options).Failures ?? [];
        Assert.Contains("Peer:ChaincodeAddresses:supplychain: 'nowhere' is not a host:port address", failures);
        Assert.DoesNotContain(failures, f => f.Contains("ChaincodeAddresses:zoncoin", StringComparison.Ordinal));
    }
}
