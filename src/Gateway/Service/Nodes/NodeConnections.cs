using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using ZonCoin.Rpc.Client;

namespace ZonCoin.Gateway.Nodes;

/// <summary>
/// One pooled connection (an <see cref="GrpcChannel"/>, which multiplexes calls over HTTP/2) per peer or orderer
/// endpoint. Under TLS, a node's certificate must chain to the gateway's own CA or to a TLS CA of an organisation of
/// a channel the gateway serves (as known when the connection is first made); the gateway presents its own TLS
/// certificate for mutual TLS.
/// </summary>
internal sealed class NodeConnections : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<GrpcChannel>> _channels = new(StringComparer.Ordinal);
    private readonly X509Certificate2? _clientCertificate;
    private readonly X509Certificate2Collection _ownRoots;
    private readonly TimeSpan _dialTimeout;
    private readonly object _rootsLock = new();
    private readonly HashSet<string> _knownRoots = new(StringComparer.Ordinal);
    private X509Certificate2Collection _roots;

    /// <param name="clientCertificate">The gateway's TLS certificate, or null for plain h2c (development).</param>
    /// <param name="ownRoots">CAs trusted from the start (the gateway's own TLS CA).</param>
    /// <param name="dialTimeout">How long to wait for a connection.</param>
    public NodeConnections(X509Certificate2? clientCertificate, X509Certificate2Collection ownRoots, TimeSpan dialTimeout)
    {
        _clientCertificate = clientCertificate;
        _ownRoots = ownRoots;
        _roots = [.. ownRoots];
        _dialTimeout = dialTimeout;
    }

    /// <summary>True when nodes are reached over TLS.</summary>
    public bool Tls => _clientCertificate is not null;

    /// <summary>The SHA-256 of the gateway's TLS certificate, for binding its Deliver requests under mutual TLS.</summary>
    public byte[]? TlsCertificateHash => _clientCertificate is null ? null : System.Security.Cryptography.SHA256.HashData(_clientCertificate.RawData);

    /// <summary>Adds TLS CAs (PEM) that nodes' certificates may chain to, for connections made from now on.</summary>
    public void TrustRoots(IEnumerable<string> pems)
    {
        ArgumentNullException.ThrowIfNull(pems);
        lock (_rootsLock)
        {
            var added = false;
            var roots = new X509Certificate2Collection(_roots);
            foreach (var pem in pems.Where(_knownRoots.Add))
            {
                roots.ImportFromPem(pem);
                added = true;
            }
            if (added)
            {
                _roots = roots;
            }
        }
    }

    /// <summary>The connection to <c>host:port</c>, created on first use.</summary>
    public GrpcChannel Get(string endpoint)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        return _channels.GetOrAdd(endpoint, e => new Lazy<GrpcChannel>(() => Connect(e))).Value;
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values.Where(c => c.IsValueCreated))
        {
            channel.Value.Dispose();
        }
        _channels.Clear();
    }

    private GrpcChannel Connect(string endpoint)
    {
        if (_clientCertificate is null)
        {
            return RpcChannels.ForAddress($"http://{endpoint}", new RpcChannelOptions { ConnectTimeout = _dialTimeout });
        }
        X509Certificate2Collection roots;
        lock (_rootsLock)
        {
            roots = _roots.Count == 0 ? _ownRoots : _roots;
        }
        return RpcChannels.ForAddress($"https://{endpoint}", new RpcChannelOptions
        {
            RootCertificates = roots,
            ClientCertificate = _clientCertificate,
            ConnectTimeout = _dialTimeout,
        });
    }
}
