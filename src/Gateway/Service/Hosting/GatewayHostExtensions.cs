using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Channels;
using ZonCoin.Gateway.Nodes;
using ZonCoin.Gateway.Server;
using ZonCoin.Hosting;
using ZonCoin.Rpc.Server;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Gateway.Hosting;

/// <summary>Hosts a gateway.</summary>
public static class GatewayHostExtensions
{
    /// <summary>
    /// Adds a standalone gateway to the host: its settings (section <c>Gateway</c>, validated at start), the Gateway
    /// service and the Deliver services it forwards to its organisation's peers, its <c>gateway.peers</c> health check
    /// and metrics, on the listen addresses of its settings. The gateway uses the host's <see cref="TimeProvider"/>.
    /// A process hosts one gateway: not beside a peer that runs its own (<see cref="AddPeerGateway"/>).
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="configure">Changes the settings after they were read from configuration.</param>
    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder, Action<GatewayOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddNodeOptions<GatewayOptions, GatewayOptionsValidator>(GatewayOptions.Section, static (section, options) => section.Bind(options), configure);
        var services = builder.Services;
        AddGatewayServices(services, localPeer: null);
        services.AddRpcService<DeliverRelay>(methods => methods
            .Duplex(PeerDeliverService.Deliver, (relay, requests, responses, context) => relay.DeliverAsync(PeerDeliverService.Deliver, requests, responses, context))
            .Duplex(PeerDeliverService.DeliverFiltered, (relay, requests, responses, context) => relay.DeliverAsync(PeerDeliverService.DeliverFiltered, requests, responses, context))
            .Duplex(PeerDeliverService.DeliverWithPrivateData, (relay, requests, responses, context) => relay.DeliverAsync(PeerDeliverService.DeliverWithPrivateData, requests, responses, context)));
        services.AddSingleton<DeliverRelay>();
        services.AddHealthChecks().AddCheck<GatewayHealthCheck>("gateway.peers");
        services.AddNodeEndpoints(Listen, app =>
        {
            var settings = Settings(app.ApplicationServices);
            app.UseOperationsEndpoint(Endpoints.Parse(settings.OperationsListenAddress).Port);
            app.UseRpcOnPort(Endpoints.Parse(settings.ListenAddress).Port, rpc =>
            {
                rpc.MapGateway();
                rpc.MapGrpcService<DeliverRelay>();
            });
        });
        return builder;
    }

    /// <summary>
    /// Adds the gateway a peer runs, as Fabric's peer does: the Gateway service for the peer's own address (map it
    /// there with <see cref="MapGateway"/>; Deliver stays the peer's), with the peer's endorser called in-process.
    /// Its settings are the caller's: configure <see cref="GatewayOptions"/> from the peer's own (its listen
    /// addresses are not used), with the peer's address first in <see cref="GatewayOptions.Peers"/>.
    /// </summary>
    /// <param name="services">The peer's services.</param>
    /// <param name="localPeer">The peer the gateway runs in.</param>
    public static IServiceCollection AddPeerGateway(this IServiceCollection services, Func<IServiceProvider, LocalPeer> localPeer)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(localPeer);
        AddGatewayServices(services, localPeer);
        return services;
    }

    /// <summary>Serves the <c>gateway.Gateway</c> service (Evaluate, Endorse, Submit, CommitStatus, ChaincodeEvents).</summary>
    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGrpcService<GatewayServer>();
        return endpoints;
    }

    private static void AddGatewayServices(IServiceCollection services, Func<IServiceProvider, LocalPeer>? localPeer)
    {
        if (services.Any(service => service.ServiceType == typeof(GatewayServer)))
        {
            throw new InvalidOperationException(
                "this process already hosts a gateway: a peer runs one unless Peer:Gateway:Enabled is false, and a process hosts one gateway");
        }
        services.AddGrpc().AddServiceOptions<GatewayServer>(grpc => grpc.Interceptors.Add<GatewayCallInterceptor>());
        services.AddRpcService<GatewayServer>(methods => methods
            .Unary(GatewayService.Evaluate, (server, request, context) => server.EvaluateAsync(request, context))
            .Unary(GatewayService.Endorse, (server, request, context) => server.EndorseAsync(request, context))
            .Unary(GatewayService.Submit, (server, request, context) => server.SubmitAsync(request, context))
            .Unary(GatewayService.CommitStatus, (server, request, context) => server.CommitStatusAsync(request, context))
            .ServerStreaming(GatewayService.ChaincodeEvents, (server, request, responses, context) => server.ChaincodeEventsAsync(request, responses, context)));

        services.AddSingleton(Settings);
        services.AddSingleton(sp => new ConcurrencyLimiter(Settings(sp).ConcurrencyLimit));
        services.AddSingleton(sp => new GatewayMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), () => sp.GetRequiredService<ConcurrencyLimiter>().InFlight));
        services.AddSingleton(sp =>
        {
            var settings = Settings(sp);
            return MspDirectory.LoadSigningIdentity(settings.MspDirectory, settings.MspId);
        });
        services.AddSingleton(sp => Connections(Settings(sp)));
        services.AddSingleton(sp =>
        {
            var settings = Settings(sp);
            return new GatewayTopology(settings.MspId,
                settings.Peers.Select(p => PeerAddress.TryParse(p, settings.MspId, out var peer) ? peer : throw new InvalidOperationException($"bad peer '{p}'")),
                sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(sp => new PeerClient(sp.GetRequiredService<NodeConnections>(), sp.GetRequiredService<SigningIdentity>(), Settings(sp).EndorsementTimeout,
            sp.GetRequiredService<TimeProvider>(), localPeer?.Invoke(sp)));
        services.AddSingleton(sp => new OrdererClient(sp.GetRequiredService<NodeConnections>(), Settings(sp).BroadcastTimeout));
        services.AddSingleton<GatewayChannels>();
        services.AddSingleton<GatewayServer>();
    }

    private static void Listen(KestrelServerOptions kestrel, IServiceProvider services)
    {
        var settings = Settings(services);
        var tls = settings.Insecure ? null : settings.Tls.Load();
        var channels = services.GetRequiredService<GatewayChannels>();
        // Applications may present a client certificate (then it must chain to a channel organisation's TLS CA); they need not.
        kestrel.ListenRpc(Endpoints.Parse(settings.ListenAddress), tls is null ? null : tls with
        {
            RequireClientCertificate = false,
            DynamicClientCertificateAuthorities = () => TlsRoots(channels),
        });
        kestrel.ListenAdmin(Endpoints.Parse(settings.OperationsListenAddress), tls: null);
    }

    private static NodeConnections Connections(GatewayOptions settings)
    {
        if (settings.Insecure)
        {
            return new NodeConnections(null, [], settings.DialTimeout);
        }
        var tls = settings.Tls.Load();
        var roots = new X509Certificate2Collection();
        foreach (var path in settings.Tls.ResolvedClientRootCaFiles)
        {
            roots.ImportFromPemFile(path);
        }
        return new NodeConnections(tls.Certificate, roots, settings.DialTimeout);
    }

    private static X509Certificate2Collection TlsRoots(GatewayChannels channels)
    {
        var roots = new X509Certificate2Collection();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pem in channels.Opened.SelectMany(channel => channel.Resources.TlsCertificateAuthorities).Where(seen.Add))
        {
            roots.ImportFromPem(pem);
        }
        return roots;
    }

    private static GatewayOptions Settings(IServiceProvider services) => services.GetRequiredService<IOptions<GatewayOptions>>().Value;
}
