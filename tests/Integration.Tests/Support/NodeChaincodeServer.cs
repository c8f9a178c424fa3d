using System.Diagnostics;
using ZonCoin.Core.Protocol;

namespace ZonCoin.Integration.Tests.Support;

/// <summary>
/// An unmodified Node chaincode of <c>tests/interop/chaincode</c> (fabric-contract-api; <c>asset-node</c> unless told),
/// served as a service by fabric-shim's <c>fabric-chaincode-node server</c> on a free loopback port, and deployed on a
/// <see cref="PeerNetwork"/> under a name of the caller's choosing.
/// </summary>
internal sealed class NodeChaincodeServer : IAsyncDisposable
{
    private readonly int _port = NodeProcess.FreePort();
    private Process? _process;

    private readonly string _modulePath;

    private NodeChaincodeServer(string name, string modulePath)
    {
        Name = name;
        _modulePath = modulePath;
    }

    public string Name { get; }

    public string Address => $"127.0.0.1:{_port}";

    /// <summary>The asset contract's folder (its <c>META-INF</c> holds its CouchDB index definitions).</summary>
    public static string ContractDirectory => Contract("asset-node");

    /// <summary>The folder of the Node contract <paramref name="folder"/> under <c>tests/interop/chaincode</c>.</summary>
    public static string Contract(string folder) => Path.Combine(Repo.InteropDirectory, "chaincode", folder);

    /// <summary>
    /// Starts the server, waits for its port, and deploys it as <paramref name="name"/> 1.0 for the network's two orgs
    /// (with its state database indexes when <paramref name="withIndexes"/>; under <paramref name="policy"/> when given,
    /// else the channel's default). The contract is <paramref name="modulePath"/> (see <see cref="Contract"/>), else the
    /// asset contract.
    /// </summary>
    public static async Task<NodeChaincodeServer> StartAndDeployAsync(PeerNetwork network, string name, bool withIndexes = false, string? policy = null, string? modulePath = null)
    {
        var server = new NodeChaincodeServer(name, modulePath ?? ContractDirectory);
        try
        {
            await server.StartAsync();
            string[] extra = [.. withIndexes ? ["--metadata-dir", ContractDirectory] : Array.Empty<string>(), .. policy is null ? [] : new[] { "--policy", policy }];
            var args = network.DeployArgs("deploy", server.Address, extra).ToList();
            args[args.IndexOf("--name") + 1] = name;
            var (exitCode, output) = await NodeProcess.RunAsync(Repo.CliDll, [.. args], null);
            Assert.True(exitCode == 0, $"deploy of {name} failed: {output}");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        var interop = Repo.InteropDirectory;
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = interop,
        };
        foreach (var arg in new[]
        {
            Path.Combine(interop, "node_modules", "fabric-shim", "cli.js"), "server",
            "--chaincode-address", Address,
            "--chaincode-id", ChaincodePackageIds.Compute(Name, "1.0", Address),
            "--module-path", _modulePath,
        })
        {
            start.ArgumentList.Add(arg);
        }
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            Assert.False(_process.HasExited, "the Node chaincode server exited");
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, _port, timeout.Token);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process?.Dispose();
        return ValueTask.CompletedTask;
    }
}
