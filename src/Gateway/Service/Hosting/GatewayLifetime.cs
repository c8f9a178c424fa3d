using Microsoft.Extensions.Hosting;
using ZonCoin.Gateway.Channels;
using ZonCoin.Gateway.Nodes;

namespace ZonCoin.Gateway.Hosting;

/// <summary>Closes the gateway's channels and connections at shutdown.</summary>
internal sealed class GatewayLifetime : IHostedService
{
    private readonly GatewayChannels _channels;
    private readonly OrdererClient _orderers;
    private readonly NodeConnections _connections;

    public GatewayLifetime(GatewayChannels channels, OrdererClient orderers, NodeConnections connections)
    {
        _channels = channels;
        _orderers = orderers;
        _connections = connections;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _channels.DisposeAsync().ConfigureAwait(false);
        await _orderers.DisposeAsync().ConfigureAwait(false);
        _connections.Dispose();
    }
}
