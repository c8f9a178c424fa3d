using ZonCoin.Hosting;

namespace ZonCoin.Gateway.Hosting;

/// <summary>
/// The gateway's settings (section <c>Gateway</c>): where it listens, whose organisation it serves, the peers it
/// may use, its timeouts and its concurrency limit.
/// </summary>
public sealed class GatewayOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Gateway";

    /// <summary>host:port for applications (Gateway and Deliver services).</summary>
    public string ListenAddress { get; set; } = "127.0.0.1:7080";

    /// <summary>host:port of <c>/healthz</c> and <c>/metrics</c>.</summary>
    public string OperationsListenAddress { get; set; } = "127.0.0.1:9445";

    /// <summary>The organisation this gateway serves.</summary>
    public string MspId { get; set; } = "";

    /// <summary>The gateway's own MSP folder (signcerts/, keystore/): it signs its own requests to peers with it.</summary>
    public string MspDirectory { get; set; } = "";

    /// <summary>
    /// Peers to use, as <c>host:port</c> (a peer of this gateway's organisation) or <c>MSPID@host:port</c> (a peer of
    /// another organisation). The first of its own organisation is the gateway's peer: it answers Deliver, commit
    /// status and chaincode events (the next one takes over when it fails). Peers listed in a channel's configuration
    /// (each organisation's peer endpoints) are used too.
    /// </summary>
    public IList<string> Peers { get; } = [];

    /// <summary>How long one peer may take to endorse or evaluate a proposal (Fabric's <c>gateway.endorsementTimeout</c>).</summary>
    public TimeSpan EndorsementTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one orderer may take to accept a transaction (Fabric's <c>gateway.broadcastTimeout</c>).</summary>
    public TimeSpan BroadcastTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a CommitStatus request waits for its transaction to commit before DEADLINE_EXCEEDED.</summary>
    public TimeSpan CommitStatusTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long to wait for a connection to a peer or orderer.</summary>
    public TimeSpan DialTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests served at once; more are refused with RESOURCE_EXHAUSTED (Fabric's <c>peer.limits.concurrency.gatewayService</c>).</summary>
    public int ConcurrencyLimit { get; set; } = 500;

    /// <summary>Development only: plain h2c to applications, peers and orderers.</summary>
    public bool Insecure { get; set; }

    /// <summary>The gateway's TLS server certificate (also its client certificate towards peers and orderers) and CA.</summary>
    public TlsSettings Tls { get; } = new();
}
