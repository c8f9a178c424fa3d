using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ZonCoin.Kafka;

/// <summary>The librdkafka C API this library calls directly (client handles and the mock cluster).</summary>
internal static partial class NativeMethods
{
    /// <summary>rd_kafka_type_t RD_KAFKA_PRODUCER.</summary>
    public const int ProducerType = 0;

    /// <summary>rd_kafka_conf_res_t RD_KAFKA_CONF_OK.</summary>
    public const int ConfOk = 0;

    [LibraryImport(KafkaNative.ImportName, EntryPoint = "rd_kafka_conf_new")]
    public static partial IntPtr ConfNew();

    [LibraryImport(KafkaNative.ImportName, EntryPoint = "rd_kafka_conf_destroy")]
    public static partial void ConfDestroy(IntPtr conf);

    [LibraryImport(KafkaNative.ImportName, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int ConfSet(IntPtr conf, string name, string value, byte* errstr, nuint errstrSize);

    /// <summary>Takes ownership of <paramref name="conf"/> on success only.</summary>
    [LibraryImport(KafkaNative.ImportName, EntryPoint = "rd_kafka_new")]
    public static unsafe partial RdKafkaHandle KafkaNew(int type, IntPtr conf, byte* errstr, nuint errstrSize);

    [LibraryImport(KafkaNative.ImportName, EntryPoint = "rd_kafka_destroy")]
    public static partial void KafkaDestroy(IntPtr rk);

    [LibraryImport(KafkaNative.ImportName, EntryPoint = "rd_kafka_mock_cluster_new")]
    public static partial MockClusterHandle MockClusterNew(RdKafkaHandle rk, int brokerCount);

    [LibraryImport(KafkaNative.ImportName, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    public static partial void MockClusterDestroy(IntPtr cluster);

    /// <summary>Returns a string owned by the cluster (do not free).</summary>
    [LibraryImport(KafkaNative.ImportName, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    public static partial IntPtr MockClusterBootstraps(MockClusterHandle cluster);

    [LibraryImport(KafkaNative.ImportName, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MockTopicCreate(MockClusterHandle cluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(KafkaNative.ImportName, EntryPoint = "rd_kafka_mock_partition_set_leader", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MockPartitionSetLeader(MockClusterHandle cluster, string topic, int partition, int brokerId);

    [LibraryImport(KafkaNative.ImportName, EntryPoint = "rd_kafka_mock_broker_set_down")]
    public static partial int MockBrokerSetDown(MockClusterHandle cluster, int brokerId);

    [LibraryImport(KafkaNative.ImportName, EntryPoint = "rd_kafka_mock_broker_set_up")]
    public static partial int MockBrokerSetUp(MockClusterHandle cluster, int brokerId);
}

/// <summary>An <c>rd_kafka_t*</c>; released with <c>rd_kafka_destroy</c>.</summary>
internal sealed class RdKafkaHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public RdKafkaHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.KafkaDestroy(handle);
        return true;
    }
}

/// <summary>
/// An <c>rd_kafka_mock_cluster_t*</c>. It holds a reference on the <c>rd_kafka_t</c> it was created with, so the
/// cluster is always destroyed before that handle.
/// </summary>
internal sealed class MockClusterHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private RdKafkaHandle? owner;

    public MockClusterHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>Keeps <paramref name="rk"/> alive until this cluster has been destroyed.</summary>
    public void KeepAlive(RdKafkaHandle rk)
    {
        var added = false;
        rk.DangerousAddRef(ref added);
        if (added)
        {
            owner = rk;
        }
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.MockClusterDestroy(handle);
        owner?.DangerousRelease();
        owner = null;
        return true;
    }
}
