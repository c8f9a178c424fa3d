using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Orderer;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Cli.Bench;

/// <summary>What <c>zoncoin bench orderer</c> runs: consensus, concurrent Broadcast clients, envelope size and count.</summary>
internal sealed record OrdererBenchmarkSettings(string Consensus, int Clients, int Size, int Count, int Orderers, TimeSpan BatchTimeout, uint MaxMessageCount, int InFlight);

/// <summary>
/// Drives real orderer processes (a solo node, or Kafka nodes on an in-process mock cluster): pre-signed
/// envelopes are broadcast by N pipelined clients while a Deliver reader timestamps every block, giving
/// envelopes/s accepted, blocks/s cut and the Broadcast-to-delivery latency of each envelope.
/// </summary>
internal static class OrdererBenchmark
{
    private const string ChannelId = "bench";

    public static async Task RunAsync(OrdererBenchmarkSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        await using var network = await BenchNetwork.StartAsync(settings, output, cancellationToken).ConfigureAwait(false);
        var client = network.Client;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"orderer bench: consensus={settings.Consensus} orderers={network.Orderers.Count} clients={settings.Clients} in-flight={settings.InFlight}/client size={settings.Size} B count={settings.Count} batch={settings.MaxMessageCount} msgs/{settings.BatchTimeout.TotalMilliseconds} ms"));

        output.WriteLine($"signing {settings.Count} envelopes...");
        var envelopes = new Envelope[settings.Count];
        Parallel.For(0, settings.Count, i => envelopes[i] = NewEnvelope(client, settings.Size));
        var txIds = envelopes.Select(envelope => Envelopes.Unpack(envelope).ChannelHeader.TxId).ToArray();
        var sentAt = new long[settings.Count];
        var index = txIds.Select((txId, i) => (txId, i)).ToDictionary(pair => pair.txId, pair => pair.i, StringComparer.Ordinal);

        await WarmUpAsync(network, client, cancellationToken).ConfigureAwait(false);
        var startHeight = await network.HeightAsync(cancellationToken).ConfigureAwait(false);

        // Deliver reader: timestamps every envelope's block as it arrives.
        var deliveredAt = new long[settings.Count];
        var delivered = 0;
        var blocks = 0;
        long lastBlockAt = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var deliverChannel = BenchNetwork.Connect(network.Orderers[^1]);
        var reader = Task.Run(async () =>
        {
            var request = DeliverRequests.Create(ChannelId, DeliverRequests.Range(DeliverRequests.Specified(startHeight), DeliverRequests.Specified(DeliverRequests.Forever)), client);
            await foreach (var response in DeliverClient.ReadAsync(deliverChannel.CreateCallInvoker(), request, stop.Token).ConfigureAwait(false))
            {
                if (response.TypeCase != DeliverResponse.TypeOneofCase.Block)
                {
                    throw new InvalidOperationException($"deliver ended with {response.Status}");
                }
                var now = Stopwatch.GetTimestamp();
                blocks++;
                lastBlockAt = now;
                foreach (var data in response.Block.Data.Data)
                {
                    if (index.TryGetValue(Envelopes.Unpack(data).ChannelHeader.TxId, out var i))
                    {
                        deliveredAt[i] = now;
                        if (++delivered == settings.Count)
                        {
                            return;
                        }
                    }
                }
            }
        }, CancellationToken.None);

        var start = Stopwatch.GetTimestamp();
        var next = -1;
        var failures = new ConcurrentQueue<string>();
        await Task.WhenAll(Enumerable.Range(0, settings.Clients).Select(c => Task.Run(async () =>
        {
            using var channel = BenchNetwork.Connect(network.Orderers[c % network.Orderers.Count]);
            await using var session = new BroadcastSession(channel.CreateCallInvoker());
            var window = new Queue<Task<BroadcastResponse>>();
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= settings.Count)
                {
                    break;
                }
                sentAt[i] = Stopwatch.GetTimestamp();
                window.Enqueue(session.SendAsync(envelopes[i], cancellationToken));
                if (window.Count >= settings.InFlight)
                {
                    Check(await window.Dequeue().ConfigureAwait(false), failures);
                }
            }
            while (window.Count > 0)
            {
                Check(await window.Dequeue().ConfigureAwait(false), failures);
            }
        }, cancellationToken))).ConfigureAwait(false);
        var accepted = Stopwatch.GetTimestamp();
        if (!failures.IsEmpty)
        {
            throw new InvalidOperationException($"{failures.Count} envelopes were refused, e.g. {failures.First()}");
        }
        using (var guard = new CancellationTokenSource(TimeSpan.FromMinutes(5)))
        {
            await reader.WaitAsync(guard.Token).ConfigureAwait(false);
        }
        await stop.CancelAsync().ConfigureAwait(false);

        var acceptSeconds = Stopwatch.GetElapsedTime(start, accepted).TotalSeconds;
        var deliverSeconds = Stopwatch.GetElapsedTime(start, lastBlockAt).TotalSeconds;
        var latencies = Enumerable.Range(0, settings.Count).Select(i => Stopwatch.GetElapsedTime(sentAt[i], deliveredAt[i]).TotalMilliseconds).Order().ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accepted:  {settings.Count / acceptSeconds,10:N0} envelopes/s ({settings.Count} in {acceptSeconds:F2} s)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"delivered: {settings.Count / deliverSeconds,10:N0} envelopes/s in {blocks} blocks, {blocks / deliverSeconds:N1} blocks/s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"broadcast -> delivered latency: p50 {Percentile(latencies, 0.50):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms, max {latencies[^1]:F1} ms"));
    }

    private static Envelope NewEnvelope(SigningIdentity signer, int size)
    {
        var data = new byte[size];
        Random.Shared.NextBytes(data);
        return Envelopes.CreateSigned(HeaderType.EndorserTransaction, ChannelId, new BytesValue { Value = ByteString.CopyFrom(data) }, signer);
    }

    private static async Task WarmUpAsync(BenchNetwork network, SigningIdentity client, CancellationToken cancellationToken)
    {
        foreach (var orderer in network.Orderers)
        {
            using var channel = BenchNetwork.Connect(orderer);
            await using var session = new BroadcastSession(channel.CreateCallInvoker());
            var warmups = Enumerable.Range(0, 200).Select(_ => session.SendAsync(NewEnvelope(client, 64), cancellationToken)).ToList();
            foreach (var response in await Task.WhenAll(warmups).ConfigureAwait(false))
            {
                if (response.Status != Status.Success)
                {
                    throw new InvalidOperationException($"warm-up envelope refused by {orderer}: {response.Status} {response.Info}");
                }
            }
        }
    }

    private static void Check(BroadcastResponse response, ConcurrentQueue<string> failures)
    {
        if (response.Status != Status.Success)
        {
            failures.Enqueue($"{response.Status}: {response.Info}");
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
