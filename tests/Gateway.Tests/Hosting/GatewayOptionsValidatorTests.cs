using ZonCoin.Gateway.Hosting;

namespace ZonCoin.Gateway.Tests.Hosting;

public sealed class GatewayOptionsValidatorTests : IDisposable
{
    private readonly string _mspDirectory = Directory.CreateTempSubdirectory("zoncoin-gw-msp-").FullName;

    public void Dispose() => Directory.Delete(_mspDirectory, recursive: true);

    private GatewayOptions Valid()
    {
        var options = new GatewayOptions { MspId = "Org1MSP", MspDirectory = _mspDirectory, Insecure = true };
        options.Peers.Add("127.0.0.1:7051");
        options.Peers.Add("Org2MSP@peer0.org2.example.com:9051");
        return options;
    }

    private static IReadOnlyList<string> Failures(GatewayOptions options) =>
        [.. new GatewayOptionsValidator().Validate(null, options).Failures ?? []];

    [Fact]
    public void Valid_options_pass()
    {
        var result = new GatewayOptionsValidator().Validate(null, Valid());

        Assert.True(result.Succeeded, string.Join("; ", result.Failures ?? []));
    }

    [Theory]
    [InlineData("ListenAddress", "example.com:7080", "Gateway:ListenAddress: 'example.com:7080' is not a host:port address with an IP or localhost host")]
    [InlineData("ListenAddress", "127.0.0.1", "Gateway:ListenAddress: '127.0.0.1' is not a host:port address with an IP or localhost host")]
    [InlineData("ListenAddress", "", "Gateway:ListenAddress: '' is not a host:port address with an IP or localhost host")]
    [InlineData("OperationsListenAddress", "127.0.0.1:port", "Gateway:OperationsListenAddress: '127.0.0.1:port' is not a host:port address with an IP or localhost host")]
    [InlineData("MspId", "", "Gateway:MspId: required (the MSP ID of the organisation this gateway serves)")]
    [InlineData("MspId", "  ", "Gateway:MspId: required (the MSP ID of the organisation this gateway serves)")]
    [InlineData("MspDirectory", "", "Gateway:MspDirectory: '' is not a directory (the gateway's msp/ folder with signcerts/ and keystore/)")]
    [InlineData("MspDirectory", "/nonexistent/msp", "Gateway:MspDirectory: '/nonexistent/msp' is not a directory (the gateway's msp/ folder with signcerts/ and keystore/)")]
    [InlineData("EndorsementTimeout", "0", "Gateway:EndorsementTimeout: must be a positive duration")]
    [InlineData("BroadcastTimeout", "-1", "Gateway:BroadcastTimeout: must be a positive duration")]
    [InlineData("CommitStatusTimeout", "0", "Gateway:CommitStatusTimeout: must be a positive duration")]
    [InlineData("DialTimeout", "-5", "Gateway:DialTimeout: must be a positive duration")]
    [InlineData("ConcurrencyLimit", "0", "Gateway:ConcurrencyLimit: must be at least 1")]
    [InlineData("ConcurrencyLimit", "-3", "Gateway:ConcurrencyLimit: must be at least 1")]
    public void Each_bad_setting_is_named(string setting, string value, string failure)
    {
        var options = Valid();
        switch (setting)
        {
            case "ListenAddress": options.ListenAddress = value; break;
            case "OperationsListenAddress": options.OperationsListenAddress = value; break;
            case "MspId": options.MspId = value; break;
            case "MspDirectory": options.MspDirectory = value; break;
            case "EndorsementTimeout": options.EndorsementTimeout = Seconds(value); break;
            case "BroadcastTimeout": options.BroadcastTimeout = Seconds(value); break;
            case "CommitStatusTimeout": options.CommitStatusTimeout = Seconds(value); break;
            case "DialTimeout": options.DialTimeout = Seconds(value); break;
            case "ConcurrencyLimit": options.ConcurrencyLimit = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            default: throw new ArgumentOutOfRangeException(nameof(setting));
        }

        Assert.Contains(failure, Failures(options));
    }

    [Theory]
    [InlineData("peer0:port", "Gateway:Peers:0: 'peer0:port' is not host:port or MSPID@host:port")]
    [InlineData("@127.0.0.1:7051", "Gateway:Peers:0: '@127.0.0.1:7051' is not host:port or MSPID@host:port")]
    [InlineData("127.0.0.1", "Gateway:Peers:0: '127.0.0.1' is not host:port or MSPID@host:port")]
    public void Bad_peer_addresses_are_named_by_index(string peer, string failure)
    {
        var options = Valid();
        options.Peers[0] = peer;

        var failures = Failures(options);

        Assert.Contains(failure, failures);
    }

    [Fact]
    public void At_least_one_peer_is_required()
    {
        var options = Valid();
        options.Peers.Clear();

        Assert.Equal(["Gateway:Peers: at least one peer of the gateway's organisation is required (--peer host:port)"], Failures(options));
    }

    [Fact]
    public void One_peer_must_be_of_the_gateways_own_organisation()
    {
        var options = Valid();
        options.Peers.RemoveAt(0);
        options.Peers.Add("Org3MSP@127.0.0.1:8051");

        Assert.Equal(["Gateway:Peers: none is a peer of Org1MSP; list the gateway's own peer without an MSP ID"], Failures(options));
    }

    [Fact]
    public void An_own_peer_may_name_its_msp_id()
    {
        var options = Valid();
        options.Peers[0] = "Org1MSP@127.0.0.1:7051";

        Assert.Empty(Failures(options));
    }

    [Fact]
    public void Without_an_msp_id_well_formed_peers_are_not_called_malformed()
    {
        var options = Valid();
        options.MspId = "";

        Assert.Equal(["Gateway:MspId: required (the MSP ID of the organisation this gateway serves)"], Failures(options));
    }

    [Fact]
    public void Every_failure_is_reported_at_once()
    {
        var options = new GatewayOptions { ListenAddress = "nowhere", MspId = "", MspDirectory = "", ConcurrencyLimit = 0, DialTimeout = TimeSpan.Zero, Insecure = true };

        var failures = Failures(options);

        Assert.Equal(6, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Gateway:ListenAddress:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:MspId:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:MspDirectory:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Peers:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:DialTimeout:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:ConcurrencyLimit:", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_insecure_the_tls_files_must_exist()
    {
        var options = Valid();
        options.Insecure = false;
        options.Tls.Directory = Path.Combine(_mspDirectory, "no-tls");

        var failures = Failures(options);

        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Gateway:Tls:CertificateFile: TLS certificate '", StringComparison.Ordinal) && f.Contains("server.crt", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Tls:KeyFile: TLS key '", StringComparison.Ordinal) && f.Contains("server.key", StringComparison.Ordinal));
    }

    [Fact]
    public void With_tls_files_present_the_options_pass()
    {
        var options = Valid();
        options.Insecure = false;
        var tls = Directory.CreateDirectory(Path.Combine(_mspDirectory, "tls")).FullName;
        File.WriteAllText(Path.Combine(tls, "server.crt"), "");
        File.WriteAllText(Path.Combine(tls, "server.key"), "");
        options.Tls.Directory = tls;

        Assert.Empty(Failures(options));
    }

    private static TimeSpan Seconds(string value) => TimeSpan.FromSeconds(int.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
}
