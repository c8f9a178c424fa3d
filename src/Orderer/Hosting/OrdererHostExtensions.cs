using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Hosting;
using ZonCoin.Orderer.Broadcast;
using ZonCoin.Orderer.Channels;
using ZonCoin.Orderer.Consensus;
using ZonCoin.Orderer.Consensus.Kafka;
using ZonCoin.Orderer.Consensus.Solo;
using ZonCoin.Orderer.Deliver;
using ZonCoin.Orderer.MsgProcessor;
using ZonCoin.Orderer.Participation;
using ZonCoin.Rpc.Deliver;
using ZonCoin.Rpc.Server;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Orderer.Hosting;

/// <summary>Hosts an orderer.</summary>
public static class OrdererHostExtensions
{
    /// <summary>
    /// Adds an orderer to the host: its settings (section <c>Orderer</c>, validated at start), the solo and Kafka
    /// consenters, its gRPC services (Broadcast, Deliver), channel participation API, <c>orderer.channels</c> health
    /// check and metrics, on the listen addresses of its settings. The orderer uses the host's <see cref="TimeProvider"/>.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="configure">Changes the settings after they were read from configuration.</param>
    public static IHostApplicationBuilder AddOrderer(this IHostApplicationBuilder builder, Action<OrdererOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddNodeOptions<OrdererOptions, OrdererOptionsValidator>(OrdererOptions.Section, static (section, options) => section.Bind(options), configure);
        var services = builder.Services;

        services.AddRpcService<BroadcastHandler>(methods => methods.Duplex(AtomicBroadcastService.Broadcast, (handler, requests, responses, context) => handler.HandleAsync(requests, responses, context)));
        services.AddRpcService<OrdererDeliverServer>(methods => methods.Duplex(AtomicBroadcastService.Deliver, (deliver, requests, responses, context) => deliver.DeliverAsync(requests, responses, context)));

        services.AddSingleton<OrdererMetrics>();
        services.AddSingleton(sp =>
        {
            var settings = Settings(sp);
            return MspDirectory.LoadSigningIdentity(settings.MspDirectory, settings.MspId);
        });
        services.AddSingleton(sp => new MessageProcessor(sp.GetRequiredService<SigningIdentity>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IConsenter>(sp => new SoloConsenter(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(), Settings(sp).AdaptiveCutting));
        services.AddSingleton<IConsenter>(sp => new KafkaConsenter(Settings(sp).Kafka, sp.GetRequiredService<OrdererMetrics>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(), Settings(sp).AdaptiveCutting));
        services.AddSingleton(sp =>
        {
            var settings = Settings(sp);
            return new ChannelRegistry(
                settings.DataDirectory,
                sp.GetRequiredService<SigningIdentity>(),
                sp.GetRequiredService<MessageProcessor>(),
                sp.GetServices<IConsenter>().Where(consenter => consenter.Type == settings.ConsensusType),
                sp.GetRequiredService<OrdererMetrics>(),
                sp.GetRequiredService<ILogger<ChannelRegistry>>());
        });
        services.AddSingleton<BroadcastHandler>();
        services.AddSingleton(sp => new OrdererDeliverServer(
            new DeliverHandler(sp.GetRequiredService<ChannelRegistry>(), OrdererDeliverServer.ReadersPolicy, sp.GetRequiredService<TimeProvider>(),
                mutualTls: !Settings(sp).Insecure, sp.GetRequiredService<ILogger<OrdererDeliverServer>>()),
            sp.GetRequiredService<OrdererMetrics>()));
        services.AddHostedService<OrdererService>();
        services.AddHealthChecks().AddCheck<ChannelsHealthCheck>("orderer.channels");
        services.AddNodeEndpoints(Listen, app =>
        {
            var settings = Settings(app.ApplicationServices);
            app.UseOperationsEndpoint(Endpoints.Parse(settings.OperationsListenAddress).Port);
            app.UseChannelParticipation(Endpoints.Parse(settings.AdminListenAddress).Port, requireClientCertificate: !settings.Insecure);
            app.UseRpcOnPort(Endpoints.Parse(settings.ListenAddress).Port, rpc =>
            {
                rpc.MapGrpcService<BroadcastHandler>();
                rpc.MapGrpcService<OrdererDeliverServer>();
            });
        });
        return builder;
    }

    private static void Listen(KestrelServerOptions kestrel, IServiceProvider services)
    {
        var settings = Settings(services);
        kestrel.ListenNode(settings.ListenAddress, settings.AdminListenAddress, settings.OperationsListenAddress, settings.Insecure ? null : settings.Tls.Load(),
            services.GetRequiredService<ChannelRegistry>().TlsClientRoots);
    }

    private static OrdererOptions Settings(IServiceProvider services) => services.GetRequiredService<IOptions<OrdererOptions>>().Value;
}
