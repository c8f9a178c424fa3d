using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
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
        if (services.Any(service => service.ImplementationType == typeof(MetricsStart)))
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
    /// Adds a node kind's settings: <see cref="AddNodeServices"/>, then <typeparamref name="TOptions"/> read from the
    /// configuration section <paramref name="section"/> by <paramref name="bind"/>, changed by <paramref name="configure"/>,
    /// and checked by <typeparamref name="TValidator"/> when the host starts (<c>ValidateOnStart</c>), before anything
    /// listens. <paramref name="bind"/> is the node kind's own <c>section.Bind(options)</c> call: there the settings
    /// type is known, so the configuration binder's source generator writes the binding at build time (no reflection,
    /// so the node can be compiled ahead of time).
    /// </summary>
    public static OptionsBuilder<TOptions> AddNodeOptions<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TValidator>(
        this IHostApplicationBuilder builder, string section, Action<IConfiguration, TOptions> bind, Action<TOptions>? configure)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(bind);
        builder.Services.AddNodeServices();
        var configuration = builder.Configuration.GetSection(section);
        var options = builder.Services.AddOptions<TOptions>().Configure(settings => bind(configuration, settings)).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return options;
    }

    /// <summary>
    /// Listens as a node with a gRPC, an admin and an operations address: gRPC with mutual TLS whose client CAs are
    /// <paramref name="clientRoots"/> (the channels' TLS CAs, read at each handshake) unless <paramref name="tls"/>
    /// is null (development: h2c); the admin API with the same server certificate; operations in plain HTTP.
    /// </summary>
    public static void ListenNode(this KestrelServerOptions kestrel, string listenAddress, string adminListenAddress, string operationsListenAddress,
        RpcServerTlsOptions? tls, Func<X509Certificate2Collection> clientRoots)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.ListenRpc(Endpoints.Parse(listenAddress), tls is null ? null : tls with { DynamicClientCertificateAuthorities = clientRoots });
        kestrel.ListenAdmin(Endpoints.Parse(adminListenAddress), tls);
        kestrel.ListenAdmin(Endpoints.Parse(operationsListenAddress), tls: null);
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
