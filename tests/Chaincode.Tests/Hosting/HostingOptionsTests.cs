using ZonCoin.Chaincode.Hosting;

namespace ZonCoin.Chaincode.Tests.Hosting;

public sealed class HostingOptionsTests
{
    [Fact]
    public void Server_options_come_from_fabric_ccaas_variables()
    {
        var variables = new Dictionary<string, string>
        {
            ["CHAINCODE_SERVER_ADDRESS"] = "0.0.0.0:9999",
            ["CHAINCODE_ID"] = "basic_1.0:abc",
            ["CHAINCODE_TLS_CERT_FILE"] = "/tls/server.crt",
            ["CHAINCODE_TLS_KEY_FILE"] = "/tls/server.key",
            ["CHAINCODE_TLS_CLIENT_CA_FILE"] = "/tls/ca.crt",
        };
        var options = ChaincodeServerOptions.FromEnvironment(variables.GetValueOrDefault)!;
        Assert.Equal(("0.0.0.0:9999", "basic_1.0:abc", "/tls/server.crt", "/tls/server.key", "/tls/ca.crt"),
            (options.Address, options.ChaincodeId, options.TlsCertificateFile, options.TlsKeyFile, options.TlsClientCaFile));
        Assert.True(options.TlsEnabled);
        Assert.Null(ChaincodeServerOptions.FromEnvironment(_ => null));
        Assert.Throws<InvalidOperationException>(() => ChaincodeServerOptions.FromEnvironment(name => name == "CHAINCODE_SERVER_ADDRESS" ? "127.0.0.1:1" : null));
    }

    [Fact]
    public void Client_options_come_from_fabric_launch_variables()
    {
        var variables = new Dictionary<string, string>
        {
            ["CORE_PEER_ADDRESS"] = "peer0:7052",
            ["CORE_CHAINCODE_ID_NAME"] = "basic:1.0",
            ["CORE_PEER_TLS_ENABLED"] = "TRUE",
        };
        var options = ChaincodeClientOptions.FromEnvironment(variables.GetValueOrDefault)!;
        Assert.Equal(("peer0:7052", "basic:1.0", true), (options.PeerAddress, options.ChaincodeId, options.TlsEnabled));
    }

    [Fact]
    public void Command_line_flags_override_the_environment()
    {
        var environment = ChaincodeHost.EnvironmentWithFlags(["--chaincode-address", "127.0.0.1:7000", "--chaincode-id=cc:1", "--peer.address", "p:1"]);
        Assert.Equal("127.0.0.1:7000", environment("CHAINCODE_SERVER_ADDRESS"));
        Assert.Equal("cc:1", environment("CHAINCODE_ID"));
        Assert.Equal("p:1", environment("CORE_PEER_ADDRESS"));
    }
}
