using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ZonCoin.Gateway.Nodes;

namespace ZonCoin.Gateway.Channels;

/// <summary>
/// The channels the gateway serves, opened on first use (a channel is whatever its organisation's peers have
/// joined) and followed from then on. A channel that could not be opened is tried again on the next request.
/// </summary>
internal sealed class GatewayChannels : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<GatewayChannel>>> _channels = new(StringComparer.Ordinal);
    private readonly PeerClient _peers;
    private readonly GatewayTopology _topology;
    private readonly NodeConnections _connections;
    private readonly TimeProvider _time;
    private readonly ILogger<GatewayChannels> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    public GatewayChannels(PeerClient peers, GatewayTopology topology, NodeConnections connections, TimeProvider time, ILogger<GatewayChannels> logger)
    {
        _time = time;
        _peers = peers;
        _topology = topology;
        _connections = connections;
        _logger = logger;
    }

    /// <summary>The channels opened so far.</summary>
    public IReadOnlyList<GatewayChannel> Opened =>
        [.. _channels.Values.Where(c => c.IsValueCreated && c.Value.IsCompletedSuccessfully).Select(c => c.Value.Result)];

    /// <summary>
    /// The channel, opened if need be. Throws <see cref="ChannelNotFoundException"/> or
    /// <see cref="PeersUnavailableException"/>.
    /// </summary>
    public async Task<GatewayChannel> GetAsync(string channelId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(channelId);
        var entry = _channels.GetOrAdd(channelId, id => new Lazy<Task<GatewayChannel>>(
            () => GatewayChannel.OpenAsync(id, _peers, _topology, _connections, _time, _logger, _stopping.Token)));
        try
        {
            return await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (entry.Value.IsFaulted || entry.Value.IsCanceled)
        {
            _channels.TryRemove(new KeyValuePair<string, Lazy<Task<GatewayChannel>>>(channelId, entry));
            throw;
        }
    }

    /// <summary>Stops following the channels; a second call (the host's lifetime, then its container) does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var channel in Opened)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }
        _stopping.Dispose();
    }
}
