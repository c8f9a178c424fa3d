using Confluent.Kafka;

namespace ZonCoin.Kafka;

/// <summary>
/// Confluent.Kafka client settings for the Kafka ordering service (one topic per channel, partition 0), checked
/// against librdkafka's mock cluster and valid for Apache Kafka. Callers may change the returned objects.
/// </summary>
/// <remarks>
/// Behaviour measured against the mock cluster (librdkafka 2.16.0):
/// <list type="bullet">
/// <item>Produce to <c>new TopicPartition(topic, 0)</c>: with a null key the partitioner spreads messages over all
/// partitions, and a producer auto-creates an unknown topic with 4 partitions. Create channel topics first.</item>
/// <item>While a partition's leader is down, production neither fails nor completes: messages wait in the producer
/// (until <c>message.timeout.ms</c>, default 5 minutes, then "Local: Message timed out") and are delivered in order,
/// without duplicates, as soon as the leader is back or leadership moves. One broker going down is only logged
/// (Info, <c>FAIL</c> "Disconnected"); while every broker is down the error handler gets non-fatal
/// <see cref="ErrorCode.Local_Transport"/> ("Connection refused") and <see cref="ErrorCode.Local_AllBrokersDown"/>
/// errors. Only <see cref="Error.IsFatal"/> ends a producer.</item>
/// <item>A consumer whose leader is down gets nothing (Consume returns null at its timeout, no exception) and
/// resumes at the next offset when the broker is back.</item>
/// </list>
/// </remarks>
public static class KafkaClientConfigs
{
    /// <summary>
    /// A producer that never loses, duplicates or reorders what it posts: <c>acks=all</c> with idempotence
    /// (which also caps in-flight requests at 5 and retries without limit until <c>message.timeout.ms</c>).
    /// </summary>
    public static ProducerConfig OrderingProducer(string bootstrapServers) => new()
    {
        BootstrapServers = bootstrapServers,
        Acks = Acks.All,
        EnableIdempotence = true,
        // A broker that comes back is reconnected within a second (librdkafka's default backs off up to 10 s).
        ReconnectBackoffMs = 100,
        ReconnectBackoffMaxMs = 1000,
        // Post envelopes as soon as they are accepted; the orderer batches into blocks itself.
        LingerMs = 0,
    };

    /// <summary>
    /// A consumer for <c>Assign(topic, partition 0, offset)</c>: the orderer tracks offsets in block metadata, so no
    /// commits and no group rebalancing; a fresh topic is read from its start.
    /// </summary>
    /// <param name="bootstrapServers">The brokers.</param>
    /// <param name="groupId">Required by Confluent.Kafka even without subscribe; nothing is committed under it.</param>
    public static ConsumerConfig PartitionConsumer(string bootstrapServers, string groupId) => new()
    {
        BootstrapServers = bootstrapServers,
        GroupId = groupId,
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnablePartitionEof = false,
        AllowAutoCreateTopics = false,
        ReconnectBackoffMs = 100,
        ReconnectBackoffMaxMs = 1000,
        // The mock cluster answers an empty fetch only after fetch.wait.max.ms even when data arrives sooner
        // (Apache Kafka answers as soon as data arrives), so this bounds how late a consumer sees a new message.
        FetchWaitMaxMs = 50,
    };
}
