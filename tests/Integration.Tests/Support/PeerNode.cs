using System.Globalization;
using Google.Protobuf;
using Grpc.Net.Client;
using ZonCoin.Protos.Common;
using ZonCoin.Rpc.Client;

namespace ZonCoin.Integration.Tests.Support;

/// <summary>A real peer process (zoncoin-peer.dll) of one org on free loopback ports (development mode: h2c, plain admin HTTP).</summary>
internal sealed class PeerNode : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly Consortium _consortium;
    private readonly int? _fixedPort;
    private NodeProcess? _process;

    private PeerNode(Consortium consortium, OrgMaterial org, string dataDirectory, int? port = null)
    {
        _consortium = consortium;
        _fixedPort = port;
        Org = org;
        DataDirectory = dataDirectory;
        NewPorts();
    }

    public OrgMaterial Org { get; }

    public string DataDirectory { get; }

    public int Port { get; private set; }

    public int AdminPort { get; private set; }

    public int OperationsPort { get; private set; }

    /// <summary>host:port of the gRPC endpoint (Endorser, Deliver), as the CLI takes it.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    public string AdminAddress => $"127.0.0.1:{AdminPort}";

    public string Output => _process?.Output ?? "";

    /// <param name="port">The gRPC port, when the channel configuration already names it (the org's anchor peer); a free one otherwise.</param>
    public static async Task<PeerNode> StartAsync(Consortium consortium, OrgMaterial org, bool tls = false, IReadOnlyDictionary<string, string>? environment = null,
        PeerProgramFile? program = null, int? port = null)
    {
        var node = new PeerNode(consortium, org, consortium.NewDirectory($"peer-{org.Name}"), port)
        {
            Tls = tls, Environment = environment, Program = program ?? PeerProgramFile.Production,
        };
        await NodeProcess.StartOnFreePortsAsync(node.StartAsync, node.NewPorts);
        return node;
    }

    /// <summary>Mutual TLS on the gRPC and admin endpoints (and towards the orderer) instead of <c>--insecure</c>.</summary>
    public bool Tls { get; private init; }

    /// <summary>The program the process runs (every start).</summary>
    public PeerProgramFile Program { get; private init; } = PeerProgramFile.Production;

    /// <summary>Environment variables of the process (every start), e.g. <c>Peer__StateDatabase</c>.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; private init; }

    public string TlsCaFile => Path.Combine(Org.PeerDirectory(0), "tls", "ca.crt");

    /// <summary>The CLI's TLS flags for this peer's admin endpoint, as the org's admin.</summary>
    private string[] AdminTlsArgs()
    {
        if (!Tls)
        {
            return [];
        }
        var admin = Path.Combine(Org.UserDirectory("Admin"), "tls");
        return ["--ca-file", TlsCaFile, "--client-cert", Path.Combine(admin, "client.crt"), "--client-key", Path.Combine(admin, "client.key")];
    }

    /// <summary>Picks other free ports (before the first start, when another process took one of ours).</summary>
    private void NewPorts()
    {
        Port = _fixedPort ?? NodeProcess.FreePort();
        AdminPort = NodeProcess.FreePort();
        OperationsPort = NodeProcess.FreePort();
    }

    public async Task StartAsync()
    {
        _process?.Dispose();
        _process = NodeProcess.Start(Program.Dll,
        [
            .. Program.Args,
            "--listen", Endpoint,
            "--admin-listen", AdminAddress,
            "--operations-listen", $"127.0.0.1:{OperationsPort}",
            "--data-dir", DataDirectory,
            "--msp-id", Org.MspId,
            "--msp-dir", Path.Combine(Org.PeerDirectory(0), "msp"),
            .. (Tls ? new[] { "--tls-dir", Path.Combine(Org.PeerDirectory(0), "tls") } : ["--insecure"]),
        ], Environment);
        await _process.WaitUntilHealthyAsync(OperationsPort, $"peer of {Org.Name}");
    }

    /// <summary>Joins a channel through the real CLI (<c>zoncoin peer join</c>).</summary>
    public async Task<(int ExitCode, string Output)> JoinAsync(Block genesis)
    {
        var file = Path.Combine(_consortium.NewDirectory("blocks"), "genesis.block");
        await File.WriteAllBytesAsync(file, genesis.ToByteArray());
        var channel = ChannelHeader.Parser.ParseFrom(Payload.Parser.ParseFrom(Envelope.Parser.ParseFrom(genesis.Data.Data[0]).Payload).Header.ChannelHeader).ChannelId;
        return await NodeProcess.RunAsync(Repo.CliDll, ["peer", "join", "--channel", channel, "--block", file, "--peer", AdminAddress, .. AdminTlsArgs()], null);
    }

    public Task<(int ExitCode, string Output)> ListAsync(string? channel = null) => channel is null
        ? NodeProcess.RunAsync(Repo.CliDll, "peer", "list", "--peer", AdminAddress)
        : NodeProcess.RunAsync(Repo.CliDll, "peer", "list", "--peer", AdminAddress, "--channel", channel);

    public GrpcChannel Connect() => Tls ? Org.Connect($"https://{Endpoint}", TlsCaFile) : RpcChannels.ForAddress($"http://{Endpoint}");

    public bool HasExited => _process?.HasExited ?? true;

    /// <summary>Kills the process at once (SIGKILL), as a crash would (the peer has no child processes).</summary>
    public void Kill() => _process?.Kill(entireProcessTree: false);

    /// <summary>Asks the process to stop (SIGTERM) and waits for it.</summary>
    public Task StopAsync() => _process?.StopAsync() ?? Task.CompletedTask;

    /// <summary>The exit code once the process ended.</summary>
    public int? ExitCode => _process is { HasExited: true } process ? process.ExitCode : null;

    /// <summary>The channel's <c>ledger_height</c> from /metrics; null while the peer does not answer or does not report it.</summary>
    public async Task<ulong?> LedgerHeightAsync(string channelId)
    {
        try
        {
            var text = await Http.GetStringAsync(new Uri($"http://127.0.0.1:{OperationsPort}/metrics"));
            var match = System.Text.RegularExpressions.Regex.Match(text, "ledger_height\\{[^}]*channel=\"" + System.Text.RegularExpressions.Regex.Escape(channelId) + "\"[^}]*\\} (\\d+)");
            return match.Success ? ulong.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>The <c>chaincode_connections</c> gauge from /metrics; null while the peer does not answer or does not report it.</summary>
    public async Task<long?> ChaincodeConnectionsAsync()
    {
        try
        {
            var text = await Http.GetStringAsync(new Uri($"http://127.0.0.1:{OperationsPort}/metrics"));
            var match = System.Text.RegularExpressions.Regex.Match(text, "^chaincode_connections (\\d+)$", System.Text.RegularExpressions.RegexOptions.Multiline);
            return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.StopAsync();
            _process.Dispose();
        }
    }

    public override string ToString() => $"peer of {Org.Name} (port {Port.ToString(CultureInfo.InvariantCulture)})";
}

/// <summary>The C# sample chaincode (src/Chaincode.Sample) served as a service on a fixed loopback port.</summary>
internal sealed class ChaincodeHostNode : IDisposable
{
    private NodeProcess? _process;

    public ChaincodeHostNode(string name, string version)
    {
        Port = NodeProcess.FreePort();
        PackageId = Core.Protocol.ChaincodePackageIds.Compute(name, version, Address);
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public string PackageId { get; }

    public string Output => _process?.Output ?? "";

    /// <summary>
    /// Starts (or restarts) the host and waits until it reports serving on its port. Its own log line, not an open
    /// port, is the sign: on a restart another process may have taken the port meanwhile, and the host then exits.
    /// </summary>
    public async Task StartAsync()
    {
        _process?.Dispose();
        _process = NodeProcess.Start(Repo.ChaincodeSampleDll, [], new Dictionary<string, string>
        {
            ["CHAINCODE_SERVER_ADDRESS"] = Address,
            ["CHAINCODE_ID"] = PackageId,
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var serving = $"serving /protos.Chaincode/Connect on http://{Address}";
        while (!_process.Output.Contains(serving, StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"chaincode host exited with {_process.ExitCode}:\n{_process.Output}");
            }
            await Task.Delay(100, timeout.Token);
        }
    }

    /// <summary>Kills the host at once, as a crash would.</summary>
    public void Kill() => _process?.Kill();

    public void Dispose() => _process?.Dispose();
}

/// <summary>A peer program and its own arguments: the production peer, or a test host composing it with a fault.</summary>
internal sealed record PeerProgramFile(string Dll, IReadOnlyList<string> Args)
{
    public static PeerProgramFile Production => new(Repo.PeerDll, []);

    /// <summary>The peer that pauses a block before its savepoint whenever <paramref name="trigger"/> exists (tests/Peer.FaultHost).</summary>
    public static PeerProgramFile PausingBeforeSavepoint(string trigger) => new(Repo.PeerFaultHostDll, ["--pause-trigger", trigger]);
}
