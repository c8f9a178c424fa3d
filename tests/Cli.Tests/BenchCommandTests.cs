using System.Globalization;
using System.Text.RegularExpressions;

namespace ZonCoin.Cli.Tests;

/// <summary><c>zoncoin bench rpc</c> and <c>bench gateway</c> run end to end and print figures in the documented form (no timing asserts).</summary>
public sealed partial class BenchCommandTests
{
    [Fact]
    public void Bench_rpc_over_h2c_prints_unary_and_stream_figures() => AssertBench("h2c");

    [Fact]
    public void Bench_rpc_over_tls_prints_unary_and_stream_figures() => AssertBench("tls", "--tls");

    [Fact]
    public void Bench_rpc_through_grpc_js_prints_the_same_figures() => AssertBench("grpc-js", "--client", "grpc-js");

    [Fact]
    public void Bench_rpc_refuses_a_non_positive_call_count()
    {
        var result = CliProcess.Run("bench", "rpc", "--calls", "0");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--calls must be between 1 and", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_gateway_in_an_open_loop_starts_the_rate_each_second_and_prints_each_seconds_latency()
    {
        var result = CliProcess.RunWithin(TimeSpan.FromMinutes(6),
            "bench", "gateway", "--rate", "10", "--duration", "2", "--warmup", "0", "--batch-timeout-ms", "20");
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        var output = result.StandardOutput;
        Assert.Contains("workload put: open loop at 10 tx/s", output, StringComparison.Ordinal);
        Assert.Contains("committed: 20 tx in ", output, StringComparison.Ordinal);
        Assert.Contains("failures: none", output, StringComparison.Ordinal);
        var seconds = output.Split('\n').Select(line => SecondLine().Match(line.Trim())).Where(match => match.Success).ToList();
        Assert.Equal(["1", "2"], seconds.Select(match => match.Groups["second"].Value));
        foreach (var second in seconds)
        {
            Assert.Equal("10", second.Groups["started"].Value);
            Assert.Equal("10", second.Groups["succeeded"].Value);
            var (p50, p99, max) = (Number(second, "p50"), Number(second, "p99"), Number(second, "max"));
            Assert.True(p50 <= p99 && p99 <= max, second.Value);
            Assert.InRange(int.Parse(second.Groups["inflight"].Value, CultureInfo.InvariantCulture), 1, 20);
        }
    }

    private static void AssertBench(string transport, params string[] extra)
    {
        var result = CliProcess.Run(["bench", "rpc", "--calls", "200", "--concurrency", "4", "--size", "64", .. extra]);
        Assert.True(result.ExitCode == 0, result.StandardError);
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);

        var unary = UnaryLine().Match(lines[0]);
        Assert.True(unary.Success, lines[0]);
        Assert.Equal(transport, unary.Groups["transport"].Value);
        Assert.Equal("200", unary.Groups["calls"].Value);
        Assert.Equal("4", unary.Groups["concurrency"].Value);
        Assert.Equal("64", unary.Groups["size"].Value);
        Assert.True(Number(unary, "rate") > 0);
        var (p50, p95, p99) = (Number(unary, "p50"), Number(unary, "p95"), Number(unary, "p99"));
        Assert.True(p50 <= p95 && p95 <= p99, lines[0]);

        var stream = StreamLine().Match(lines[1]);
        Assert.True(stream.Success, lines[1]);
        Assert.Equal(transport, stream.Groups["transport"].Value);
        Assert.Equal("200", stream.Groups["messages"].Value);
        Assert.Equal("64", stream.Groups["size"].Value);
        Assert.True(Number(stream, "rate") > 0);
    }

    private static double Number(Match match, string group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^unary (?<transport>h2c|tls|grpc-js): (?<calls>\d+) calls, concurrency (?<concurrency>\d+), (?<size>\d+) B: (?<rate>\d+) calls/s, p50 (?<p50>\d+\.\d+) ms, p95 (?<p95>\d+\.\d+) ms, p99 (?<p99>\d+\.\d+) ms$")]
    private static partial Regex UnaryLine();

    [GeneratedRegex(@"^second (?<second>\d+): (?<started>\d+) started, (?<succeeded>\d+) succeeded, p50 (?<p50>\d+\.\d+) ms, p99 (?<p99>\d+\.\d+) ms, max (?<max>\d+\.\d+) ms, up to (?<inflight>\d+) in flight$")]
    private static partial Regex SecondLine();

    [GeneratedRegex(@"^stream (?<transport>h2c|tls|grpc-js): (?<messages>\d+) messages, (?<size>\d+) B: (?<rate>\d+) messages/s$")]
    private static partial Regex StreamLine();
}
