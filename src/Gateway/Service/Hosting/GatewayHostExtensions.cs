using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
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
    /// Adds a gateway to the host: its settings (section <c>Gateway</c>, validated at start), the Gateway service
    /// and the Deliver services it forwards to its organisation's peers, its <c>gateway.peers</c> health check and
    /// metrics, on the listen addresses of its settings. The gateway uses the host's <see cref="TimeProvider"/>.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="configure">Changes the settings after they were read from configuration.</param>
    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder, Action<GatewayOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddNodeOptions<GatewayOptions, GatewayOptionsValidator>(GatewayOptions.Section, configure);
        var services = builder.Services;

        services.AddGrpc().AddServiceOptions<GatewayServer>(grpc => grpc.Interceptors.Add<GatewayCallInterceptor>());
        services.AddRpcService<GatewayServer>(methods => methods
            .Unary(GatewayService.Evaluate, (server, request, context) => server.EvaluateAsync(request, context))
            .Unary(GatewayService.Endorse, (server, request, context) => server.EndorseAsync(request, context))
            .Unary(GatewayService.Submit, (server, request, context) => server.SubmitAsync(request, context))
            .Unary(GatewayService.CommitStatus, (server, request, context) => server.CommitStatusAsync(request, context))
            .ServerStreaming(GatewayService.ChaincodeEvents, (server, request, responses, context) => server.ChaincodeEventsAsync(request, responses, context))
            .Duplex(PeerDeliverService.Deliver, (server, requests, responses, context) => server.DeliverAsync(PeerDeliverService.Deliver, requests, responses, context))
            .Duplex(PeerDeliverService.DeliverFiltered, (server, requests, responses, context) => server.DeliverAsync(PeerDeliverService.DeliverFiltered, requests, responses, context))
            .Duplex(PeerDeliverService.DeliverWithPrivateData, (server, requests, responses, context) => server.DeliverAsync(PeerDeliverService.DeliverWithPrivateData, requests, responses, context)));

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
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new OrdererClient(sp.GetRequiredService<NodeConnections>(), Settings(sp).BroadcastTimeout));
        services.AddSingleton<GatewayChannels>();
        services.AddSingleton<GatewayServer>();
        services.AddHealthChecks().AddCheck<GatewayHealthCheck>("gateway.peers");
        services.AddNodeEndpoints(Listen, app =>
        {
            var settings = Settings(app.ApplicationServices);
            app.UseOperationsEndpoint(Endpoints.Parse(settings.OperationsListenAddress).Port);
            app.UseRpcOnPort(Endpoints.Parse(settings.ListenAddress).Port, rpc => rpc.MapGrpcService<GatewayServer>());
        });
        return builder;
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
