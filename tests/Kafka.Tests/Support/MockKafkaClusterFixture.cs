using System.Runtime.CompilerServices;
using System.Text;
using Confluent.Kafka;

namespace ZonCoin.Kafka.Tests.Support;

/// <summary>
/// One 3-broker librdkafka mock cluster shared by every test of a collection (STYLE.md habit 12); each test makes
/// its own topic with <see cref="CreateUniqueTopic"/>, so tests never see each other's data.
/// </summary>
/// <remarks>
/// This file depends only on xUnit and ZonCoin.Kafka, so another test project reuses it by linking it
/// (<c>&lt;Compile Include="../Kafka.Tests/Support/MockKafkaClusterFixture.cs" Link="Support/MockKafkaClusterFixture.cs" /&gt;</c>)
/// and declaring its own <c>[CollectionDefinition]</c> with <c>ICollectionFixture&lt;MockKafkaClusterFixture&gt;</c>
/// (xUnit only finds collection definitions in the test assembly itself), as <see cref="SharedKafkaCluster"/> does.
/// </remarks>
public sealed class MockKafkaClusterFixture : IDisposable
{
    /// <summary>Brokers in the shared cluster: enough for replication factor 3.</summary>
    public const int Brokers = 3;

    /// <summary>A failure guard for anything that waits on the cluster; never a timing assertion.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private int topics;

    public MockKafkaClusterFixture()
    {
        Cluster = MockKafkaCluster.Start(Brokers);
    }

    public MockKafkaCluster Cluster { get; }

    public string BootstrapServers => Cluster.BootstrapServers;

    /// <summary>Creates a topic no other test uses (1 partition, replication factor 3 unless told otherwise).</summary>
    public string CreateUniqueTopic(int partitions = 1, int? replicationFactor = null, [CallerMemberName] string caller = "")
    {
        var prefix = new string([.. caller.Where(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-').Take(100)]);
        var name = $"{prefix}-{Interlocked.Increment(ref topics)}-{Guid.NewGuid():N}";
        Cluster.CreateTopic(name, partitions, replicationFactor);
        return name;
    }

    /// <summary>A producer with the ordering settings (<see cref="KafkaClientConfigs.OrderingProducer"/>).</summary>
    public IProducer<Null, byte[]> CreateProducer(Action<ProducerConfig>? configure = null)
    {
        var config = KafkaClientConfigs.OrderingProducer(BootstrapServers);
        configure?.Invoke(config);
        return new ProducerBuilder<Null, byte[]>(config).SetLogHandler(static (_, _) => { }).Build();
    }

    /// <summary>A consumer with the ordering settings, not yet assigned; assign it to a partition and offset.</summary>
    public IConsumer<Null, byte[]> CreateConsumer(Action<ConsumerConfig>? configure = null)
    {
        var config = KafkaClientConfigs.PartitionConsumer(BootstrapServers, $"test-{Guid.NewGuid():N}");
        configure?.Invoke(config);
        return new ConsumerBuilder<Null, byte[]>(config).SetLogHandler(static (_, _) => { }).Build();
    }

    /// <summary>Reads exactly <paramref name="count"/> messages from partition 0 starting at <paramref name="offset"/>.</summary>
    public static List<ConsumeResult<Null, byte[]>> ConsumeExactly(IConsumer<Null, byte[]> consumer, string topic, long offset, int count)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        consumer.Assign(new TopicPartitionOffset(topic, 0, offset));
        var results = new List<ConsumeResult<Null, byte[]>>(count);
        using var guard = new CancellationTokenSource(Timeout);
        while (results.Count < count)
        {
            var result = consumer.Consume(guard.Token);
            results.Add(result);
        }
        return results;
    }

    public static byte[] Payload(string text) => Encoding.UTF8.GetBytes(text);

    public void Dispose() => Cluster.Dispose();
}
