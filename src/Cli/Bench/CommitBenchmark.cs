using System.Diagnostics;
using System.Globalization;
using ZonCoin.Cli.Ledger;

namespace ZonCoin.Cli.Bench;

/// <summary>
/// <c>zoncoin bench commit</c>: builds N endorsed transactions in memory (<see cref="CommitWorkload"/>), then commits
/// their blocks through the peer's channel (orderer signature check, parallel validation, MVCC, block store append
/// with fsync, SQLite state and history) on a fresh data folder, and prints tx/s, blocks/s and per-block commit
/// latency. Only the commits of the transaction blocks are timed.
/// </summary>
internal static class CommitBenchmark
{
    public static Task RunAsync(CommitWorkloadSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        var root = Path.Combine(Path.GetTempPath(), "zoncoin-bench-commit-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var built = Stopwatch.GetTimestamp();
            var workload = CommitWorkload.Create(settings, Path.Combine(root, "crypto"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"built {settings.Transactions} transactions ({settings.Orgs} endorsements each) in {workload.TransactionBlocks.Count} blocks in {Stopwatch.GetElapsedTime(built).TotalSeconds:F1} s"));
            using var channel = workload.Join(Path.Combine(root, "data"));
            foreach (var block in workload.SetupBlocks)
            {
                Expect(channel.Commit(block.Clone()).Verdicts.All(v => v.IsValid), $"setup block {block.Header.Number} has invalid transactions");
            }
            var latencies = new double[workload.TransactionBlocks.Count];
            var valid = 0;
            using var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < workload.TransactionBlocks.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var before = Stopwatch.GetTimestamp();
                var committed = channel.Commit(workload.TransactionBlocks[i]);
                latencies[i] = Stopwatch.GetElapsedTime(before).TotalMilliseconds;
                valid += committed.Verdicts.Count(v => v.IsValid);
                if (i == 0 && committed.Verdicts.FirstOrDefault(v => !v.IsValid) is { Reason: not null } invalid)
                {
                    throw new InvalidOperationException($"the benchmark's transactions are invalid: {invalid.Code}: {invalid.Reason}");
                }
            }
            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
            Expect(valid == settings.Transactions, $"only {valid} of {settings.Transactions} transactions were valid");
            Array.Sort(latencies);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"commit sqlite: {settings.Transactions} txs, {settings.Orgs} orgs, {latencies.Length} blocks of {settings.BlockSize}, {Environment.ProcessorCount} cores: "
                + $"{settings.Transactions / seconds:F0} tx/s, {latencies.Length / seconds:F1} blocks/s, "
                + $"block commit p50 {Percentile(latencies, 0.50):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms; "
                + $"CPU {cpu:F1} s ({cpu * 1e6 / settings.Transactions:F0} µs/tx, {cpu / seconds / Environment.ProcessorCount:P0} of the cores)"));
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
        return Task.CompletedTask;
    }

    private static void Expect(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1))];
}
