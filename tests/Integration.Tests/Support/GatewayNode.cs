using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using ZonCoin.Rpc.Client;

namespace ZonCoin.Integration.Tests.Support;

/// <summary>
/// A real gateway process (zoncoin-gateway.dll) for one org on free loopback ports, signing its own requests with the
/// org's client identity User1 (peers let clients query _lifecycle and qscc), using the given peers (its own org's
/// first): in development mode (h2c), or with a TLS folder (server.crt, server.key, ca.crt) for TLS to applications
/// and mutual TLS to peers and orderers.
/// </summary>
internal sealed class GatewayNode : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly OrgMaterial _org;
    private readonly IReadOnlyList<string> _peers;
    private readonly IReadOnlyList<string> _extraArgs;
    private readonly string? _tlsDirectory;
    private NodeProcess? _process;

    private GatewayNode(OrgMaterial org, IReadOnlyList<string> peers, IReadOnlyList<string> extraArgs, string? tlsDirectory)
    {
        _org = org;
        _peers = peers;
        _extraArgs = extraArgs;
        _tlsDirectory = tlsDirectory;
        NewPorts();
    }

    public int Port { get; private set; }

    public int OperationsPort { get; private set; }

    /// <summary>host:port of the gateway's gRPC endpoint.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    public string Output => _process?.Output ?? "";

    /// <summary>
    /// Starts a gateway of <paramref name="org"/> that uses <paramref name="peers"/> (<c>host:port</c> for its own
    /// org's, <c>MSPID@host:port</c> for others').
    /// </summary>
    public static async Task<GatewayNode> StartAsync(OrgMaterial org, IReadOnlyList<string> peers, params string[] extraArgs)
    {
        var node = new GatewayNode(org, peers, extraArgs, tlsDirectory: null);
        await NodeProcess.StartOnFreePortsAsync(node.StartAsync, node.NewPorts);
        return node;
    }

    /// <summary>
    /// Starts a gateway of <paramref name="org"/> with <c>--tls-dir <paramref name="tlsDirectory"/></c> (a node's
    /// <c>tls/</c> folder: server.crt and server.key, which it also presents to peers and orderers, and the org's TLS
    /// CA ca.crt) instead of <c>--insecure</c>.
    /// </summary>
    public static async Task<GatewayNode> StartTlsAsync(OrgMaterial org, IReadOnlyList<string> peers, string tlsDirectory, params string[] extraArgs)
    {
        var node = new GatewayNode(org, peers, extraArgs, tlsDirectory);
        await NodeProcess.StartOnFreePortsAsync(node.StartAsync, node.NewPorts);
        return node;
    }

    /// <summary>True when the gateway serves TLS.</summary>
    public bool Tls => _tlsDirectory is not null;

    /// <summary>The TLS CA that signed the gateway's server certificate (its TLS folder's ca.crt).</summary>
    public string TlsCaFile => Path.Combine(_tlsDirectory ?? throw new InvalidOperationException("the gateway runs without TLS"), "ca.crt");

    private void NewPorts()
    {
        Port = NodeProcess.FreePort();
        OperationsPort = NodeProcess.FreePort();
    }

    public async Task StartAsync()
    {
        _process?.Dispose();
        var args = new List<string>
        {
            "--listen", Endpoint,
            "--operations-listen", $"127.0.0.1:{OperationsPort}",
            "--msp-id", _org.MspId,
            "--msp-dir", Path.Combine(_org.UserDirectory("User1"), "msp"),
        };
        args.AddRange(_tlsDirectory is null ? ["--insecure"] : ["--tls-dir", _tlsDirectory]);
        foreach (var peer in _peers)
        {
            args.AddRange(["--peer", peer]);
        }
        args.AddRange(_extraArgs);
        _process = NodeProcess.Start(Repo.GatewayDll, [.. args]);
        await _process.WaitUntilHealthyAsync(OperationsPort, $"gateway of {_org.Name}");
    }

    /// <summary>An application's channel to the gateway: h2c, or TLS trusting the gateway's TLS CA (no client certificate).</summary>
    public GrpcChannel Connect()
    {
        if (!Tls)
        {
            return RpcChannels.ForAddress($"http://{Endpoint}");
        }
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(TlsCaFile);
        return RpcChannels.ForAddress($"https://{Endpoint}", new RpcChannelOptions { RootCertificates = roots });
    }

    /// <summary>The <c>gateway_requests_in_flight</c> gauge from /metrics (requests holding a concurrency slot); null while the gateway does not answer.</summary>
    public async Task<long?> RequestsInFlightAsync(CancellationToken cancellationToken)
    {
        try
        {
            var text = await Http.GetStringAsync(new Uri($"http://127.0.0.1:{OperationsPort}/metrics"), cancellationToken);
            var match = System.Text.RegularExpressions.Regex.Match(text, @"(?m)^gateway_requests_in_flight(?:\{[^}]*\})? (\d+)");
            return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>Asks the process to stop (SIGTERM) and waits for it.</summary>
    public Task StopAsync() => _process?.StopAsync() ?? Task.CompletedTask;

    /// <summary>The exit code once the process ended.</summary>
    public int? ExitCode => _process is { HasExited: true } process ? process.ExitCode : null;

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.StopAsync();
            _process.Dispose();
        }
    }

    public override string ToString() => $"gateway of {_org.Name} (port {Port.ToString(CultureInfo.InvariantCulture)})";
}
