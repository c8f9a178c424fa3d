using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using ZonCoin.Core.Crypto;
using ZonCoin.Protos.Common;
using ZonCoin.Rpc.Client;

namespace ZonCoin.Cli.Bench;

/// <summary>What <c>zoncoin bench rpc</c> measures: how many calls, how many at once, how large, over TLS or h2c.</summary>
internal sealed record RpcBenchmarkSettings(int Calls, int Concurrency, int Size, bool Tls)
{
    public string Transport => Tls ? "tls" : "h2c";
}

/// <summary>Unary throughput and latency percentiles (milliseconds).</summary>
internal sealed record UnaryFigures(double CallsPerSecond, double P50, double P95, double P99);

/// <summary>
/// Runs the transport benchmark against an in-process server over loopback: N unary calls from C concurrent
/// workers sharing one channel, then N messages echoed over one bidirectional stream.
/// </summary>
internal static class RpcBenchmark
{
    public static async Task RunAsync(RpcBenchmarkSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        using var ca = settings.Tls ? CertificateAuthority.CreateRoot("zoncoin bench CA", "ZonCoin bench") : null;
        using var serverCertificate = ca is null ? null : IssueServerCertificate(ca);
        await using var server = await BenchServer.StartAsync(serverCertificate, cancellationToken).ConfigureAwait(false);
        using var channel = RpcChannels.ForAddress(server.Address, new RpcChannelOptions
        {
            RootCertificates = ca is null ? [] : [ca.Certificate],
        });
        var request = new Envelope { Payload = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(settings.Size)) };

        // Warm up (JIT, connections, TLS handshakes) before measuring.
        var warmup = Math.Min(settings.Calls, 1000);
        await UnaryAsync(channel, request, warmup, settings.Concurrency, cancellationToken).ConfigureAwait(false);
        await StreamAsync(channel, request, warmup, cancellationToken).ConfigureAwait(false);

        var unary = await UnaryAsync(channel, request, settings.Calls, settings.Concurrency, cancellationToken).ConfigureAwait(false);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"unary {settings.Transport}: {settings.Calls} calls, concurrency {settings.Concurrency}, {settings.Size} B: {unary.CallsPerSecond:F0} calls/s, p50 {unary.P50:F2} ms, p95 {unary.P95:F2} ms, p99 {unary.P99:F2} ms"));
        var messagesPerSecond = await StreamAsync(channel, request, settings.Calls, cancellationToken).ConfigureAwait(false);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stream {settings.Transport}: {settings.Calls} messages, {settings.Size} B: {messagesPerSecond:F0} messages/s"));
    }

    /// <summary>Sends <paramref name="calls"/> unary calls from <paramref name="concurrency"/> workers; every response is checked.</summary>
    internal static async Task<UnaryFigures> UnaryAsync(GrpcChannel channel, Envelope request, int calls, int concurrency, CancellationToken cancellationToken)
    {
        var latencies = new long[calls];
        var next = -1;
        async Task WorkerAsync()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < calls)
            {
                var start = Stopwatch.GetTimestamp();
                using var call = channel.CreateCallInvoker().AsyncUnaryCall(BenchService.Unary, null, new CallOptions(cancellationToken: cancellationToken), request);
                var response = await call.ResponseAsync.ConfigureAwait(false);
                latencies[index] = Stopwatch.GetTimestamp() - start;
                if (response.Payload.Length != request.Payload.Length)
                {
                    throw new InvalidOperationException($"the server echoed {response.Payload.Length} bytes instead of {request.Payload.Length}");
                }
            }
        }

        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, calls)).Select(_ => Task.Run(WorkerAsync, cancellationToken))).ConfigureAwait(false);
        total.Stop();
        Array.Sort(latencies);
        return new UnaryFigures(
            calls / total.Elapsed.TotalSeconds,
            Percentile(latencies, 50),
            Percentile(latencies, 95),
            Percentile(latencies, 99));
    }

    /// <summary>Writes <paramref name="messages"/> requests on one duplex call while reading the echoes; returns messages/s.</summary>
    internal static async Task<double> StreamAsync(GrpcChannel channel, Envelope request, int messages, CancellationToken cancellationToken)
    {
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(BenchService.Stream, null, new CallOptions(cancellationToken: cancellationToken));
        var total = Stopwatch.StartNew();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < messages; i++)
            {
                await call.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
            }
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }, cancellationToken);
        var received = 0;
        while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            received++;
        }
        await writer.ConfigureAwait(false);
        total.Stop();
        if (received != messages)
        {
            throw new InvalidOperationException($"the stream echoed {received} messages instead of {messages}");
        }
        return messages / total.Elapsed.TotalSeconds;
    }

    /// <summary>Nearest-rank percentile of sorted Stopwatch tick counts, in milliseconds.</summary>
    internal static double Percentile(long[] sortedTicks, double percent)
    {
        ArgumentNullException.ThrowIfNull(sortedTicks);
        if (sortedTicks.Length == 0)
        {
            return 0;
        }
        var rank = (int)Math.Ceiling(percent / 100 * sortedTicks.Length);
        var ticks = sortedTicks[Math.Clamp(rank - 1, 0, sortedTicks.Length - 1)];
        return ticks * 1000.0 / Stopwatch.Frequency;
    }

    private static X509Certificate2 IssueServerCertificate(CertificateAuthority ca)
    {
        var issued = ca.Issue(new CertificateSpec { CommonName = "localhost", DnsNames = ["localhost"], IpAddresses = ["127.0.0.1"], ForTls = true });
        using var key = issued.Key;
        using var certificate = issued.Certificate;
        using var withKey = certificate.CopyWithPrivateKey(key);
        // Kestrel on Linux wants a key it can hand to OpenSSL: round trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
