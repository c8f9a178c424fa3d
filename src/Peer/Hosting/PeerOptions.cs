using ZonCoin.Hosting;

namespace ZonCoin.Peer.Hosting;

/// <summary>
/// The peer's settings (section <c>Peer</c>), from <c>appsettings.json</c>, environment variables
/// (<c>Peer__DataDirectory</c>) and flags (see <see cref="PeerProgram"/>).
/// </summary>
public sealed class PeerOptions
{
    public const string Section = "Peer";

    /// <summary>Endorser, Deliver and ChaincodeSupport (gRPC).</summary>
    public string ListenAddress { get; set; } = "127.0.0.1:7051";

    /// <summary>The channel participation API (join, list): HTTPS with client certificates of the peer's TLS CA.</summary>
    public string AdminListenAddress { get; set; } = "127.0.0.1:7059";

    /// <summary><c>/healthz</c> and <c>/metrics</c> (plain HTTP).</summary>
    public string OperationsListenAddress { get; set; } = "127.0.0.1:9443";

    /// <summary>Block stores under <c>chains/&lt;channel&gt;</c>, SQLite state databases under <c>state/&lt;channel&gt;.db</c>.</summary>
    public string DataDirectory { get; set; } = "";

    public string MspId { get; set; } = "";

    /// <summary>The peer's MSP folder (signcerts/, keystore/): it signs endorsements and Deliver requests.</summary>
    public string MspDirectory { get; set; } = "";

    /// <summary>
    /// The state database: <c>sqlite</c> (embedded, the default) or <c>postgres</c> (one schema per channel in the
    /// database of <see cref="PostgresConnectionString"/>).
    /// </summary>
    public string StateDatabase { get; set; } = "sqlite";

    /// <summary>The Npgsql connection string of the PostgreSQL database, when <see cref="StateDatabase"/> is <c>postgres</c>.</summary>
    public string PostgresConnectionString { get; set; } = "";

    /// <summary>How long a chaincode may take for one transaction.</summary>
    public TimeSpan ChaincodeExecuteTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Per chaincode name, the host:port this peer dials instead of the address in the channel's chaincode definition
    /// (<c>Peer:ChaincodeAddresses:zoncoin=127.0.0.1:9100</c>), so each organisation can run its own chaincode host, as
    /// Fabric's per-peer <c>connection.json</c> for chaincode-as-a-service. The package id stays the definition's.
    /// </summary>
    public IDictionary<string, string> ChaincodeAddresses { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The peer's <c>host:port</c> as other nodes dial it and the channel configuration names it (Fabric's
    /// <c>peer.address</c>); empty means <see cref="ListenAddress"/>. Its gateway recognises itself by it.
    /// </summary>
    public string Address { get; set; } = "";

    /// <summary>The gateway the peer runs on its own address (Fabric's <c>peer.gateway</c>).</summary>
    public PeerGatewaySettings Gateway { get; } = new();

    /// <summary>Development only: no TLS anywhere (gRPC h2c, plain admin HTTP, plain connections to orderers).</summary>
    public bool Insecure { get; set; }

    /// <summary>
    /// The peer's TLS material; its certificate is also the client certificate towards orderers and other peers.
    /// Applications need not present a client certificate (<see cref="TlsSettings.ClientAuthRequired"/> is false
    /// by default, as Fabric's); the admin port always requires one.
    /// </summary>
    public TlsSettings Tls { get; } = new() { ClientAuthRequired = false };

    /// <summary>The address the peer's gateway knows it by.</summary>
    internal string OwnEndpoint => string.IsNullOrEmpty(Address) ? ListenAddress : Address;
}

/// <summary>The peer's gateway (Fabric's <c>peer.gateway</c> settings, and <c>peer.limits.concurrency.gatewayService</c>).</summary>
public sealed class PeerGatewaySettings
{
    /// <summary>Whether the peer's address serves <c>gateway.Gateway</c>; off, applications use a standalone gateway.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long one peer may take to endorse or evaluate a proposal.</summary>
    public TimeSpan EndorsementTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one orderer may take to accept a transaction.</summary>
    public TimeSpan BroadcastTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for a connection to another peer or an orderer.</summary>
    public TimeSpan DialTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gateway requests served at once; more are refused with RESOURCE_EXHAUSTED.</summary>
    public int ConcurrencyLimit { get; set; } = 500;
}
