using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZonCoin.Core.Identity;
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

/// <summary>
/// The orderer process. Settings come from <c>appsettings.json</c>, environment variables (<c>Orderer__X</c>)
/// and flags: <c>--listen</c>, <c>--admin-listen</c>, <c>--operations-listen</c>, <c>--data-dir</c>,
/// <c>--msp-id</c>, <c>--msp-dir</c>, <c>--tls-dir</c>, <c>--consensus</c>, <c>--kafka-brokers</c> (comma-separated)
/// and <c>--insecure</c> (development only: no TLS). Exit codes: 0 after a clean stop, 2 for bad settings,
/// 1 when the node failed.
/// </summary>
public static class OrdererProgram
{
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["--listen"] = "Orderer:ListenAddress",
        ["--admin-listen"] = "Orderer:AdminListenAddress",
        ["--operations-listen"] = "Orderer:OperationsListenAddress",
        ["--data-dir"] = "Orderer:DataDirectory",
        ["--msp-id"] = "Orderer:MspId",
        ["--msp-dir"] = "Orderer:MspDirectory",
        ["--tls-dir"] = "Orderer:Tls:Directory",
        ["--consensus"] = "Orderer:ConsensusType",
        ["--insecure"] = "Orderer:Insecure",
    };

    public static Task<int> Main(string[] args) =>
        NodeHost.RunAsync("orderer", () => Build(args), ex => ex is MspConfigurationException or IdentityException or ChannelConfigException);

    /// <summary>Builds the orderer app (not started).</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine(CommandLineFlags.Normalize(args, booleanFlags: ["--insecure"], listFlags: new Dictionary<string, string>
        {
            ["--kafka-brokers"] = "Orderer:Kafka:Brokers",
        }), Flags);
        builder.UseNodeLogging();
        builder.Services.AddOrderer(builder.Configuration);
        var options = NodeHost.ReadValidated(builder.Configuration, OrdererOptions.Section, new OrdererOptionsValidator());
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var tls = options.Insecure ? null : options.Tls.Load();
            var channels = kestrel.ApplicationServices.GetRequiredService<ChannelRegistry>();
            kestrel.ListenRpc(Endpoints.Parse(options.ListenAddress), tls is null ? null : tls with { DynamicClientCertificateAuthorities = channels.TlsClientRoots });
            kestrel.ListenAdmin(Endpoints.Parse(options.AdminListenAddress), tls);
            kestrel.ListenAdmin(Endpoints.Parse(options.OperationsListenAddress), tls: null);
        });

        var app = builder.Build();
        // Listen to the meters from the start: measurements made before the first scrape would be lost otherwise.
        app.Services.GetRequiredService<PrometheusExporter>();
        app.UseOperationsEndpoint(Endpoints.Parse(options.OperationsListenAddress).Port);
        app.UseChannelParticipation(Endpoints.Parse(options.AdminListenAddress).Port, requireClientCertificate: !options.Insecure);
        var listenPort = Endpoints.Parse(options.ListenAddress).Port;
        app.UseRpcOnPort(listenPort, rpc =>
        {
            rpc.MapGrpcService<BroadcastHandler>();
            rpc.MapGrpcService<OrdererDeliverServer>();
        });
        return app;
    }

    /// <summary>Registers the orderer's services and their settings.</summary>
    public static IServiceCollection AddOrderer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OrdererOptions>().Bind(configuration.GetSection(OrdererOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OrdererOptions>, OrdererOptionsValidator>();
        services.AddRpc();
        services.AddRpcService<BroadcastHandler>(methods => methods.Duplex(AtomicBroadcastService.Broadcast, (handler, requests, responses, context) => handler.HandleAsync(requests, responses, context)));
        services.AddRpcService<OrdererDeliverServer>(methods => methods.Duplex(AtomicBroadcastService.Deliver, (deliver, requests, responses, context) => deliver.DeliverAsync(requests, responses, context)));
        services.AddMetrics();
        services.AddSingleton(_ => new PrometheusExporter("ZonCoin."));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<OrdererMetrics>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<OrdererOptions>>().Value;
            return MspDirectory.LoadSigningIdentity(options.MspDirectory, options.MspId);
        });
        services.AddSingleton(sp => new MessageProcessor(sp.GetRequiredService<Core.Protocol.SigningIdentity>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IConsenter>(sp => new SoloConsenter(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IConsenter>(sp => new KafkaConsenter(
            sp.GetRequiredService<IOptions<OrdererOptions>>().Value.Kafka,
            sp.GetRequiredService<OrdererMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<OrdererOptions>>().Value;
            return new ChannelRegistry(
                options.DataDirectory,
                sp.GetRequiredService<Core.Protocol.SigningIdentity>(),
                sp.GetRequiredService<MessageProcessor>(),
                sp.GetServices<IConsenter>().Where(consenter => consenter.Type == options.ConsensusType),
                sp.GetRequiredService<OrdererMetrics>(),
                sp.GetRequiredService<ILogger<ChannelRegistry>>());
        });
        services.AddSingleton<BroadcastHandler>();
        services.AddSingleton(sp => new OrdererDeliverServer(
            new DeliverHandler(
                sp.GetRequiredService<ChannelRegistry>(),
                OrdererDeliverServer.ReadersPolicy,
                sp.GetRequiredService<TimeProvider>(),
                mutualTls: !sp.GetRequiredService<IOptions<OrdererOptions>>().Value.Insecure,
                sp.GetRequiredService<ILogger<OrdererDeliverServer>>()),
            sp.GetRequiredService<OrdererMetrics>()));
        services.AddHostedService<OrdererService>();
        services.AddHealthChecks().AddCheck<ChannelsHealthCheck>("channels");
        return services;
    }
}
