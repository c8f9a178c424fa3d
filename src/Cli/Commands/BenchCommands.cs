using System.CommandLine;
using ZonCoin.Cli.Bench;
using ZonCoin.Rpc;

namespace ZonCoin.Cli.Commands;

/// <summary><c>zoncoin bench rpc</c>: throughput and latency of the gRPC transport against an in-process server.</summary>
internal static class BenchCommands
{
    public static Command Create()
    {
        var calls = new Option<int>("--calls") { Description = "Unary calls to make, and messages to stream", DefaultValueFactory = _ => 20_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent unary callers sharing one channel", DefaultValueFactory = _ => 32 };
        var size = new Option<int>("--size") { Description = "Payload bytes per message", DefaultValueFactory = _ => 256 };
        var tls = new Option<bool>("--tls") { Description = "Use TLS (ALPN h2) with a throwaway CA instead of h2c" };
        var client = new Option<string>("--client") { Description = "Client to drive the server with: zoncoin (ours) or grpc-js (Node, h2c only)", DefaultValueFactory = _ => "zoncoin" };
        client.AcceptOnlyFromAmong("zoncoin", "grpc-js");
        calls.Validators.Add(result => Between(result, 1, 10_000_000));
        concurrency.Validators.Add(result => Between(result, 1, 10_000));
        size.Validators.Add(result => Between(result, 0, 64 * 1024 * 1024));

        var rpc = new Command("rpc", "Run N unary calls with C concurrent callers, then stream N messages over one bidi call, and print the figures")
        {
            calls, concurrency, size, tls, client,
        };
        rpc.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new RpcBenchmarkSettings(parse.GetValue(calls), parse.GetValue(concurrency), parse.GetValue(size), parse.GetValue(tls));
            try
            {
                if (parse.GetValue(client) == "grpc-js")
                {
                    return await GrpcJsBenchmark.RunAsync(settings, Console.Out, cancellationToken).ConfigureAwait(false);
                }
                await RpcBenchmark.RunAsync(settings, Console.Out, cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (Exception ex) when (ex is RpcException or IOException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return new Command("bench", "Benchmarks") { rpc };
    }

    private static void Between(System.CommandLine.Parsing.OptionResult result, int min, int max)
    {
        if (result.GetValueOrDefault<int>() is var value && (value < min || value > max))
        {
            result.AddError($"{result.Option.Name} must be between {min} and {max}");
        }
    }
}
