using System.Globalization;
using Google.Protobuf;
using Grpc.Net.Client;
using ZonCoin.Protos.Common;
using ZonCoin.Rpc.Client;

namespace ZonCoin.Integration.Tests.Support;

/// <summary>A real orderer process (zoncoin-orderer.dll) on free loopback ports, with its own data directory.</summary>
internal sealed class OrdererNode : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly Consortium _consortium;
    private readonly string[] _extraArgs;
    private NodeProcess? _process;

    private OrdererNode(Consortium consortium, int index, string dataDirectory, bool tls, string consensus, string[] extraArgs)
    {
        _consortium = consortium;
        Index = index;
        DataDirectory = dataDirectory;
        Tls = tls;
        Consensus = consensus;
        _extraArgs = extraArgs;
        NewPorts();
    }

    public Consortium Consortium => _consortium;

    public int Index { get; }

    public string DataDirectory { get; }

    public bool Tls { get; }

    public string Consensus { get; }

    public int Port { get; private set; }

    public int AdminPort { get; private set; }

    public int OperationsPort { get; private set; }

    /// <summary>The gRPC address clients dial.</summary>
    public string Address => $"{(Tls ? "https" : "http")}://127.0.0.1:{Port}";

    public string AdminAddress => $"127.0.0.1:{AdminPort}";

    public string NodeDirectory => _consortium.Orderer.OrdererDirectory(Index);

    public string TlsCaFile => Path.Combine(NodeDirectory, "tls", "ca.crt");

    public string Output => _process?.Output ?? "";

    public NodeProcess Process => _process ?? throw new InvalidOperationException("not started");

    public static async Task<OrdererNode> StartAsync(Consortium consortium, int index = 0, bool tls = true, string consensus = "solo", string? dataDirectory = null, params string[] extraArgs)
    {
        var node = new OrdererNode(consortium, index, dataDirectory ?? consortium.NewDirectory($"orderer{index}"), tls, consensus, extraArgs);
        await NodeProcess.StartOnFreePortsAsync(node.StartAsync, node.NewPorts);
        return node;
    }

    /// <summary>Starts (or restarts) the process and waits until /healthz answers.</summary>
    /// <summary>Picks other free ports (before the first start, when another process took one of ours).</summary>
    private void NewPorts()
    {
        Port = NodeProcess.FreePort();
        AdminPort = NodeProcess.FreePort();
        OperationsPort = NodeProcess.FreePort();
    }

    public async Task StartAsync()
    {
        _process?.Dispose();
        var args = new List<string>
        {
            "--listen", $"127.0.0.1:{Port}",
            "--admin-listen", AdminAddress,
            "--operations-listen", $"127.0.0.1:{OperationsPort}",
            "--data-dir", DataDirectory,
            "--msp-id", _consortium.Orderer.MspId,
            "--msp-dir", Path.Combine(NodeDirectory, "msp"),
            "--consensus", Consensus,
        };
        args.AddRange(Tls ? ["--tls-dir", Path.Combine(NodeDirectory, "tls")] : ["--insecure"]);
        args.AddRange(_extraArgs);
        _process = NodeProcess.Start(Repo.OrdererDll, args);
        await _process.WaitUntilHealthyAsync(OperationsPort, $"orderer{Index}");
    }

    /// <summary>Waits until /healthz reports every channel serving (a Kafka chain is ready once it reached its brokers).</summary>
    public async Task WaitHealthyAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string last = "";
        while (!timeout.IsCancellationRequested)
        {
            try
            {
                using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{OperationsPort}/healthz"), timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
                last = await response.Content.ReadAsStringAsync(timeout.Token);
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100, CancellationToken.None);
        }
        throw new TimeoutException($"{this} did not become healthy: {last}{Environment.NewLine}{Output}");
    }

    /// <summary>Waits until /healthz answers 503 with a failed check whose reason names <paramref name="channelId"/>; returns the body.</summary>
    public async Task<string> WaitUnhealthyAsync(string channelId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string last = "";
        while (!timeout.IsCancellationRequested)
        {
            try
            {
                using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{OperationsPort}/healthz"), timeout.Token);
                last = await response.Content.ReadAsStringAsync(timeout.Token);
                if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && last.Contains($"channel {channelId}", StringComparison.Ordinal))
                {
                    return last;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100, CancellationToken.None);
        }
        throw new TimeoutException($"{this} did not report channel {channelId} unhealthy: {last}{Environment.NewLine}{Output}");
    }

    public Task StopAsync() => _process?.StopAsync() ?? Task.CompletedTask;

    public void Kill() => _process?.Kill();

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    /// <summary>Joins a channel through the real CLI (<c>zoncoin orderer join</c>) as the orderer org's admin.</summary>
    public async Task<(int ExitCode, string Output)> JoinAsync(Block genesis)
    {
        var file = Path.Combine(_consortium.NewDirectory("blocks"), "genesis.block");
        await File.WriteAllBytesAsync(file, genesis.ToByteArray());
        var channel = Protos.Common.ChannelHeader.Parser.ParseFrom(Payload.Parser.ParseFrom(Envelope.Parser.ParseFrom(genesis.Data.Data[0]).Payload).Header.ChannelHeader).ChannelId;
        return await CliAsync("join", "--channel", channel, "--block", file);
    }

    /// <summary>Runs <c>zoncoin orderer &lt;verb&gt; ...</c> against this node's admin endpoint.</summary>
    public Task<(int ExitCode, string Output)> CliAsync(params string[] args)
    {
        var all = new List<string> { "orderer" };
        all.AddRange(args);
        all.AddRange(["--orderer", AdminAddress]);
        if (Tls)
        {
            var adminTls = Path.Combine(_consortium.Orderer.UserDirectory("Admin"), "tls");
            all.AddRange(["--ca-file", TlsCaFile, "--client-cert", Path.Combine(adminTls, "client.crt"), "--client-key", Path.Combine(adminTls, "client.key")]);
        }
        return NodeProcess.RunAsync(Repo.CliDll, [.. all]);
    }

    /// <summary>A gRPC channel to this node as a user of <paramref name="org"/>.</summary>
    public GrpcChannel Connect(OrgMaterial org, string user = "User1") => org.Connect(Address, TlsCaFile, user);

    public async Task<string> GetOperationsAsync(string path)
    {
        return await Http.GetStringAsync(new Uri($"http://127.0.0.1:{OperationsPort}{path}"));
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.StopAsync();
            _process.Dispose();
        }
    }

    public override string ToString() => $"orderer{Index} (port {Port.ToString(CultureInfo.InvariantCulture)})";
}
