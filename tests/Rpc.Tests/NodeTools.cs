using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace ZonCoin.Rpc.Tests;

/// <summary>
/// The @grpc/grpc-js interop classes run alone, after the parallel ones: starting Node processes loads a 2-core
/// machine enough to delay other tests' servers, e.g. past a short client deadline before a handler even starts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GrpcJsInteropGroup
{
    public const string Name = "grpc-js interop";
}

/// <summary>
/// Runs the @grpc/grpc-js tools in tests/interop/tools with Node. Missing Node or missing node_modules is a failure
/// that says what to install, never a skip. Every process started here is killed (with its children) when its
/// test is done with it, whatever happened.
/// </summary>
internal static class NodeTools
{
    /// <summary>How long one client scenario may take: generous, for a loaded 2-core machine.</summary>
    public static readonly TimeSpan ScenarioTimeout = TimeSpan.FromMinutes(3);

    private static readonly Lazy<string> Root = new(FindRepoRoot);

    /// <summary>tests/interop: the Node package holding @grpc/grpc-js and the tools.</summary>
    public static string InteropDirectory => Path.Combine(Root.Value, "tests", "interop");

    /// <summary>Runs <c>node tools/&lt;script&gt; args...</c> to completion and parses the JSON it prints last.</summary>
    public static async Task<JsonElement> RunAsync(string script, params string[] arguments)
    {
        using var process = Start(script, arguments, redirectInput: false);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            using var timeout = new CancellationTokenSource(ScenarioTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                throw new TimeoutException(
                    $"node tools/{script} {string.Join(' ', arguments)} did not finish within {ScenarioTimeout.TotalSeconds} s:\n{await DrainAsync(stderr)}\n{await DrainAsync(stdout)}");
            }
            var output = await stdout;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"node tools/{script} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await stderr}\n{output}");
            }
            var lastLine = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
                ?? throw new InvalidOperationException($"node tools/{script} printed nothing:\n{await stderr}");
            using var document = JsonDocument.Parse(lastLine);
            return document.RootElement.Clone();
        }
        finally
        {
            Kill(process);
        }
    }

    /// <summary>Starts <c>node tools/&lt;script&gt;</c> with redirected output (and input when asked).</summary>
    public static Process Start(string script, IEnumerable<string> arguments, bool redirectInput)
    {
        EnsureInstalled();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = InteropDirectory,
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine("tools", script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                "cannot run 'node': Node 20+ must be on PATH for the @grpc/grpc-js interop tests (scripts/test.sh requires it)", ex);
        }
    }

    /// <summary>Kills the process and its children if it is still running; never throws.</summary>
    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already gone, or never started.
        }
    }

    private static async Task<string> DrainAsync(Task<string> output)
    {
        // After a kill the pipes close; do not wait forever for a grandchild that kept them open.
        var finished = await Task.WhenAny(output, Task.Delay(TimeSpan.FromSeconds(10)));
        return finished == output ? await output : "(output not available)";
    }

    private static void EnsureInstalled()
    {
        foreach (var package in new[] { "@grpc/grpc-js", "@grpc/proto-loader", "@hyperledger/fabric-protos", "google-protobuf" })
        {
            var manifest = Path.Combine(InteropDirectory, "node_modules", package, "package.json");
            if (!File.Exists(manifest))
            {
                throw new InvalidOperationException(
                    $"{manifest} is missing: run 'npm ci' in tests/interop before these tests (scripts/test.sh does)");
            }
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ZonCoin.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"no ZonCoin.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>tests/interop/tools/grpc-server.js running as a child process: a grpc-js Echo server on 127.0.0.1.</summary>
internal sealed class NodeGrpcServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(1);

    private readonly Process _process;
    private readonly StringBuilder _stderr;

    private NodeGrpcServer(Process process, StringBuilder stderr, int port)
    {
        _process = process;
        _stderr = stderr;
        Address = $"http://127.0.0.1:{port}";
    }

    public string Address { get; }

    /// <summary>What the server wrote to stderr so far (for failure messages).</summary>
    public string Errors
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static async Task<NodeGrpcServer> StartAsync()
    {
        var process = NodeTools.Start("grpc-server.js", [], redirectInput: true);
        var stderr = new StringBuilder();
        try
        {
            process.ErrorDataReceived += (_, e) =>
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            };
            process.BeginErrorReadLine();
            using var timeout = new CancellationTokenSource(StartTimeout);
            string? line;
            try
            {
                line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"node tools/grpc-server.js printed no port within {StartTimeout.TotalSeconds} s:\n{Snapshot(stderr)}");
            }
            if (line is null)
            {
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
                throw new InvalidOperationException($"node tools/grpc-server.js exited ({process.ExitCode}) before printing its port:\n{Snapshot(stderr)}");
            }
            using var document = JsonDocument.Parse(line);
            var port = document.RootElement.GetProperty("port").GetInt32();
            // Keep draining stdout so the server never blocks on a full pipe.
            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            return new NodeGrpcServer(process, stderr, port);
        }
        catch
        {
            NodeTools.Kill(process);
            process.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Closing stdin asks the server to exit; kill it if it does not.
            _process.StandardInput.Close();
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or InvalidOperationException)
        {
        }
        finally
        {
            NodeTools.Kill(_process);
            _process.Dispose();
        }
    }

    private static string Snapshot(StringBuilder stderr)
    {
        lock (stderr)
        {
            return stderr.ToString();
        }
    }
}
