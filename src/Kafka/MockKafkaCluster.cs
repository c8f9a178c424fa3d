using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;

namespace ZonCoin.Kafka;

/// <summary>
/// An in-process Kafka cluster: librdkafka's mock cluster, which speaks the real Kafka protocol over TCP on
/// 127.0.0.1 (loopback only, ephemeral ports) and keeps data in memory. For tests and <c>zoncoin kafka dev</c>.
/// </summary>
/// <remarks>
/// What the mock does and does not do (librdkafka 2.16.0, as 2.0.2 before it): it keeps only about the newest 5 MB of each partition;
/// it does not implement CreateTopics (use <see cref="CreateTopic"/>), but a producer's metadata request auto-creates
/// an unknown topic with 4 partitions; it has no ISR and no <c>min.insync.replicas</c> (the leader alone
/// acknowledges <c>acks=all</c>, so a follower going down changes nothing); and it never elects a new leader by
/// itself: while a partition's leader is down, production to it waits (until the broker is up again or
/// <see cref="SetPartitionLeader"/> moves the leadership). Broker ids are 1..<see cref="BrokerCount"/>.
/// </remarks>
public sealed class MockKafkaCluster : IDisposable
{
    /// <summary>The largest broker count <see cref="Start"/> accepts.</summary>
    public const int MaxBrokers = 32;

    private readonly RdKafkaHandle client;
    private readonly MockClusterHandle cluster;

    private MockKafkaCluster(RdKafkaHandle client, MockClusterHandle cluster, int brokerCount, string bootstrapServers)
    {
        this.client = client;
        this.cluster = cluster;
        BrokerCount = brokerCount;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>Comma-separated <c>127.0.0.1:port</c> addresses of all brokers, for <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>The number of brokers; their ids are 1..BrokerCount.</summary>
    public int BrokerCount { get; }

    /// <summary>The replication factor topics get by default: min(3, <see cref="BrokerCount"/>).</summary>
    public int DefaultReplicationFactor => Math.Min(3, BrokerCount);

    /// <summary>Starts a cluster of <paramref name="brokers"/> brokers listening on 127.0.0.1.</summary>
    /// <exception cref="DllNotFoundException">The bundled librdkafka is missing or does not load (see <see cref="KafkaNative.EnsureLoaded"/>).</exception>
    public static MockKafkaCluster Start(int brokers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(brokers, MaxBrokers);
        KafkaNative.EnsureLoaded();

        var client = NewClientHandle();
        try
        {
            var cluster = NativeMethods.MockClusterNew(client, brokers);
            if (cluster.IsInvalid)
            {
                cluster.Dispose();
                throw new InvalidOperationException($"librdkafka could not start a mock cluster of {brokers} brokers");
            }
            cluster.KeepAlive(client);
            var bootstraps = Marshal.PtrToStringUTF8(NativeMethods.MockClusterBootstraps(cluster)) ?? "";
            return new MockKafkaCluster(client, cluster, brokers, bootstraps);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Creates a topic (the mock has no CreateTopics API).</summary>
    /// <param name="name">A legal Kafka topic name: 1-249 of <c>[a-zA-Z0-9._-]</c>, not "." or "..".</param>
    /// <param name="partitions">Partition count (orderer channels use 1).</param>
    /// <param name="replicationFactor">Replicas per partition; default min(3, <see cref="BrokerCount"/>).</param>
    /// <exception cref="ArgumentException">Bad name, partition count or replication factor.</exception>
    /// <exception cref="KafkaException">The mock refused, e.g. <see cref="ErrorCode.TopicAlreadyExists"/>.</exception>
    public void CreateTopic(string name, int partitions = 1, int? replicationFactor = null)
    {
        ValidateTopicName(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partitions, 10_000);
        var replicas = replicationFactor ?? DefaultReplicationFactor;
        if (replicas < 1 || replicas > BrokerCount)
        {
            throw new ArgumentOutOfRangeException(nameof(replicationFactor), replicas, $"the replication factor must be between 1 and the broker count ({BrokerCount})");
        }
        Check(NativeMethods.MockTopicCreate(cluster, name, partitions, replicas), $"create topic '{name}'");
    }

    /// <summary>Takes a broker down: closes its connections and refuses new ones (its port is kept).</summary>
    public void SetBrokerDown(int brokerId)
    {
        CheckBroker(brokerId);
        Check(NativeMethods.MockBrokerSetDown(cluster, brokerId), $"take broker {brokerId} down");
    }

    /// <summary>Brings a broker up again on the same port.</summary>
    public void SetBrokerUp(int brokerId)
    {
        CheckBroker(brokerId);
        Check(NativeMethods.MockBrokerSetUp(cluster, brokerId), $"bring broker {brokerId} up");
    }

    /// <summary>
    /// Makes <paramref name="brokerId"/> the leader of a partition, as a real cluster's controller would after the
    /// leader failed (the mock never does this by itself). Clients learn it from their next metadata refresh.
    /// </summary>
    public void SetPartitionLeader(string topic, int partition, int brokerId)
    {
        ValidateTopicName(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        CheckBroker(brokerId);
        Check(NativeMethods.MockPartitionSetLeader(cluster, topic, partition, brokerId), $"make broker {brokerId} the leader of {topic} [{partition}]");
    }

    /// <summary>Stops every broker and frees the cluster, then its client handle.</summary>
    public void Dispose()
    {
        cluster.Dispose();
        client.Dispose();
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="name"/> is a legal Kafka topic name.</summary>
    public static void ValidateTopicName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > 249 || name is "." or ".." || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw new ArgumentException($"'{name}' is not a legal Kafka topic name (1-249 of a-z A-Z 0-9 . _ -, not '.' or '..')", nameof(name));
        }
    }

    private void CheckBroker(int brokerId)
    {
        if (brokerId < 1 || brokerId > BrokerCount)
        {
            throw new ArgumentOutOfRangeException(nameof(brokerId), brokerId, $"broker ids are 1 to {BrokerCount}");
        }
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            var code = (ErrorCode)error;
            throw new KafkaException(new Error(code, $"could not {what}: {new Error(code).Reason}"));
        }
    }

    private static unsafe RdKafkaHandle NewClientHandle()
    {
        const int ErrorSize = 512;
        var errstr = stackalloc byte[ErrorSize];
        var conf = NativeMethods.ConfNew();
        if (conf == IntPtr.Zero)
        {
            throw new InvalidOperationException("rd_kafka_conf_new failed");
        }
        // Only the mock cluster's own logs go through this handle; warnings and errors are enough.
        if (NativeMethods.ConfSet(conf, "log_level", "4", errstr, ErrorSize) != NativeMethods.ConfOk)
        {
            NativeMethods.ConfDestroy(conf);
            throw new InvalidOperationException($"rd_kafka_conf_set failed: {Text(errstr)}");
        }
        var rk = NativeMethods.KafkaNew(NativeMethods.ProducerType, conf, errstr, ErrorSize);
        if (rk.IsInvalid)
        {
            rk.Dispose();
            NativeMethods.ConfDestroy(conf);
            throw new InvalidOperationException($"rd_kafka_new failed: {Text(errstr)}");
        }
        return rk;
    }

    private static unsafe string Text(byte* errstr) => Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(errstr));
}
