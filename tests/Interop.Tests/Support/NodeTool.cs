using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace ZonCoin.Interop.Tests.Support;

/// <summary>
/// Runs a script from tests/interop/tools with Node and parses the JSON it prints. Missing Node or missing
/// node_modules is a failure with a message saying what to install, never a skip.
/// </summary>
internal static class NodeTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Writes <paramref name="request"/> to a JSON file, runs the tool on it and returns its output.</summary>
    public static JsonElement Run(string script, object request, string workDirectory)
    {
        EnsureInstalled();
        var requestPath = Path.Combine(workDirectory, $"{Path.GetFileNameWithoutExtension(script)}.request.json");
        File.WriteAllText(requestPath, JsonSerializer.Serialize(request));

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepoPaths.InteropDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine("tools", script));
        start.ArgumentList.Add(requestPath);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                "cannot run 'node': Node 20+ must be on PATH for the Fabric client interop tests (scripts/test.sh requires it)", ex);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"node tools/{script} did not finish within {Timeout.TotalSeconds} s");
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"node tools/{script} exited with {process.ExitCode}:\n{stderr.Result}\n{stdout.Result}");
            }
            using var document = JsonDocument.Parse(stdout.Result);
            return document.RootElement.Clone();
        }
    }

    private static void EnsureInstalled()
    {
        var package = Path.Combine(RepoPaths.InteropDirectory, "node_modules", "@hyperledger", "fabric-gateway", "package.json");
        if (!File.Exists(package))
        {
            throw new InvalidOperationException(
                $"{package} is missing: run 'npm ci' in tests/interop before these tests (scripts/test.sh does)");
        }
    }
}
