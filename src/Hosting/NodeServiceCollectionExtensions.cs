using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using ZonCoin.Rpc.Server;

namespace ZonCoin.Hosting;

/// <summary>The building blocks of a node kind's host extension (<c>AddPeer</c>, <c>AddOrderer</c>, <c>AddGateway</c>).</summary>
public static class NodeServiceCollectionExtensions
{
    /// <summary>
    /// What the node kinds of a process share, registered once however many the process hosts: gRPC with Fabric's
    /// 100 MB limits, the meters and their Prometheus exporter (listening from the start, so no early measurement
    /// is lost), <see cref="TimeProvider.System"/> unless the host registers another clock, and health checks.
    /// </summary>
    public static IServiceCollection AddNodeServices(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(service => service.ServiceType == typeof(MetricsStart)))
        {
            return services;
        }
        services.AddRpc();
        services.AddMetrics();
        services.TryAddSingleton(_ => new PrometheusExporter("ZonCoin."));
        services.TryAddSingleton(TimeProvider.System);
        services.AddHealthChecks();
        services.AddHostedService<MetricsStart>();
        return services;
    }

    /// <summary>
    /// Adds a node kind's listeners and routes. Both run when the host starts, after the settings were validated:
    /// <paramref name="listen"/> adds the node's Kestrel endpoints, <paramref name="map"/> its routes, each bound to
    /// its own ports (<see cref="RpcServerExtensions.UseRpcOnPort"/>, <see cref="OperationsEndpoint.UseOperationsEndpoint"/>),
    /// so node kinds composed in one process do not see each other's requests.
    /// </summary>
    public static IServiceCollection AddNodeEndpoints(this IServiceCollection services, Action<KestrelServerOptions, IServiceProvider> listen, Action<IApplicationBuilder> map)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(map);
        services.AddOptions<KestrelServerOptions>().Configure<IServiceProvider>(listen);
        services.AddSingleton<IStartupFilter>(new NodeRoutes(map));
        return services;
    }

    /// <summary>Creates the exporter when the host starts, before any node kind's services.</summary>
    private sealed class MetricsStart(PrometheusExporter exporter) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(exporter);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// Puts a node kind's routes ahead of the application's pipeline. Each branch gets its own endpoint routing
    /// (the global route builder of <c>WebApplication</c> is not set yet when startup filters run), so two node
    /// kinds may serve the same gRPC method, each on its own port.
    /// </summary>
    private sealed class NodeRoutes(Action<IApplicationBuilder> map) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            map(app);
            next(app);
        };
    }
}
