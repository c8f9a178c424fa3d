using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace ZonCoin.Integration.Tests.Support;

/// <summary>
/// Runs a script from tests/interop/tools with Node and parses the JSON lines it prints (modelled on
/// tests/Interop.Tests' NodeTool). Missing Node or missing node_modules is a failure saying what to install, never a
/// skip; the child is killed when it overruns or the test stops waiting.
/// </summary>
internal static class NodeTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs <c>node tools/<paramref name="script"/> args...</c> and returns one JSON document per stdout line.</summary>
    public static async Task<IReadOnlyList<JsonElement>> RunAsync(string script, IEnumerable<string> args, CancellationToken cancellationToken = default)
    {
        EnsureInstalled();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Repo.InteropDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine("tools", script));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                "cannot run 'node': Node 20+ must be on PATH for the Fabric interop tests (scripts/test.sh requires it)", ex);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                throw new TimeoutException($"node tools/{script} did not finish within {Timeout.TotalSeconds} s:\n{await stderr}\n{await stdout}");
            }
            var output = await stdout;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"node tools/{script} exited with {process.ExitCode}:\n{await stderr}\n{output}");
            }
            var lines = new List<JsonElement>();
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                using var document = JsonDocument.Parse(line);
                lines.Add(document.RootElement.Clone());
            }
            return lines;
        }
    }

    private static void EnsureInstalled()
    {
        var package = Path.Combine(Repo.InteropDirectory, "node_modules", "@hyperledger", "fabric-protos", "package.json");
        if (!File.Exists(package))
        {
            throw new InvalidOperationException($"{package} is missing: run 'npm ci' in tests/interop before these tests (scripts/test.sh does)");
        }
    }
}
