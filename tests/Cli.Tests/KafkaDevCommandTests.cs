using System.Text;
using Confluent.Kafka;
using ZonCoin.Kafka;

namespace ZonCoin.Cli.Tests;

/// <summary><c>zoncoin kafka dev</c> as a real process, used by real Confluent.Kafka clients.</summary>
public sealed class KafkaDevCommandTests
{
    [Fact]
    public async Task Kafka_dev_serves_a_topic_takes_stdin_commands_and_exits_0_at_end_of_input()
    {
        using var kafka = CliProcess.Start("kafka", "dev", "--brokers", "3", "--topic", "t1");
        var bootstrapLine = await kafka.ReadLineAsync();
        Assert.StartsWith("bootstrap: ", bootstrapLine, StringComparison.Ordinal);
        var bootstrap = bootstrapLine["bootstrap: ".Length..];
        Assert.Equal(3, bootstrap.Split(',').Length);
        Assert.All(bootstrap.Split(','), address => Assert.StartsWith("127.0.0.1:", address, StringComparison.Ordinal));
        Assert.StartsWith("ready", await kafka.ReadLineAsync(), StringComparison.Ordinal);

        KafkaNative.EnsureLoaded();
        using var producer = new ProducerBuilder<Null, byte[]>(KafkaClientConfigs.OrderingProducer(bootstrap)).SetLogHandler(static (_, _) => { }).Build();
        await Produce(producer, "t1", "before", 0);

        await kafka.WriteLineAsync("down 2");
        Assert.Equal("ok down 2", await kafka.ReadLineAsync());
        await kafka.WriteLineAsync("up 2");
        Assert.Equal("ok up 2", await kafka.ReadLineAsync());
        await Produce(producer, "t1", "after", 1);

        await kafka.WriteLineAsync("topic t2");
        Assert.Equal("ok topic t2", await kafka.ReadLineAsync());
        await Produce(producer, "t2", "other", 0);
        await kafka.WriteLineAsync("down 7");
        Assert.StartsWith("error ", await kafka.ReadLineAsync(), StringComparison.Ordinal);

        using (var consumer = new ConsumerBuilder<Null, byte[]>(KafkaClientConfigs.PartitionConsumer(bootstrap, "cli-test")).SetLogHandler(static (_, _) => { }).Build())
        {
            consumer.Assign(new TopicPartitionOffset("t1", 0, 0));
            using var guard = new CancellationTokenSource(CliProcess.Running.Timeout);
            var first = consumer.Consume(guard.Token);
            var second = consumer.Consume(guard.Token);
            Assert.Equal((0L, "before"), (first.Offset.Value, Encoding.UTF8.GetString(first.Message.Value)));
            Assert.Equal((1L, "after"), (second.Offset.Value, Encoding.UTF8.GetString(second.Message.Value)));
        }

        var result = await kafka.CloseInputAndWaitAsync();
        Assert.True(result.ExitCode == 0, result.StandardError);
    }

    [Fact]
    public void Kafka_dev_refuses_a_bad_topic_name_and_broker_count()
    {
        var badTopic = CliProcess.Run("kafka", "dev", "--topic", "no spaces");
        Assert.NotEqual(0, badTopic.ExitCode);
        Assert.Contains("not a legal Kafka topic name", badTopic.StandardError, StringComparison.Ordinal);
        var badBrokers = CliProcess.Run("kafka", "dev", "--brokers", "0");
        Assert.NotEqual(0, badBrokers.ExitCode);
        Assert.Contains("--brokers must be between 1 and", badBrokers.StandardError, StringComparison.Ordinal);
    }

    private static async Task Produce(IProducer<Null, byte[]> producer, string topic, string text, long expectedOffset)
    {
        var result = await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = Encoding.UTF8.GetBytes(text) }).WaitAsync(CliProcess.Running.Timeout);
        Assert.Equal(PersistenceStatus.Persisted, result.Status);
        Assert.Equal(expectedOffset, result.Offset.Value);
    }
}
