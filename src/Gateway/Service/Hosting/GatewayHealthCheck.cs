using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ZonCoin.Gateway.Channels;

namespace ZonCoin.Gateway.Hosting;

/// <summary>Healthy while the gateway's own peer answers (a TCP connection to its endpoint succeeds).</summary>
internal sealed class GatewayHealthCheck : IHealthCheck
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    private readonly GatewayTopology _topology;
    private readonly TimeProvider _time;

    public GatewayHealthCheck(GatewayTopology topology, TimeProvider time)
    {
        _topology = topology;
        _time = time;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failures = new List<string>();
        foreach (var peer in _topology.OwnPeers)
        {
            try
            {
                var endpoint = peer.Endpoint;
                var colon = endpoint.LastIndexOf(':');
                using var client = new TcpClient();
                using var timeout = new CancellationTokenSource(ConnectTimeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                await client.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture), linked.Token).ConfigureAwait(false);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                failures.Add($"{peer}: {ex.Message}");
            }
        }
        return HealthCheckResult.Unhealthy($"no peer of the gateway's organisation is reachable: {string.Join("; ", failures)}");
    }
}
