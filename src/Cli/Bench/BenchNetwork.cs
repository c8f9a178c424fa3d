using System.Globalization;
using Google.Protobuf;
using Grpc.Net.Client;
using ZonCoin.Cli.Admin;
using ZonCoin.Cli.Crypto;
using ZonCoin.Cli.Network;
using ZonCoin.Core.Config;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Cli.Bench;

/// <summary>A throwaway ordering network for benchmarks: crypto in a temp folder, orderer processes on free ports.</summary>
internal sealed class BenchNetwork : IAsyncDisposable
{
    private readonly string _root;
    private readonly List<BenchOrderer> _orderers = [];
    private readonly List<IAsyncDisposable> _extras = [];

    private BenchNetwork(string root, SigningIdentity client)
    {
        _root = root;
        Client = client;
    }

    public SigningIdentity Client { get; }

    public IReadOnlyList<BenchOrderer> Orderers => _orderers;

    public static async Task<BenchNetwork> StartAsync(OrdererBenchmarkSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        var root = Path.Combine(Path.GetTempPath(), "zoncoin-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var ordererOrg = new OrgCryptoRequest("OrdererOrg", "OrdererMSP", "orderer.bench.local", 0, settings.Orderers, 0, Path.Combine(root, "orderer"));
        var clientOrg = new OrgCryptoRequest("Org1", "Org1MSP", "org1.bench.local", 0, 0, 1, Path.Combine(root, "org1"));
        OrgCryptoGenerator.Generate(ordererOrg);
        OrgCryptoGenerator.Generate(clientOrg);
        var client = MspDirectory.LoadSigningIdentity(Path.Combine(clientOrg.OutputDirectory, "users", $"User1@{clientOrg.Domain}", "msp"), clientOrg.MspId);
        var network = new BenchNetwork(root, client);
        try
        {
            string[] extraArgs = [];
            var brokers = new List<string>();
            if (settings.Consensus == "kafka")
            {
                var kafka = await BenchKafka.StartAsync(ChannelIdOf(), cancellationToken).ConfigureAwait(false);
                network._extras.Add(kafka);
                brokers.AddRange(kafka.Brokers);
                extraArgs = ["--kafka-brokers", string.Join(',', kafka.Brokers), "--Orderer:Kafka:ReplicationFactor", "3"];
            }
            for (var i = 0; i < settings.Orderers; i++)
            {
                var nodeDirectory = Path.Combine(ordererOrg.OutputDirectory, "orderers", $"orderer{i}.{ordererOrg.Domain}");
                network._orderers.Add(BenchOrderer.Start(i, nodeDirectory, Path.Combine(root, $"data{i}"), settings.Consensus, extraArgs));
            }
            var config = ChannelConfigBuilder.Create(
                ChannelIdOf(),
                [new OrganizationDefinition(clientOrg.Org, clientOrg.MspId, MspDirectory.LoadDefinition(Path.Combine(clientOrg.OutputDirectory, "msp"), clientOrg.MspId))],
                [new OrganizationDefinition(ordererOrg.Org, ordererOrg.MspId, MspDirectory.LoadDefinition(Path.Combine(ordererOrg.OutputDirectory, "msp"), ordererOrg.MspId))
                {
                    OrdererEndpoints = [.. network._orderers.Select(o => o.Endpoint)],
                }],
                new OrderingDefinition
                {
                    ConsensusType = settings.Consensus,
                    KafkaBrokers = brokers,
                    BatchTimeout = settings.BatchTimeout,
                    MaxMessageCount = settings.MaxMessageCount,
                });
            var genesis = Blocks.Genesis(ConfigUpdates.CreateConfigEnvelope(config)).ToByteArray();
            foreach (var orderer in network._orderers)
            {
                await orderer.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
                using var admin = new ParticipationClient(new AdminConnection(orderer.AdminEndpoint, null, null, null));
                await admin.JoinAsync(genesis, cancellationToken).ConfigureAwait(false);
            }
            output.WriteLine($"started {network._orderers.Count} orderer process(es) under {root}");
            return network;
        }
        catch
        {
            await network.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public static GrpcChannel Connect(BenchOrderer orderer) => RpcChannels.ForAddress($"http://{orderer.Endpoint}");

    /// <summary>The channel's height on the last orderer.</summary>
    public async Task<ulong> HeightAsync(CancellationToken cancellationToken)
    {
        using var channel = Connect(_orderers[^1]);
        var request = DeliverRequests.Create(ChannelIdOf(), DeliverRequests.Range(DeliverRequests.Newest(), DeliverRequests.Newest()), Client);
        var blocks = await DeliverClient.ReadBlocksAsync(channel.CreateCallInvoker(), request, cancellationToken).ConfigureAwait(false);
        return blocks[^1].Header.Number + 1;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var orderer in _orderers)
        {
            orderer.Dispose();
        }
        foreach (var extra in _extras)
        {
            await extra.DisposeAsync().ConfigureAwait(false);
        }
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string ChannelIdOf() => "bench";
}

/// <summary>One orderer process started by the benchmark (h2c, plain admin endpoint).</summary>
internal sealed class BenchOrderer : IDisposable
{
    private readonly LocalNode _process;
    private readonly int _operationsPort;

    private BenchOrderer(LocalNode process, string endpoint, string adminEndpoint, int operationsPort)
    {
        _process = process;
        Endpoint = endpoint;
        AdminEndpoint = adminEndpoint;
        _operationsPort = operationsPort;
    }

    public string Endpoint { get; }

    public string AdminEndpoint { get; }

    public static BenchOrderer Start(int index, string nodeDirectory, string dataDirectory, string consensus, IReadOnlyList<string> extraArgs)
    {
        var (port, admin, operations) = (LocalNode.FreePort(), LocalNode.FreePort(), LocalNode.FreePort());
        var process = LocalNode.Start($"orderer{index}", "zoncoin-orderer.dll",
        [
            "--listen", $"127.0.0.1:{port}", "--admin-listen", $"127.0.0.1:{admin}", "--operations-listen", $"127.0.0.1:{operations}",
            "--data-dir", dataDirectory, "--msp-id", "OrdererMSP", "--msp-dir", Path.Combine(nodeDirectory, "msp"),
            "--consensus", consensus, "--insecure", "true", "--Logging:LogLevel:Default", "Warning", .. extraArgs,
        ]);
        return new BenchOrderer(process, $"127.0.0.1:{port}", $"127.0.0.1:{admin}", operations);
    }

    public Task WaitReadyAsync(CancellationToken cancellationToken) => _process.WaitHealthyAsync(_operationsPort, cancellationToken);

    public void Dispose() => _process.Dispose();

    public override string ToString() => Endpoint;
}
