using Confluent.Kafka;
using Google.Protobuf;
using ZonCoin.Kafka;
using ZonCoin.Protos.Kafka;

namespace ZonCoin.Orderer.Tests.Support;

/// <summary>
/// A 3-broker librdkafka mock cluster (the real Kafka protocol on loopback) shared by one test class; each test
/// makes its own channel with <see cref="CreateChannel"/>, whose topic (named after the channel, one partition)
/// no other test touches. Also posts into and reads channel topics directly, as another orderer would.
/// </summary>
public sealed class KafkaClusterFixture : IDisposable
{
    /// <summary>A failure guard for anything that waits on the cluster; never a timing assertion.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly Lazy<IProducer<Null, byte[]>> _producer;
    private int _channels;

    public KafkaClusterFixture()
    {
        Cluster = MockKafkaCluster.Start(3);
        _producer = new(() => new ProducerBuilder<Null, byte[]>(KafkaClientConfigs.OrderingProducer(Cluster.BootstrapServers))
            .SetLogHandler(static (_, _) => { }).Build());
    }

    public MockKafkaCluster Cluster { get; }

    public IReadOnlyList<string> Brokers => Cluster.BootstrapServers.Split(',');

    /// <summary>A fresh channel ID (a legal channel and topic name) whose topic exists with one partition.</summary>
    public string CreateChannel(string prefix) => CreateChannel(Cluster, $"{prefix}-{Interlocked.Increment(ref _channels)}");

    /// <summary>Creates the topic of a fresh channel named after <paramref name="prefix"/> on <paramref name="cluster"/>.</summary>
    public static string CreateChannel(MockKafkaCluster cluster, string prefix)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var channelId = $"{prefix}-{Guid.NewGuid():N}";
        channelId = channelId[..Math.Min(40, channelId.Length)];
        cluster.CreateTopic(channelId, partitions: 1, replicationFactor: Math.Min(3, cluster.BrokerCount));
        return channelId;
    }

    /// <summary>Posts <paramref name="message"/> to partition 0 of <paramref name="topic"/>; returns its offset.</summary>
    public async Task<long> PostAsync(string topic, KafkaMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var guard = new CancellationTokenSource(Timeout);
        var result = await _producer.Value.ProduceAsync(new TopicPartition(topic, 0), new Message<Null, byte[]> { Value = message.ToByteArray() }, guard.Token);
        return result.Offset.Value;
    }

    /// <summary>Reads partition 0 of <paramref name="topic"/> from its start until <paramref name="done"/> holds for what was read.</summary>
    public List<(long Offset, KafkaMessage Message)> ReadUntil(string topic, Func<IReadOnlyList<(long Offset, KafkaMessage Message)>, bool> done)
    {
        ArgumentNullException.ThrowIfNull(done);
        using var consumer = new ConsumerBuilder<Null, byte[]>(KafkaClientConfigs.PartitionConsumer(Cluster.BootstrapServers, $"test-{Guid.NewGuid():N}"))
            .SetLogHandler(static (_, _) => { }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var read = new List<(long, KafkaMessage)>();
        using var guard = new CancellationTokenSource(Timeout);
        while (!done(read))
        {
            var result = consumer.Consume(guard.Token);
            read.Add((result.Offset.Value, KafkaMessage.Parser.ParseFrom(result.Message.Value)));
        }
        return read;
    }

    /// <summary>Reads the first <paramref name="count"/> messages of partition 0 of <paramref name="topic"/>.</summary>
    public List<(long Offset, KafkaMessage Message)> Read(string topic, int count) => ReadUntil(topic, read => read.Count >= count);

    public void Dispose()
    {
        if (_producer.IsValueCreated)
        {
            _producer.Value.Dispose();
        }
        Cluster.Dispose();
    }
}
