using Microsoft.Extensions.Diagnostics.HealthChecks;
using ZonCoin.Orderer.Channels;

namespace ZonCoin.Orderer.Hosting;

/// <summary>Healthy when every channel's chain serves (for Kafka: its brokers answer).</summary>
internal sealed class ChannelsHealthCheck : IHealthCheck
{
    private readonly ChannelRegistry _channels;

    public ChannelsHealthCheck(ChannelRegistry channels)
    {
        _channels = channels;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var faults = _channels.Channels
            .Where(channel => channel.Chain.Fault is not null)
            .Select(channel => $"channel {channel.ChannelId}: {channel.Chain.Fault}")
            .ToList();
        return Task.FromResult(faults.Count == 0
            ? HealthCheckResult.Healthy($"{_channels.Channels.Count} channels serving")
            : HealthCheckResult.Unhealthy(string.Join("; ", faults)));
    }
}
