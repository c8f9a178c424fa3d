using System.CommandLine;
using Grpc.Core;
using ZonCoin.Cli.Bench;

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
        return new Command("bench", "Benchmarks") { rpc, Orderer(), Gateway() };
    }

    private static Command Orderer()
    {
        var consensus = new Option<string>("--consensus") { Description = "solo (one node) or kafka (three nodes on an in-process Kafka mock cluster)", DefaultValueFactory = _ => "solo" };
        consensus.AcceptOnlyFromAmong("solo", "kafka");
        var clients = new Option<int>("--clients") { Description = "Concurrent Broadcast streams (spread over the orderers)", DefaultValueFactory = _ => 8 };
        var size = new Option<int>("--size") { Description = "Payload bytes per envelope", DefaultValueFactory = _ => 256 };
        var count = new Option<int>("--count") { Description = "Envelopes to order", DefaultValueFactory = _ => 50_000 };
        var batchTimeout = new Option<int>("--batch-timeout-ms") { Description = "The channel's batch timeout", DefaultValueFactory = _ => 100 };
        var maxMessages = new Option<int>("--max-messages") { Description = "The channel's MaxMessageCount", DefaultValueFactory = _ => 500 };
        var inFlight = new Option<int>("--in-flight") { Description = "Envelopes each client keeps in flight (pipelined on its stream)", DefaultValueFactory = _ => 64 };
        inFlight.Validators.Add(result => Between(result, 1, 100_000));
        clients.Validators.Add(result => Between(result, 1, 1000));
        size.Validators.Add(result => Between(result, 0, 1024 * 1024));
        count.Validators.Add(result => Between(result, 1, 10_000_000));
        batchTimeout.Validators.Add(result => Between(result, 1, 60_000));
        maxMessages.Validators.Add(result => Between(result, 1, 100_000));
        var command = new Command("orderer", "Order N pre-signed envelopes through real orderer processes and print envelopes/s, blocks/s and Broadcast-to-delivery latency")
        {
            consensus, clients, size, count, batchTimeout, maxMessages, inFlight,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(() =>
        {
            var kind = parse.GetValue(consensus)!;
            var settings = new OrdererBenchmarkSettings(kind, parse.GetValue(clients), parse.GetValue(size), parse.GetValue(count),
                Orderers: kind == "kafka" ? 3 : 1, TimeSpan.FromMilliseconds(parse.GetValue(batchTimeout)), (uint)parse.GetValue(maxMessages), parse.GetValue(inFlight));
            return OrdererBenchmark.RunAsync(settings, Console.Out, cancellationToken);
        }));
        return command;
    }

    private static Command Gateway()
    {
        var clients = new Option<int>("--clients") { Description = "Concurrent clients, each with one transaction in flight", DefaultValueFactory = _ => 16 };
        var rate = new Option<int>("--rate") { Description = "Open loop instead of --clients: start this many transactions per second whatever is in flight, and print each second's latency" };
        var duration = new Option<int>("--duration") { Description = "Seconds to measure", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "Seconds to run before measuring", DefaultValueFactory = _ => 3 };
        var workload = new Option<string>("--workload") { Description = "put: create a new asset; transfer: transfer one of --keys assets; read: evaluate ReadAsset", DefaultValueFactory = _ => "put" };
        workload.AcceptOnlyFromAmong("put", "transfer", "read");
        var keys = new Option<int>("--keys") { Description = "Assets created first for transfer and read", DefaultValueFactory = _ => 1000 };
        var profile = new Option<FileInfo?>("--profile") { Description = "A connection profile: drive that gateway instead of starting a local two-org network" };
        var channel = new Option<string?>("--channel") { Description = "Channel (with --profile; default: the profile's first)" };
        var chaincode = new Option<string?>("--chaincode") { Description = "Chaincode with Fabric's asset-transfer-basic functions (with --profile)" };
        var batchTimeout = new Option<int>("--batch-timeout-ms") { Description = "The local network's batch timeout", DefaultValueFactory = _ => 100 };
        var maxMessages = new Option<int>("--max-messages") { Description = "The local network's MaxMessageCount", DefaultValueFactory = _ => 500 };
        var standalone = new Option<bool>("--standalone-gateway") { Description = "The local network runs a gateway process per organisation instead of the gateway in each peer" };
        batchTimeout.Validators.Add(result => Between(result, 1, 60_000));
        maxMessages.Validators.Add(result => Between(result, 1, 100_000));
        clients.Validators.Add(result => Between(result, 1, 10_000));
        rate.Validators.Add(result => Between(result, 1, 100_000));
        duration.Validators.Add(result => Between(result, 1, 86_400));
        warmup.Validators.Add(result => Between(result, 0, 3_600));
        keys.Validators.Add(result => Between(result, 1, 10_000_000));
        var command = new Command("gateway",
            "Drive endorse, submit and commit status through a gateway with N clients; print committed tx/s, latency percentiles and failures by validation code")
        {
            clients, rate, duration, warmup, workload, keys, profile, channel, chaincode, batchTimeout, maxMessages, standalone,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(() =>
        {
            var settings = new GatewayBenchmarkSettings(parse.GetValue(clients), TimeSpan.FromSeconds(parse.GetValue(duration)), TimeSpan.FromSeconds(parse.GetValue(warmup)),
                parse.GetValue(workload)!, parse.GetValue(keys), parse.GetValue(profile)?.FullName, parse.GetValue(channel), parse.GetValue(chaincode),
                TimeSpan.FromMilliseconds(parse.GetValue(batchTimeout)), (uint)parse.GetValue(maxMessages), parse.GetValue(rate), parse.GetValue(standalone));
            return GatewayBenchmark.RunAsync(settings, Console.Out, cancellationToken);
        }));
        return command;
    }

    private static void Between(System.CommandLine.Parsing.OptionResult result, int min, int max)
    {
        if (result.GetValueOrDefault<int>() is var value && (value < min || value > max))
        {
            result.AddError($"{result.Option.Name} must be between {min} and {max}");
        }
    }
}
