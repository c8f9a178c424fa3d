namespace ZonCoin.Peer.Sync;

/// <summary>
/// Whether a channel's peer can keep up with its chain: the commit loop records failed and successful commits, the
/// block puller its orderer streams. A channel is unhealthy while its blocks cannot be committed (ledger or state
/// database failing), or once every orderer endpoint failed in a row and no stream has been open for
/// <see cref="DisconnectedGrace"/> (an idle channel with an open stream is healthy: it waits for blocks).
/// </summary>
internal sealed class ChannelSyncHealth
{
    /// <summary>How long a channel may be without any orderer before it counts as having lost them all.</summary>
    public static readonly TimeSpan DisconnectedGrace = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private int _failures;
    private bool _connected;
    private DateTimeOffset? _disconnectedSince;
    private string? _lastFailure;
    private string? _commitFault;

    public ChannelSyncHealth(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>An orderer accepted a Deliver stream (it answered with headers); blocks may follow.</summary>
    public void StreamOpened()
    {
        lock (_lock)
        {
            _connected = true;
        }
    }

    /// <summary>A block arrived: the orderer serves this channel.</summary>
    public void BlockReceived()
    {
        lock (_lock)
        {
            _connected = true;
            _failures = 0;
            _disconnectedSince = null;
        }
    }

    /// <summary>A stream to <paramref name="endpoint"/> could not be opened, was refused, or broke.</summary>
    public void StreamFailed(string endpoint, string reason)
    {
        lock (_lock)
        {
            _connected = false;
            _failures++;
            _disconnectedSince ??= _time.GetUtcNow();
            _lastFailure = $"{endpoint}: {reason}";
        }
    }

    public void CommitFailed(string reason)
    {
        lock (_lock)
        {
            _commitFault = reason;
        }
    }

    public void Committed()
    {
        lock (_lock)
        {
            _commitFault = null;
        }
    }

    /// <summary>Why the channel is unhealthy, or null when it is not; <paramref name="orderers"/> is how many endpoints it has.</summary>
    public string? Problem(int orderers)
    {
        lock (_lock)
        {
            if (_commitFault is { } fault)
            {
                return $"cannot commit blocks: {fault}";
            }
            if (!_connected && _failures >= Math.Max(1, orderers) && _disconnectedSince is { } since && _time.GetUtcNow() - since >= DisconnectedGrace)
            {
                return $"lost every orderer: {_failures} attempts in a row failed since {since:O}, the last {_lastFailure}";
            }
            return null;
        }
    }
}
