using ZonCoin.Hosting;

namespace ZonCoin.Orderer.Hosting;

/// <summary>
/// The orderer's settings (section <c>Orderer</c>), from <c>appsettings.json</c>, environment variables
/// (<c>Orderer__DataDirectory</c>) and command-line flags (<c>--data-dir</c>, see <see cref="OrdererProgram"/>).
/// </summary>
public sealed class OrdererOptions
{
    public const string Section = "Orderer";

    /// <summary>Where Broadcast and Deliver are served (gRPC).</summary>
    public string ListenAddress { get; set; } = "127.0.0.1:7050";

    /// <summary>Where the channel participation API is served (HTTPS with client certificates, as Fabric's admin endpoint).</summary>
    public string AdminListenAddress { get; set; } = "127.0.0.1:7053";

    /// <summary>Where <c>/healthz</c> and <c>/metrics</c> are served (plain HTTP).</summary>
    public string OperationsListenAddress { get; set; } = "127.0.0.1:8443";

    /// <summary>Block stores live under <c>&lt;DataDirectory&gt;/chains/&lt;channel&gt;</c>.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>The MSP ID of this orderer's organisation.</summary>
    public string MspId { get; set; } = "";

    /// <summary>This orderer's MSP folder (signcerts/ and keystore/), as <c>zoncoin crypto generate</c> writes it.</summary>
    public string MspDirectory { get; set; } = "";

    /// <summary>The consensus this node runs: <c>solo</c> or <c>kafka</c>. Channels of another type are refused.</summary>
    public string ConsensusType { get; set; } = "solo";

    /// <summary>
    /// Adaptive block cutting (default on): a pending batch is cut as soon as nothing more is waiting instead of at
    /// the channel's BatchTimeout. Solo cuts when its queue is empty (the block before is written synchronously);
    /// Kafka posts a TIME_TO_CUT for the block being filled when its consumer has read to the end of the partition,
    /// so every orderer still cuts at the same offset. Under load batches grow up to the channel's BatchSize, and
    /// BatchTimeout stays the upper bound. Off: Fabric's behaviour, a batch that is not full waits for BatchTimeout.
    /// </summary>
    public bool AdaptiveCutting { get; set; } = true;

    /// <summary>Development only: serve without TLS. TLS (mutual) is on unless this is set.</summary>
    public bool Insecure { get; set; }

    /// <summary>TLS for the gRPC and admin endpoints.</summary>
    public TlsSettings Tls { get; } = new();

    /// <summary>Kafka client settings, used when <see cref="ConsensusType"/> is <c>kafka</c>.</summary>
    public KafkaSettings Kafka { get; } = new();
}

/// <summary>How a Kafka orderer talks to its brokers.</summary>
public sealed class KafkaSettings
{
    /// <summary>Bootstrap brokers; when empty, the channel config's <c>orderer.kafka.brokers</c> are used.</summary>
    public IList<string> Brokers { get; } = [];

    /// <summary>Replication factor for channel topics the orderer creates (Fabric's default 3).</summary>
    public int ReplicationFactor { get; set; } = 3;

    /// <summary>How long to keep retrying the start-up CONNECT before the chain reports a fault.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromMinutes(10);
}
