using System.Diagnostics;
using System.Globalization;
using ZonCoin.Ledger.State;
using ZonCoin.Ledger.State.Postgres;
using ZonCoin.Peer.LedgerTools;
using ZonCoin.Shared;

namespace ZonCoin.Cli.Bench;

/// <summary>The state database <c>zoncoin bench commit</c> commits to: <c>sqlite</c> or <c>postgres</c>, with the
/// connection string of an existing PostgreSQL database (null: a throwaway server the benchmark starts and stops).</summary>
internal sealed record CommitBenchmarkState(string Kind = StateDatabaseSettings.Sqlite, string? PostgresConnectionString = null);

/// <summary>
/// <c>zoncoin bench commit</c>: builds N endorsed transactions in memory (<see cref="CommitWorkload"/>), then commits
/// their blocks through the peer's commit path (<see cref="OfflineLedger"/>: orderer signature check, parallel validation, MVCC, block store append
/// with fsync, SQLite or PostgreSQL state and history) on a fresh data folder holding a state of
/// <see cref="CommitWorkloadSettings.PreloadKeys"/> keys (loaded first through committed blocks, not timed), and
/// prints tx/s, blocks/s and per-block commit latency; then the latency of queries over the loaded state (point
/// reads, 100-key range reads). Only the commits of the transaction blocks and the queries are timed.
/// </summary>
internal static class CommitBenchmark
{
    /// <summary>Point reads and range reads timed after the commits.</summary>
    private const int PointReads = 2000;
    private const int RangeReads = 200;
    private const int RangeKeys = 100;
    private const int RichQueries = 200;

