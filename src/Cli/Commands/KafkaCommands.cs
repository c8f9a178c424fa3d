using System.CommandLine;
using System.Globalization;
using Confluent.Kafka;
using ZonCoin.Kafka;

namespace ZonCoin.Cli.Commands;

/// <summary><c>zoncoin kafka dev</c>: an in-process Kafka cluster (librdkafka's mock) for development and tests.</summary>
internal static class KafkaCommands
{
    internal const string StdinCommands = "down N | up N | topic NAME | leader TOPIC N";

    public static Command Create()
    {
        var brokers = new Option<int>("--brokers") { Description = $"Number of brokers, ids 1..N (1 to {MockKafkaCluster.MaxBrokers})", DefaultValueFactory = _ => 3 };
        brokers.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is var value && (value < 1 || value > MockKafkaCluster.MaxBrokers))
            {
                result.AddError($"--brokers must be between 1 and {MockKafkaCluster.MaxBrokers}");
            }
        });
        var topics = new Option<string[]>("--topic")
        {
            Description = "Create this topic at start (1 partition, replication factor min(3, brokers)); repeat for more",
            Arity = ArgumentArity.ZeroOrMore,
        };
        topics.Validators.Add(result =>
        {
            foreach (var topic in result.GetValueOrDefault<string[]>() ?? [])
            {
                try
                {
                    MockKafkaCluster.ValidateTopicName(topic);
                }
                catch (ArgumentException ex)
                {
                    result.AddError(ex.Message);
                }
            }
        });

        var dev = new Command("dev", string.Join('\n',
            "Run an in-process Kafka cluster (librdkafka's mock cluster: the real Kafka protocol on 127.0.0.1, data in memory,",
            "about the newest 5 MB kept per partition) until Ctrl-C, SIGTERM or the end of standard input.",
            "Prints 'bootstrap: <host:port,...>' and then a 'ready' line on standard output.",
            "Reads one command per line from standard input and answers each with 'ok ...' or 'error ...':",
            "  down N              take broker N down (its port refuses connections)",
            "  up N                bring broker N up again on the same port",
            "  topic NAME          create a topic (1 partition, replication factor min(3, brokers))",
            "  leader TOPIC N      make broker N the leader of partition 0 of TOPIC (the mock never fails over itself)"))
        {
            brokers, topics,
        };
        dev.SetAction((parse, cancellationToken) => RunDevAsync(
            parse.GetValue(brokers), parse.GetValue(topics) ?? [], Console.In, Console.Out, Console.Error, cancellationToken));
        return new Command("kafka", "Kafka tooling for the kafka ordering service") { dev };
    }

    internal static async Task<int> RunDevAsync(int brokers, IReadOnlyList<string> topics, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        MockKafkaCluster cluster;
        try
        {
            cluster = MockKafkaCluster.Start(brokers);
        }
        catch (Exception ex) when (ex is DllNotFoundException or PlatformNotSupportedException or InvalidOperationException or ArgumentException)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        using (cluster)
        {
            try
            {
                foreach (var topic in topics)
                {
                    cluster.CreateTopic(topic, 1, cluster.DefaultReplicationFactor);
                }
            }
            catch (Exception ex) when (ex is KafkaException or ArgumentException)
            {
                await error.WriteLineAsync($"error: {Describe(ex)}").ConfigureAwait(false);
                return 1;
            }
            await output.WriteLineAsync($"bootstrap: {cluster.BootstrapServers}").ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"ready: {brokers} brokers, topics: {(topics.Count == 0 ? "(none)" : string.Join(',', topics))}; commands: {StdinCommands}")).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);

            while (!cancellationToken.IsCancellationRequested)
            {
                string? line;
                try
                {
                    // Console.In blocks in ReadLine even through ReadLineAsync; wait on it so Ctrl-C still ends the loop.
                    line = await Task.Run(input.ReadLine, CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                if (line is null)
                {
                    break;
                }
                if (Execute(cluster, line) is { } reply)
                {
                    await output.WriteLineAsync(reply).ConfigureAwait(false);
                    await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        return 0;
    }

    /// <summary>Runs one standard-input command; null for a blank line.</summary>
    internal static string? Execute(MockKafkaCluster cluster, string line)
    {
        var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return null;
        }
        try
        {
            switch (words)
            {
                case ["down", var id]:
                    cluster.SetBrokerDown(BrokerId(id));
                    return $"ok down {id}";
                case ["up", var id]:
                    cluster.SetBrokerUp(BrokerId(id));
                    return $"ok up {id}";
                case ["topic", var name]:
                    cluster.CreateTopic(name, 1, cluster.DefaultReplicationFactor);
                    return $"ok topic {name}";
                case ["leader", var topic, var id]:
                    cluster.SetPartitionLeader(topic, 0, BrokerId(id));
                    return $"ok leader {topic} {id}";
                default:
                    return $"error unknown command '{line.Trim()}' (commands: {StdinCommands})";
            }
        }
        catch (Exception ex) when (ex is ArgumentException or KafkaException)
        {
            return $"error {Describe(ex)}";
        }
    }

    /// <summary>The message without .NET's "(Parameter 'x') Actual value was y." tail, on one line.</summary>
    private static string Describe(Exception ex)
    {
        var message = ex.Message;
        if (ex is ArgumentException { ParamName: { } name } && message.IndexOf($" (Parameter '{name}')", StringComparison.Ordinal) is var at and >= 0)
        {
            message = message[..at];
        }
        return message.ReplaceLineEndings(" ");
    }

    private static int BrokerId(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new ArgumentException($"'{text}' is not a broker id");
}
