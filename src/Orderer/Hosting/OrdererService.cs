using Microsoft.Extensions.Hosting;
using ZonCoin.Orderer.Channels;

namespace ZonCoin.Orderer.Hosting;

/// <summary>Opens the channels found on disk at start and stops their chains at shutdown.</summary>
internal sealed class OrdererService : IHostedService
{
    private readonly ChannelRegistry _channels;

    public OrdererService(ChannelRegistry channels)
    {
        _channels = channels;
    }

    public Task StartAsync(CancellationToken cancellationToken) => _channels.StartAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken) => await _channels.DisposeAsync().ConfigureAwait(false);
}
