using System.Diagnostics;
using ZonCoin.Cli.Compose;
using ZonCoin.Cli.Topology;
using ZonCoin.Cli.Tests.Support;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Client;
using ZonCoin.Protos.Common;

namespace ZonCoin.Cli.Tests;

/// <summary>
/// <c>zoncoin compose generate</c> on the repository's network.yaml: Docker Compose itself (<c>docker-compose config</c>,
/// the Debian package the project's set-up installs) accepts the file, and the deployment is the one the issue asks
/// for: Kafka in KRaft mode with three brokers, three kafka orderers named in the channels' genesis blocks, a
/// PostgreSQL per peer (each serving its org's gateway), chaincode hosts and a one-shot setup service whose script is valid bash.
/// </summary>
public sealed class ComposeGenerateTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "zoncoin-compose-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public void The_generated_compose_file_passes_docker_compose_config_and_runs_kafka_orderers_postgres_peers_and_setup()
    {
        var topology = NetworkTopology.Load(Path.Combine(RepositoryPaths.Root, "network.yaml"));
        var file = new ComposeGenerator(topology, _out).Generate(TextWriter.Null);

        var (config, output) = Run("docker-compose", "-f", file, "config", "-q");
        Assert.True(config == 0, $"docker-compose config rejected {file}:\n{output}");
        var (listed, services) = Run("docker-compose", "-f", file, "config", "--services");
        Assert.Equal(0, listed);
        var names = services.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        Assert.Superset(new HashSet<string> { "kafka1", "kafka2", "kafka3", "setup" }, names);
        Assert.Equal(3, names.Count(n => n.StartsWith("orderer", StringComparison.Ordinal)));
        foreach (var org in topology.MemberOrganizations)
        {
            var peer = $"peer0.{org.EffectiveDomain}";
            Assert.Contains(peer, names);
            Assert.Contains($"postgres.{peer}", names);
            // The peer serves the org's gateway: no gateway container.
            Assert.DoesNotContain($"gateway.{org.EffectiveDomain}", names);
            Assert.Contains($"zoncoin-chaincode.{org.EffectiveDomain}", names);
            Assert.Contains($"supplychain-chaincode.{org.EffectiveDomain}", names);
        }
        var yaml = File.ReadAllText(file);
        Assert.Contains("KAFKA_PROCESS_ROLES: broker,controller", yaml, StringComparison.Ordinal);
        Assert.Contains("KAFKA_MIN_INSYNC_REPLICAS: \"2\"", yaml, StringComparison.Ordinal);
        Assert.Contains("Orderer__ConsensusType: kafka", yaml, StringComparison.Ordinal);
        Assert.Contains("Peer__StateDatabase: postgres", yaml, StringComparison.Ordinal);
        Assert.Contains("Peer__Address: peer0.amazon.zoncoin.local:7051", yaml, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:7051:7051", yaml, StringComparison.Ordinal);
        var amazon = ConnectionProfile.Load(Path.Combine(_out, "connections", "Amazon.json"));
        Assert.Equal("peer0.amazon.zoncoin.local:7051", amazon.Gateway.Endpoint);

        foreach (var channel in topology.Channels)
        {
            var genesis = Block.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(_out, "channels", $"{channel.Name}.block")));
            var orderer = Blocks.ConfigOf(genesis)!.Orderer;
            Assert.Equal("kafka", orderer.ConsensusType);
            Assert.Equal(["kafka1:9092", "kafka2:9092", "kafka3:9092"], orderer.Kafka.Brokers);
            Assert.Equal(3, orderer.Organizations.Single().OrdererEndpoints.Count(e => e.StartsWith("orderer", StringComparison.Ordinal) && e.EndsWith(".orderer.zoncoin.local:7050", StringComparison.Ordinal)));
        }
        var (syntax, bashOutput) = Run("bash", "-n", Path.Combine(_out, "setup.sh"));
        Assert.True(syntax == 0, bashOutput);
        Assert.True(File.Exists(Path.Combine(_out, "contracts", "supplychain", "META-INF", "statedb", "couchdb", "indexes", "indexBatchStatus.json")));
        Assert.True(File.Exists(Path.Combine(_out, "connections", "Amazon.json")));
    }

    private static (int ExitCode, string Output) Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    public void Dispose()
    {
        if (Directory.Exists(_out))
        {
            Directory.Delete(_out, recursive: true);
        }
    }
}
