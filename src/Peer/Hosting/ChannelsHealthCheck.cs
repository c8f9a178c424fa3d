using Microsoft.Extensions.Diagnostics.HealthChecks;
using ZonCoin.Peer.Channels;

namespace ZonCoin.Peer.Hosting;

/// <summary>
/// The peer's <c>channels</c> health: unhealthy while any joined channel cannot commit its blocks or has lost every
/// orderer (see <see cref="Sync.ChannelSyncHealth"/>), naming each channel and why.
/// </summary>
internal sealed class ChannelsHealthCheck : IHealthCheck
{
    private readonly PeerChannels _channels;

    public ChannelsHealthCheck(PeerChannels channels)
    {
        _channels = channels;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = _channels.SyncProblems();
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy($"{_channels.All.Count} channels in sync")
            : HealthCheckResult.Unhealthy(string.Join("; ", problems.Select(p => $"channel {p.ChannelId}: {p.Problem}"))));
    }
}
