using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ZonCoin.Cli.Lifecycle;
using ZonCoin.Cli.Network;
using ZonCoin.Gateway.Client;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Cli.Bench;

/// <summary>What <c>zoncoin bench gateway</c> runs.</summary>
/// <param name="Rate">Open loop: transactions started per second whatever is still in flight; 0 for the closed loop of <paramref name="Clients"/>.</param>
internal sealed record GatewayBenchmarkSettings(
    int Clients, TimeSpan Duration, TimeSpan Warmup, string Workload, int Keys, string? Profile, string? Channel, string? Chaincode,
    TimeSpan BatchTimeout, uint MaxMessageCount, int Rate = 0, bool StandaloneGateways = false);

/// <summary>
/// Drives the full transaction path through a gateway (each transaction: endorse by the policy's organisations,
/// submit, wait for the commit status) and prints committed transactions per second, latency from submit to commit
/// status, and failures by validation code. The load is a closed loop of N clients, each with one transaction in
/// flight, or (with a rate) an open loop: transactions start at fixed times whatever is still in flight, as users'
/// applications and Fabric's benchmark tools send them, and the latency of each second's arrivals is printed, so a
/// queue that builds up shows. Without a profile it starts a two-organisation network
/// of local processes (AND policy) and stops it afterwards; with one it drives any Fabric-compatible gateway running
/// Fabric's asset-transfer-basic functions (CreateAsset, TransferAsset, ReadAsset).
/// </summary>
internal static class GatewayBenchmark
{
    public static async Task RunAsync(GatewayBenchmarkSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        LocalNetwork? network = null;
        var root = Path.Combine(Path.GetTempPath(), "zoncoin-bench-gateway-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            ConnectionProfile profile;
            string channel;
            string chaincode;
            if (settings.Profile is null)
            {
                network = await LocalNetwork.StartAsync(new LocalNetworkSpec
                {
                    Root = root, BatchTimeout = settings.BatchTimeout, MaxMessageCount = settings.MaxMessageCount, StandaloneGateways = settings.StandaloneGateways,
                }, output, cancellationToken).ConfigureAwait(false);
                profile = network.Profiles[network.Spec.Organizations[0]];
                (channel, chaincode) = (network.Spec.ChannelId, network.Spec.Chaincode);
            }
            else
            {
                profile = ConnectionProfile.Load(settings.Profile);
                channel = settings.Channel ?? (profile.Channels.Count > 0 ? profile.Channels[0] : throw new ArgumentException("--channel is required: the profile lists no channels"));
                chaincode = settings.Chaincode ?? throw new ArgumentException("--chaincode is required with --profile");
            }
            using var gateway = Gateway.Client.Gateway.Connect(profile, new GatewayOptions
            {
                EvaluateTimeout = TimeSpan.FromSeconds(30),
                EndorseTimeout = TimeSpan.FromSeconds(60),
                SubmitTimeout = TimeSpan.FromSeconds(30),
                CommitStatusTimeout = TimeSpan.FromMinutes(2),
            });
            var contract = gateway.GetNetwork(channel).GetContract(chaincode);
            var run = Guid.NewGuid().ToString("N")[..6];
            var keys = settings.Workload == "put" ? [] : await CreateKeysAsync(contract, run, settings, output, cancellationToken).ConfigureAwait(false);

            var load = settings.Rate > 0 ? $"open loop at {settings.Rate} tx/s" : $"{settings.Clients} clients";
            output.WriteLine($"workload {settings.Workload}: {load}, {settings.Warmup.TotalSeconds:0.#} s warm-up, {settings.Duration.TotalSeconds:0.#} s measured; gateway {profile.Gateway.Endpoint} ({profile.MspId}), channel {channel}, chaincode {chaincode}");
            var warmup = new Recorder();
            await DriveAsync(contract, settings, keys, run, "w", warmup, settings.Warmup, cancellationToken).ConfigureAwait(false);
            var recorder = new Recorder();
            var cpu = new CpuAccount(network?.Nodes ?? []);
            var blocksBefore = network is null ? null : await BlocksCutAsync(network.OrdererOperations, channel, cancellationToken).ConfigureAwait(false);
            var elapsed = await DriveAsync(contract, settings, keys, run, "m", recorder, settings.Duration, cancellationToken).ConfigureAwait(false);
            Report(recorder, elapsed, settings.Workload, output);
            cpu.Report(recorder.Latencies.Count, output);
            var blocksAfter = network is null ? null : await BlocksCutAsync(network.OrdererOperations, channel, cancellationToken).ConfigureAwait(false);
            if (blocksBefore is { } before && blocksAfter is { } after && after > before)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"blocks: {after - before} cut while measuring, {(double)recorder.Latencies.Count / (after - before):0.0} tx per block"));
            }
            if (settings.Rate > 0)
            {
                ReportSeconds(recorder, output);
            }
        }
        finally
        {
            if (network is not null)
            {
                await network.DisposeAsync().ConfigureAwait(false);
            }
            try
            {
                if (Directory.Exists(root))
                {
                    Directory.Delete(root, recursive: true);
                }
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<string[]> CreateKeysAsync(Contract contract, string run, GatewayBenchmarkSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        var keys = Enumerable.Range(0, settings.Keys).Select(i => $"bench-{run}-{i}").ToArray();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(settings.Clients, 64)).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < keys.Length)
            {
                await contract.SubmitTransactionAsync("CreateAsset", ProposalOptions.WithArguments(keys[index], "blue", "5", "bench", "100"), cancellationToken).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
        output.WriteLine($"created {keys.Length} assets for the {settings.Workload} workload");
        return keys;
    }

    /// <summary>Runs every client for the duration; returns the time it took until the last in-flight transaction finished.</summary>
    private static async Task<TimeSpan> DriveAsync(
        Contract contract, GatewayBenchmarkSettings settings, string[] keys, string run, string phase, Recorder recorder, TimeSpan duration, CancellationToken cancellationToken)
    {
        if (duration <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }
        if (settings.Rate > 0)
        {
            return await DriveOpenLoopAsync(contract, settings, keys, run, phase, recorder, duration, cancellationToken).ConfigureAwait(false);
        }
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, settings.Clients).Select(client => Task.Run(async () =>
        {
            var sequence = 0;
            while (Stopwatch.GetTimestamp() < stopAt && !cancellationToken.IsCancellationRequested)
            {
                var begin = Stopwatch.GetTimestamp();
                var outcome = await OneAsync(contract, settings.Workload, keys, $"bench-{run}-{phase}{client}-{sequence++}", recorder, cancellationToken).ConfigureAwait(false);
                recorder.Record(outcome, Stopwatch.GetElapsedTime(begin));
            }
        }, cancellationToken))).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>
    /// Starts transaction i at start + i / rate until the duration is over, without waiting for earlier ones; each one's
    /// latency counts from its scheduled start (a late start is the system's delay too), under the second it was due.
    /// Returns the time until the last one finished.
    /// </summary>
    private static async Task<TimeSpan> DriveOpenLoopAsync(
        Contract contract, GatewayBenchmarkSettings settings, string[] keys, string run, string phase, Recorder recorder, TimeSpan duration, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var interval = Stopwatch.Frequency / (double)settings.Rate;
        var count = (long)Math.Floor(duration.TotalSeconds * settings.Rate);
        var running = new List<Task>();
        var inFlight = 0;
        for (long i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
        {
            var due = started + (long)(i * interval);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
            var second = (int)(i / settings.Rate);
            recorder.Started(second, Interlocked.Increment(ref inFlight));
            var id = $"bench-{run}-{phase}-{i}";
            running.Add(Task.Run(async () =>
            {
                var outcome = await OneAsync(contract, settings.Workload, keys, id, recorder, cancellationToken).ConfigureAwait(false);
                Interlocked.Decrement(ref inFlight);
                recorder.Record(outcome, Stopwatch.GetElapsedTime(due), second);
            }, cancellationToken));
        }
        await Task.WhenAll(running).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>One transaction: null when it committed VALID (or, for reads, evaluated), else the failure's name.</summary>
    private static async Task<string?> OneAsync(Contract contract, string workload, string[] keys, string id, Recorder recorder, CancellationToken cancellationToken)
    {
        try
        {
            switch (workload)
            {
                case "read":
                    await contract.EvaluateTransactionAsync("ReadAsset", ProposalOptions.WithArguments(keys[Random.Shared.Next(keys.Length)]), cancellationToken).ConfigureAwait(false);
                    return null;
                case "transfer":
                    return await CommitAsync(contract, "TransferAsset", [keys[Random.Shared.Next(keys.Length)], id], recorder, cancellationToken).ConfigureAwait(false);
                default:
                    return await CommitAsync(contract, "CreateAsset", [id, "blue", "5", "bench", "100"], recorder, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (EndorseException ex)
        {
            return $"endorse {ex.StatusCode}";
        }
        catch (SubmitException ex)
        {
            return $"submit {ex.StatusCode}";
        }
        catch (CommitStatusException ex)
        {
            return $"commit status {ex.StatusCode}";
        }
        catch (GatewayException ex)
        {
            return $"{ex.StatusCode}";
        }
    }

    private static async Task<string?> CommitAsync(Contract contract, string function, string[] args, Recorder recorder, CancellationToken cancellationToken)
    {
        var begin = Stopwatch.GetTimestamp();
        var transaction = await contract.NewProposal(function, ProposalOptions.WithArguments(args)).EndorseAsync(cancellationToken).ConfigureAwait(false);
        var endorsed = Stopwatch.GetTimestamp();
        var submitted = await transaction.SubmitAsync(cancellationToken).ConfigureAwait(false);
        var ordered = Stopwatch.GetTimestamp();
        var status = await submitted.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        recorder.Stages(Stopwatch.GetElapsedTime(begin, endorsed), Stopwatch.GetElapsedTime(endorsed, ordered), Stopwatch.GetElapsedTime(ordered));
        return status.Successful ? null : EnumNames(status.Code);
    }

    private static string EnumNames(TxValidationCode code) => code.ToString().ToUpperSnakeCase();

    private static void Report(Recorder recorder, TimeSpan elapsed, string workload, TextWriter output)
    {
        var latencies = recorder.Latencies;
        var ok = latencies.Count;
        var verb = workload == "read" ? "evaluated" : "committed";
        var rate = ok / Math.Max(elapsed.TotalSeconds, 0.001);
        output.WriteLine($"{verb}: {ok.ToString("N0", CultureInfo.InvariantCulture)} tx in {elapsed.TotalSeconds:0.0} s = {rate.ToString("N0", CultureInfo.InvariantCulture)} tx/s");
        if (ok > 0)
        {
            output.WriteLine($"latency ({(workload == "read" ? "evaluate" : "submit to commit status")}): p50 {Ms(latencies, 0.50)} ms, p95 {Ms(latencies, 0.95)} ms, p99 {Ms(latencies, 0.99)} ms, max {Ms(latencies, 1.0)} ms");
        }
        if (recorder.StageTimes is { Count: > 0 } stages)
        {
            output.WriteLine($"stages (p50): endorse {Ms([.. stages.Select(s => s.Endorse).Order()], 0.5)} ms, submit {Ms([.. stages.Select(s => s.Submit).Order()], 0.5)} ms, " +
                $"commit status {Ms([.. stages.Select(s => s.Commit).Order()], 0.5)} ms");
        }
        var failures = recorder.Failures;
        output.WriteLine(failures.Count == 0
            ? "failures: none"
            : "failures: " + string.Join(", ", failures.OrderByDescending(f => f.Value).Select(f => $"{f.Key} {f.Value.ToString(CultureInfo.InvariantCulture)}")));
    }

    /// <summary>The open loop's seconds: how many were due, how many succeeded, their latency, and the most in flight.</summary>
    private static void ReportSeconds(Recorder recorder, TextWriter output)
    {
        foreach (var (second, started, inFlight) in recorder.Seconds)
        {
            var latencies = recorder.LatenciesOf(second);
            var figures = latencies.Count == 0 ? "no successes" : $"p50 {Ms(latencies, 0.50)} ms, p99 {Ms(latencies, 0.99)} ms, max {Ms(latencies, 1.0)} ms";
            output.WriteLine($"second {(second + 1).ToString(CultureInfo.InvariantCulture)}: {started.ToString(CultureInfo.InvariantCulture)} started, " +
                $"{latencies.Count.ToString(CultureInfo.InvariantCulture)} succeeded, {figures}, up to {inFlight.ToString(CultureInfo.InvariantCulture)} in flight");
        }
    }

    private static string Ms(List<double> sorted, double quantile)
    {
        var index = (int)Math.Min(sorted.Count - 1, Math.Ceiling(quantile * sorted.Count) - 1);
        return sorted[Math.Max(index, 0)].ToString("0.0", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// CPU time each process spent during the measured run, per successful transaction: a figure that, unlike the
    /// rate, hardly depends on what else the machine runs, so it shows where a change saved work.
    /// </summary>
    /// <summary>The orderer's <c>orderer_blocks_cut</c> counter for <paramref name="channel"/>, or null when it cannot be read.</summary>
    private static async Task<long?> BlocksCutAsync(string operations, string channel, CancellationToken cancellationToken)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var text = await http.GetStringAsync(new Uri($"http://{operations}/metrics"), cancellationToken).ConfigureAwait(false);
            var series = $"orderer_blocks_cut_total{{channel=\"{channel}\"}} ";
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(series, StringComparison.Ordinal));
            return line is not null && long.TryParse(line[series.Length..].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    private sealed class CpuAccount
    {
        private readonly IReadOnlyList<LocalNode> _nodes;
        private readonly TimeSpan[] _start;
        private readonly TimeSpan _benchStart;

        public CpuAccount(IReadOnlyList<LocalNode> nodes)
        {
            _nodes = nodes;
            _start = [.. nodes.Select(n => n.CpuTime)];
            _benchStart = Process.GetCurrentProcess().TotalProcessorTime;
        }

        public void Report(int transactions, TextWriter output)
        {
            if (transactions == 0)
            {
                return;
            }
            var used = _nodes.Select((node, i) => (node.Name, Time: node.CpuTime - _start[i]))
                .Append((Name: "bench clients", Time: Process.GetCurrentProcess().TotalProcessorTime - _benchStart)).ToList();
            string PerTx(TimeSpan time) => (time.TotalMilliseconds / transactions).ToString("0.000", CultureInfo.InvariantCulture);
            var total = used.Aggregate(TimeSpan.Zero, (sum, u) => sum + u.Time);
            output.WriteLine($"cpu per tx: {PerTx(total)} ms (" + string.Join(", ", used.Select(u => $"{u.Name} {PerTx(u.Time)}")) + ")");
        }
    }

    /// <summary>Latencies of successful transactions and counts of failures, from many clients.</summary>
    private sealed class Recorder
    {
        private readonly ConcurrentBag<double> _latencies = [];
        private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<int, ConcurrentBag<double>> _bySecond = new();
        private readonly ConcurrentDictionary<int, (int Started, int InFlight)> _seconds = new();

        /// <summary>Records a transaction's outcome; <paramref name="second"/> is the open loop's second it was due in.</summary>
        public void Record(string? failure, TimeSpan latency, int? second = null)
        {
            if (failure is null)
            {
                _latencies.Add(latency.TotalMilliseconds);
                if (second is { } due)
                {
                    _bySecond.GetOrAdd(due, _ => []).Add(latency.TotalMilliseconds);
                }
            }
            else
            {
                _failures.AddOrUpdate(failure, 1, (_, n) => n + 1);
            }
        }

        /// <summary>An open-loop transaction started in <paramref name="second"/>, with <paramref name="inFlight"/> now in flight.</summary>
        public void Started(int second, int inFlight) =>
            _seconds.AddOrUpdate(second, (1, inFlight), (_, s) => (s.Started + 1, Math.Max(s.InFlight, inFlight)));

        /// <summary>The open loop's seconds in order: transactions started and the most in flight.</summary>
        public IEnumerable<(int Second, int Started, int InFlight)> Seconds =>
            _seconds.OrderBy(s => s.Key).Select(s => (s.Key, s.Value.Started, s.Value.InFlight));

        /// <summary>The sorted latencies of the successful transactions due in <paramref name="second"/>.</summary>
        public List<double> LatenciesOf(int second) => _bySecond.TryGetValue(second, out var latencies) ? [.. latencies.Order()] : [];

        private readonly ConcurrentBag<(double Endorse, double Submit, double Commit)> _stages = [];

        public void Stages(TimeSpan endorse, TimeSpan submit, TimeSpan commit) =>
            _stages.Add((endorse.TotalMilliseconds, submit.TotalMilliseconds, commit.TotalMilliseconds));

        public IReadOnlyCollection<(double Endorse, double Submit, double Commit)> StageTimes => _stages;

        public List<double> Latencies => [.. _latencies.Order()];

        public IReadOnlyDictionary<string, int> Failures => _failures;
    }
}
