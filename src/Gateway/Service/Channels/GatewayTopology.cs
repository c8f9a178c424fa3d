using ZonCoin.Gateway.Nodes;
using ZonCoin.Protos.Config;

namespace ZonCoin.Gateway.Channels;

/// <summary>
/// Which peers the gateway may call: those configured (its own organisation's first) and, per channel, those each
/// organisation lists in the channel configuration. Peers that failed recently are tried last.
/// </summary>
internal sealed class GatewayTopology
{
    private static readonly TimeSpan FailurePenalty = TimeSpan.FromSeconds(10);

    private readonly IReadOnlyList<PeerAddress> _configured;
    private readonly TimeProvider _time;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _failures = new(StringComparer.Ordinal);

    public GatewayTopology(string mspId, IEnumerable<PeerAddress> configured, TimeProvider time)
    {
        MspId = mspId;
        _configured = [.. configured];
        _time = time;
    }

    /// <summary>The organisation the gateway serves.</summary>
    public string MspId { get; }

    /// <summary>The gateway's own organisation's configured peers, in order, recently failed ones last.</summary>
    public IReadOnlyList<PeerAddress> OwnPeers => Prefer(_configured.Where(p => p.MspId == MspId));

    /// <summary>The gateway's peer: the first of <see cref="OwnPeers"/>.</summary>
    public PeerAddress? OwnPeer => OwnPeers is [var first, ..] ? first : null;

    /// <summary>Peers of an organisation for a channel: configured ones, then those in the channel configuration.</summary>
    public IReadOnlyList<PeerAddress> PeersOf(string mspId, ChannelConfig? config)
    {
        var peers = _configured.Where(p => p.MspId == mspId).ToList();
        var org = config?.Application?.Organizations.FirstOrDefault(o => o.MspId == mspId);
        foreach (var endpoint in org?.PeerEndpoints ?? [])
        {
            if (!peers.Any(p => p.Endpoint == endpoint))
            {
                peers.Add(new PeerAddress(mspId, endpoint));
            }
        }
        return Prefer(peers);
    }

    /// <summary>Notes that a peer failed (unreachable or erroring), so it is tried last for a while.</summary>
    public void Failed(PeerAddress peer) => _failures[peer.Endpoint] = _time.GetUtcNow();

    /// <summary>Notes that a peer answered.</summary>
    public void Succeeded(PeerAddress peer) => _failures.TryRemove(peer.Endpoint, out _);

    private List<PeerAddress> Prefer(IEnumerable<PeerAddress> peers)
    {
        var now = _time.GetUtcNow();
        return [.. peers.OrderBy(p => _failures.TryGetValue(p.Endpoint, out var at) && now - at < FailurePenalty ? 1 : 0)];
    }
}
