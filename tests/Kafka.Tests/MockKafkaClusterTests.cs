using System.Globalization;
using Confluent.Kafka;
using ZonCoin.Kafka.Tests.Support;

namespace ZonCoin.Kafka.Tests;

/// <summary>The mock cluster over the real Kafka protocol, driven by Confluent.Kafka clients.</summary>
[Collection(SharedKafkaCluster.Name)]
public sealed class MockKafkaClusterTests
{
    private readonly MockKafkaClusterFixture kafka;

    public MockKafkaClusterTests(MockKafkaClusterFixture kafka)
    {
        this.kafka = kafka;
    }

    [Fact]
    public void The_brokers_listen_on_loopback_only()
    {
        var addresses = kafka.BootstrapServers.Split(',');
        Assert.Equal(MockKafkaClusterFixture.Brokers, addresses.Length);
        Assert.Equal(MockKafkaClusterFixture.Brokers, kafka.Cluster.BrokerCount);
        var listeners = TcpListeners();
        foreach (var address in addresses)
        {
            var (host, port) = (address[..address.LastIndexOf(':')], int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture));
            Assert.Equal("127.0.0.1", host);
            Assert.Contains(("0100007F", port), listeners);
            Assert.DoesNotContain(listeners, l => l.Port == port && l.Address != "0100007F");
        }
    }

    [Fact]
    public void Produce_with_acks_all_and_idempotence_then_consume_back_byte_identical_in_order()
    {
        var topic = kafka.CreateUniqueTopic();
        var payloads = Enumerable.Range(0, 300).Select(Payload).ToList();

        var delivered = ProduceAll(topic, payloads);
        Assert.Equal(Enumerable.Range(0, payloads.Count).Select(i => (long)i), delivered.Select(d => d.Offset.Value));
        Assert.All(delivered, d => Assert.Equal(PersistenceStatus.Persisted, d.Status));

        using var consumer = kafka.CreateConsumer();
        var consumed = MockKafkaClusterFixture.ConsumeExactly(consumer, topic, 0, payloads.Count);
        Assert.Equal(Enumerable.Range(0, payloads.Count).Select(i => (long)i), consumed.Select(c => c.Offset.Value));
        Assert.All(consumed, c => Assert.Equal(0, c.Partition.Value));
        for (var i = 0; i < payloads.Count; i++)
        {
            Assert.Equal(payloads[i], consumed[i].Message.Value);
        }
    }

    [Fact]
    public void A_consumer_assigned_at_an_offset_reads_from_there()
    {
        var topic = kafka.CreateUniqueTopic();
        var payloads = Enumerable.Range(0, 20).Select(Payload).ToList();
        ProduceAll(topic, payloads);

        using var consumer = kafka.CreateConsumer();
        var consumed = MockKafkaClusterFixture.ConsumeExactly(consumer, topic, 15, 5);
        Assert.Equal([15L, 16, 17, 18, 19], consumed.Select(c => c.Offset.Value));
        Assert.Equal(payloads[15], consumed[0].Message.Value);
    }

    [Fact]
    public void Production_with_acks_all_continues_while_a_follower_is_down()
    {
        var topic = kafka.CreateUniqueTopic();
        var (leader, replicas, isr) = PartitionZero(topic);
        Assert.Equal(3, replicas.Length);
        var follower = replicas.First(r => r != leader);

        ProduceAll(topic, [Payload(0)]);
        kafka.Cluster.SetBrokerDown(follower);
        try
        {
            // The mock has no ISR tracking and no min.insync.replicas: the leader alone acknowledges acks=all, and
            // metadata still lists every replica as in sync. (Apache Kafka with RF 3 and min.insync.replicas=2
            // would also accept these writes with one follower down, and refuse them with two down.)
            var during = ProduceAll(topic, Enumerable.Range(1, 50).Select(Payload).ToList());
            Assert.All(during, d => Assert.Equal(PersistenceStatus.Persisted, d.Status));
            Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), during.Select(d => d.Offset.Value));
            Assert.Equal(replicas.Order(), PartitionZero(topic).Isr.Order());
        }
        finally
        {
            kafka.Cluster.SetBrokerUp(follower);
        }
        ProduceAll(topic, [Payload(51)]);

        using var consumer = kafka.CreateConsumer();
        var consumed = MockKafkaClusterFixture.ConsumeExactly(consumer, topic, 0, 52);
        Assert.Equal(Enumerable.Range(0, 52).Select(i => (long)i), consumed.Select(c => c.Offset.Value));
        Assert.Equal(Enumerable.Range(0, 52).Select(Payload), consumed.Select(c => c.Message.Value));
        Assert.Equal(3, isr.Length);
    }

    [Fact]
    public async Task While_the_leader_is_down_production_waits_and_completes_in_order_after_failover_or_restart()
    {
        var topic = kafka.CreateUniqueTopic();
        var (leader, replicas, _) = PartitionZero(topic);
        var successor = replicas.First(r => r != leader);
        using var producer = kafka.CreateProducer();
        var first = await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = Payload(0) });
        Assert.Equal(0, first.Offset.Value);

        kafka.Cluster.SetBrokerDown(leader);
        try
        {
            // The mock never elects a new leader: these wait in the producer (retried, idempotent) ...
            var waiting = Enumerable.Range(1, 20).Select(i => producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = Payload(i) })).ToList();
            // ... until the leadership moves, as a real controller would move it.
            kafka.Cluster.SetPartitionLeader(topic, 0, successor);
            var results = await Task.WhenAll(waiting).WaitAsync(MockKafkaClusterFixture.Timeout);
            Assert.All(results, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));
            Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), results.Select(r => r.Offset.Value));
            Assert.Equal(successor, PartitionZero(topic).Leader);
        }
        finally
        {
            kafka.Cluster.SetBrokerUp(leader);
        }

        // The old leader comes back as a follower; move the leadership back and keep producing.
        kafka.Cluster.SetPartitionLeader(topic, 0, leader);
        var last = await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = Payload(21) }).WaitAsync(MockKafkaClusterFixture.Timeout);
        Assert.Equal(21, last.Offset.Value);

        using var consumer = kafka.CreateConsumer();
        var consumed = MockKafkaClusterFixture.ConsumeExactly(consumer, topic, 0, 22);
        Assert.Equal(Enumerable.Range(0, 22).Select(Payload), consumed.Select(c => c.Message.Value));
    }

    [Fact]
    public async Task Production_to_a_downed_leader_completes_once_it_is_up_again()
    {
        var topic = kafka.CreateUniqueTopic();
        var (leader, _, _) = PartitionZero(topic);
        using var producer = kafka.CreateProducer();
        await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = Payload(0) });

        kafka.Cluster.SetBrokerDown(leader);
        List<Task<DeliveryResult<Null, byte[]>>> waiting;
        try
        {
            waiting = Enumerable.Range(1, 10).Select(i => producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = Payload(i) })).ToList();
        }
        finally
        {
            kafka.Cluster.SetBrokerUp(leader);
        }
        var results = await Task.WhenAll(waiting).WaitAsync(MockKafkaClusterFixture.Timeout);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), results.Select(r => r.Offset.Value));

        using var consumer = kafka.CreateConsumer();
        var consumed = MockKafkaClusterFixture.ConsumeExactly(consumer, topic, 0, 11);
        Assert.Equal(Enumerable.Range(0, 11).Select(Payload), consumed.Select(c => c.Message.Value));
    }

    [Fact]
    public void CreateTopic_refuses_duplicates_bad_names_and_impossible_replication()
    {
        var topic = kafka.CreateUniqueTopic();
        var duplicate = Assert.Throws<KafkaException>(() => kafka.Cluster.CreateTopic(topic));
        Assert.Equal(ErrorCode.TopicAlreadyExists, duplicate.Error.Code);
        Assert.Throws<ArgumentException>(() => kafka.Cluster.CreateTopic("no spaces"));
        Assert.Throws<ArgumentException>(() => kafka.Cluster.CreateTopic(".."));
        Assert.Throws<ArgumentOutOfRangeException>(() => kafka.Cluster.CreateTopic("rf-too-big", 1, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => kafka.Cluster.CreateTopic("no-partitions", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => kafka.Cluster.SetBrokerDown(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => kafka.Cluster.SetBrokerUp(4));
    }

    [Fact]
    public void A_disposed_cluster_refuses_calls_and_can_be_disposed_twice()
    {
        var cluster = MockKafkaCluster.Start(1);
        Assert.Equal(1, cluster.DefaultReplicationFactor);
        cluster.CreateTopic("t");
        cluster.Dispose();
        cluster.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cluster.CreateTopic("u"));
    }

    private List<DeliveryResult<Null, byte[]>> ProduceAll(string topic, List<byte[]> payloads)
    {
        using var producer = kafka.CreateProducer();
        var delivered = new DeliveryReport<Null, byte[]>?[payloads.Count];
        for (var i = 0; i < payloads.Count; i++)
        {
            var index = i;
            producer.Produce(topic, new Message<Null, byte[]> { Value = payloads[i] }, report => delivered[index] = report);
        }
        Assert.Equal(0, producer.Flush(MockKafkaClusterFixture.Timeout));
        return [.. delivered.Select(d =>
        {
            Assert.NotNull(d);
            Assert.False(d.Error.IsError, d.Error.Reason);
            return (DeliveryResult<Null, byte[]>)d;
        })];
    }

    private (int Leader, int[] Replicas, int[] Isr) PartitionZero(string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers })
            .SetLogHandler(static (_, _) => { }).Build();
        var partition = admin.GetMetadata(topic, MockKafkaClusterFixture.Timeout).Topics.Single().Partitions.Single();
        return (partition.Leader, partition.Replicas, partition.InSyncReplicas);
    }

    /// <summary>Payloads of varying size with every byte value, so a byte-level mix-up shows.</summary>
    private static byte[] Payload(int i)
    {
        var bytes = new byte[(i * 37) % 2048];
        for (var b = 0; b < bytes.Length; b++)
        {
            bytes[b] = (byte)(i + b);
        }
        return [.. BitConverter.GetBytes(i), .. bytes];
    }

    /// <summary>Listening TCP sockets of this machine from /proc/net/tcp: (hex IPv4 address, port).</summary>
    private static List<(string Address, int Port)> TcpListeners() =>
        [.. File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields[3] == "0A")
            .Select(fields => (fields[1][..8], int.Parse(fields[1][9..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)))];
}