    public static Task RunAsync(CommitWorkloadSettings settings, CommitBenchmarkState state, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(state);
        var root = Path.Combine(Path.GetTempPath(), "zoncoin-bench-commit-" + Guid.NewGuid().ToString("N")[..8]);
        TemporaryPostgresServer? server = null;
        string? dropChannel = null;
        var postgres = "";
        try
        {
            if (state.Kind == StateDatabaseSettings.Postgres)
            {
                if (string.IsNullOrWhiteSpace(state.PostgresConnectionString))
                {
                    var starting = Stopwatch.GetTimestamp();
                    server = new TemporaryPostgresServer();
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"started a throwaway PostgreSQL server on 127.0.0.1:{server.Port} in {Stopwatch.GetElapsedTime(starting).TotalSeconds:F1} s"));
                    postgres = server.ConnectionString;
                }
                else
                {
                    postgres = state.PostgresConnectionString;
                }
                // A channel (schema) of its own, dropped at the end: an existing database is left as it was.
                settings = settings with { ChannelId = "bench-" + Guid.NewGuid().ToString("N")[..8] };
            }
            var built = Stopwatch.GetTimestamp();
            var workload = CommitWorkload.Create(settings, Path.Combine(root, "crypto"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"built {settings.Transactions} transactions ({settings.Orgs} endorsements each) in {workload.TransactionBlocks.Count} blocks and {settings.PreloadKeys} preloaded keys in {workload.PreloadBlocks.Count} blocks in {Stopwatch.GetElapsedTime(built).TotalSeconds:F1} s"));
            var dataDirectory = Path.Combine(root, "data");
            dropChannel = state.Kind == StateDatabaseSettings.Postgres ? settings.ChannelId : null;
            using (var ledger = workload.Join(dataDirectory, new StateDatabaseSettings(state.Kind, postgres)))
            {
                var loading = Stopwatch.GetTimestamp();
                foreach (var block in workload.SetupBlocks.Concat(workload.PreloadBlocks))
                {
                    Expect(ledger.Commit(block.Clone()).All(v => v.IsValid), $"setup block {block.Header.Number} has invalid transactions");
                }
                if (settings.PreloadKeys > 0)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"loaded {settings.PreloadKeys} keys in {Stopwatch.GetElapsedTime(loading).TotalSeconds:F1} s (not timed)"));
                }
                MeasureCommits(workload, ledger, state.Kind, output, cancellationToken);
                MeasureQueries(settings, ledger.State, output, cancellationToken);
            }
        }
        finally
        {
            if (dropChannel is not null)
            {
                PostgresStateDatabase.Drop(postgres, dropChannel);
            }
            server?.Dispose();
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

    private static void MeasureCommits(CommitWorkload workload, OfflineLedger ledger, string kind, TextWriter output, CancellationToken cancellationToken)
    {
        var settings = workload.Settings;
        var latencies = new double[workload.TransactionBlocks.Count];
        var valid = 0;
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < workload.TransactionBlocks.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var before = Stopwatch.GetTimestamp();
            var outcomes = ledger.Commit(workload.TransactionBlocks[i]);
            latencies[i] = Stopwatch.GetElapsedTime(before).TotalMilliseconds;
            valid += outcomes.Count(v => v.IsValid);
            if (i == 0 && outcomes.FirstOrDefault(v => !v.IsValid) is { Reason: not null } invalid)
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
            $"commit {kind}: {settings.Transactions} txs, {settings.Orgs} orgs, {latencies.Length} blocks of {settings.BlockSize}, {settings.PreloadKeys} keys preloaded, {Environment.ProcessorCount} cores: "
            + $"{settings.Transactions / seconds:F0} tx/s, {latencies.Length / seconds:F1} blocks/s, "
            + $"block commit p50 {Percentile(latencies, 0.50):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms; "
            + $"CPU {cpu:F1} s ({cpu * 1e6 / settings.Transactions:F0} µs/tx, {cpu / seconds / Environment.ProcessorCount:P0} of the cores)"));
    }

    /// <summary>Times point reads and 100-key range reads of preloaded keys (random, fixed seed), one at a time.</summary>
    private static void MeasureQueries(CommitWorkloadSettings settings, IStateDatabase state, TextWriter output, CancellationToken cancellationToken)
    {
        if (settings.PreloadKeys == 0)
        {
            return;
        }
        var random = new Random(7);
        var ns = settings.ChaincodeName;
        var point = Time(PointReads, () =>
            Expect(state.Get(ns, CommitWorkload.PreloadKey(random.Next(settings.PreloadKeys))) is not null, "a preloaded key is missing"), cancellationToken);
        var rangeSize = Math.Min(RangeKeys, settings.PreloadKeys);
        var range = Time(RangeReads, () =>
        {
            var first = random.Next(settings.PreloadKeys - rangeSize + 1);
            var count = state.GetRange(ns, CommitWorkload.PreloadKey(first), CommitWorkload.PreloadKey(first + rangeSize)).Count();
            Expect(count == rangeSize, $"a range read returned {count} keys, not {rangeSize}");
        }, cancellationToken);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"query {state.Name}: {settings.PreloadKeys} keys: point read p50 {Percentile(point, 0.50):F3} ms, p99 {Percentile(point, 0.99):F3} ms ({PointReads} reads); "
            + $"range of {rangeSize} keys p50 {Percentile(range, 0.50):F3} ms, p99 {Percentile(range, 0.99):F3} ms ({RangeReads} reads)");
        if (RichQueryLatency(settings, state, cancellationToken) is { } rich)
        {
            line += "; " + rich;
        }
        output.WriteLine(line);
    }

    /// <summary>
    /// Times a rich query (CouchDB selector, PostgreSQL only) for the documents of one random owner — an indexed
    /// equality on two fields matching <see cref="CommitWorkload.PreloadOwners"/>th of the preloaded keys — read to
    /// the end. Null where the state database has no rich queries (SQLite).
    /// </summary>
    private static string? RichQueryLatency(CommitWorkloadSettings settings, IStateDatabase state, CancellationToken cancellationToken)
    {
        if (!state.SupportsRichQueries)
        {
            return null;
        }
        var random = new Random(11);
        var owners = Math.Min(CommitWorkload.PreloadOwners, settings.PreloadKeys);
        var matched = 0L;
        var latencies = Time(RichQueries, () =>
        {
            var owner = random.Next(owners);
            var query = $$$"""{"selector":{"docType":"load","owner":"{{{CommitWorkload.PreloadOwner(owner)}}}"}}""";
            var count = state.ExecuteQuery(settings.ChaincodeName, query).Count();
            Expect(count > 0, $"the rich query for {CommitWorkload.PreloadOwner(owner)} found nothing");
            matched += count;
        }, cancellationToken);
        return string.Create(CultureInfo.InvariantCulture,
            $"rich query by an indexed owner ({matched / RichQueries} docs each) p50 {Percentile(latencies, 0.50):F3} ms, p99 {Percentile(latencies, 0.99):F3} ms ({RichQueries} queries)");
    }

    /// <summary>Runs <paramref name="query"/> <paramref name="count"/> times; returns each run's milliseconds, sorted.</summary>
    private static double[] Time(int count, Action query, CancellationToken cancellationToken)
    {
        var latencies = new double[count];
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var before = Stopwatch.GetTimestamp();
            query();
            latencies[i] = Stopwatch.GetElapsedTime(before).TotalMilliseconds;
        }
        Array.Sort(latencies);
        return latencies;
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
