using System.Globalization;
using System.Text.RegularExpressions;

namespace ZonCoin.Cli.Tests;

/// <summary><c>zoncoin bench rpc</c> runs end to end and prints figures in the documented form (no timing asserts).</summary>
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

    [GeneratedRegex(@"^stream (?<transport>h2c|tls|grpc-js): (?<messages>\d+) messages, (?<size>\d+) B: (?<rate>\d+) messages/s$")]
    private static partial Regex StreamLine();
}
