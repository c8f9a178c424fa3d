using System.Globalization;
using ZonCoin.Rpc.Client;

namespace ZonCoin.Integration.Tests.Support;

/// <summary>
/// A real gateway process (zoncoin-gateway.dll) for one org on free loopback ports, signing its own requests with the
/// org's client identity User1 (peers let clients query _lifecycle and qscc), using the given peers (its own org's first), in development mode (h2c).
/// </summary>
internal sealed class GatewayNode : IAsyncDisposable
{
    private readonly OrgMaterial _org;
    private readonly IReadOnlyList<string> _peers;
    private readonly IReadOnlyList<string> _extraArgs;
    private NodeProcess? _process;

    private GatewayNode(OrgMaterial org, IReadOnlyList<string> peers, IReadOnlyList<string> extraArgs)
    {
        _org = org;
        _peers = peers;
        _extraArgs = extraArgs;
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
        var node = new GatewayNode(org, peers, extraArgs);
        await NodeProcess.StartOnFreePortsAsync(node.StartAsync, node.NewPorts);
        return node;
    }

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
            "--insecure",
        };
        foreach (var peer in _peers)
        {
            args.AddRange(["--peer", peer]);
        }
        args.AddRange(_extraArgs);
        _process = NodeProcess.Start(Repo.GatewayDll, [.. args]);
        await _process.WaitUntilHealthyAsync(OperationsPort, $"gateway of {_org.Name}");
    }

    public RpcChannel Connect() => RpcChannel.ForAddress($"http://{Endpoint}");

    /// <summary>Asks the process to stop (SIGTERM) and waits for it.</summary>
    public Task StopAsync() => _process?.StopAsync() ?? Task.CompletedTask;

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
