using System.Diagnostics;
using System.Globalization;

namespace ZonCoin.Cli.Bench;

/// <summary>
/// The same workload as <see cref="RpcBenchmark"/>, driven by <c>@grpc/grpc-js</c> (tests/interop/tools/bench-client.js)
/// against our in-process server, so the two clients can be compared on one machine.
/// </summary>
internal static class GrpcJsBenchmark
{
    public static async Task<int> RunAsync(RpcBenchmarkSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        if (settings.Tls)
        {
            throw new InvalidOperationException("--client grpc-js runs over h2c only; drop --tls");
        }
        var interop = FindInteropFolder()
            ?? throw new InvalidOperationException("tests/interop not found: run from a ZonCoin checkout (after `npm ci` in tests/interop)");
        if (!Directory.Exists(Path.Combine(interop, "node_modules", "@grpc", "grpc-js")))
        {
            throw new InvalidOperationException($"@grpc/grpc-js is not installed: run `npm ci` in {interop}");
        }
        await using var server = await BenchServer.StartAsync(null, cancellationToken).ConfigureAwait(false);
        var start = new ProcessStartInfo("node") { WorkingDirectory = interop, UseShellExecute = false };
        foreach (var argument in new[]
        {
            Path.Combine("tools", "bench-client.js"),
            new Uri(server.Address).Authority,
            settings.Calls.ToString(CultureInfo.InvariantCulture),
            settings.Concurrency.ToString(CultureInfo.InvariantCulture),
            settings.Size.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }
        start.RedirectStandardOutput = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        try
        {
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false)) is not null)
            {
                await output.WriteLineAsync(line).ConfigureAwait(false);
            }
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return process.ExitCode;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static string? FindInteropFolder()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ZonCoin.sln")))
                {
                    return Path.Combine(dir.FullName, "tests", "interop");
                }
            }
        }
        return null;
    }
}
