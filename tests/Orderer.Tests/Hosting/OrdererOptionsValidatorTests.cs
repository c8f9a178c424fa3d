using ZonCoin.Orderer.Hosting;
using ZonCoin.Orderer.Tests.Support;

namespace ZonCoin.Orderer.Tests.Hosting;

public sealed class OrdererOptionsValidatorTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly OrdererOptionsValidator _validator = new();

    public void Dispose() => _directory.Dispose();

    /// <summary>Settings that pass: an existing MSP folder and a TLS folder with server.crt and server.key.</summary>
    private OrdererOptions Valid()
    {
        var msp = Directory.CreateDirectory(Path.Combine(_directory.Path, "msp")).FullName;
        var tls = Directory.CreateDirectory(Path.Combine(_directory.Path, "tls")).FullName;
        File.WriteAllText(Path.Combine(tls, "server.crt"), "certificate");
        File.WriteAllText(Path.Combine(tls, "server.key"), "key");
        var options = new OrdererOptions
        {
            DataDirectory = Path.Combine(_directory.Path, "data"),
            MspId = "OrdererMSP",
            MspDirectory = msp,
        };
        options.Tls.Directory = tls;
        return options;
    }

    private IReadOnlyList<string> Failures(OrdererOptions options)
    {
        var result = _validator.Validate(null, options);
        return result.Failed ? [.. result.Failures!] : [];
    }

    [Fact]
    public void Valid_settings_pass()
    {
        var result = _validator.Validate(null, Valid());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("ListenAddress")]
    [InlineData("AdminListenAddress")]
    [InlineData("OperationsListenAddress")]
    public void A_bad_listen_address_is_named(string setting)
    {
        var options = Valid();
        typeof(OrdererOptions).GetProperty(setting)!.SetValue(options, "orderer.example.com:7050");

        var failure = Assert.Single(Failures(options));

        Assert.StartsWith($"Orderer:{setting}:", failure, StringComparison.Ordinal);
        Assert.Contains("orderer.example.com:7050", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_data_directory_is_named()
    {
        var options = Valid();
        options.DataDirectory = " ";

        Assert.StartsWith("Orderer:DataDirectory:", Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_msp_id_is_named()
    {
        var options = Valid();
        options.MspId = "";

        Assert.StartsWith("Orderer:MspId:", Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("does-not-exist")]
    public void A_missing_msp_directory_is_named(string directory)
    {
        var options = Valid();
        options.MspDirectory = directory.Length == 0 ? "" : Path.Combine(_directory.Path, directory);

        Assert.StartsWith("Orderer:MspDirectory:", Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("raft")]
    [InlineData("")]
    [InlineData("Solo")]
    public void An_unsupported_consensus_type_is_named(string type)
    {
        var options = Valid();
        options.ConsensusType = type;

        Assert.StartsWith("Orderer:ConsensusType:", Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Fact]
    public void Kafka_is_a_supported_consensus_type()
    {
        var options = Valid();
        options.ConsensusType = "kafka";

        Assert.Empty(Failures(options));
    }

    [Fact]
    public void Missing_tls_files_are_named()
    {
        var options = Valid();
        options.Tls.Directory = Path.Combine(_directory.Path, "no-tls");

        var failures = Failures(options);

        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, failure => failure.StartsWith("Orderer:Tls:CertificateFile:", StringComparison.Ordinal));
        Assert.Contains(failures, failure => failure.StartsWith("Orderer:Tls:KeyFile:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_client_root_ca_file_is_named()
    {
        var options = Valid();
        options.Tls.ClientRootCaFiles.Add(Path.Combine(_directory.Path, "other-ca.crt"));

        Assert.StartsWith("Orderer:Tls:ClientRootCaFiles:", Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Fact]
    public void Insecure_skips_the_tls_checks()
    {
        var options = Valid();
        options.Tls.Directory = null;
        options.Tls.ClientRootCaFiles.Add("/nowhere/ca.crt");
        options.Insecure = true;

        Assert.Empty(Failures(options));
    }

    [Fact]
    public void A_replication_factor_below_one_is_named()
    {
        var options = Valid();
        options.Kafka.ReplicationFactor = 0;

        Assert.StartsWith("Orderer:Kafka:ReplicationFactor:", Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_broker_without_port_is_named()
    {
        var options = Valid();
        options.Kafka.Brokers.Add("kafka0:9092");
        options.Kafka.Brokers.Add("kafka1");

        var failure = Assert.Single(Failures(options));

        Assert.StartsWith("Orderer:Kafka:Brokers:", failure, StringComparison.Ordinal);
        Assert.Contains("'kafka1'", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_failure_is_reported_at_once()
    {
        var options = new OrdererOptions { ListenAddress = "x", ConsensusType = "raft" };

        var failures = Failures(options);

        foreach (var setting in new[] { "ListenAddress", "DataDirectory", "MspId", "MspDirectory", "ConsensusType", "Tls:CertificateFile", "Tls:KeyFile" })
        {
            Assert.Contains(failures, failure => failure.StartsWith($"Orderer:{setting}:", StringComparison.Ordinal));
        }
    }
}
