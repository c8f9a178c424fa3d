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

    /// <summary>Development only: no TLS anywhere (gRPC h2c, plain admin HTTP, plain connections to orderers).</summary>
    public bool Insecure { get; set; }

    /// <summary>The peer's TLS material; its certificate is also the client certificate towards orderers.</summary>
    public TlsSettings Tls { get; } = new();
}
