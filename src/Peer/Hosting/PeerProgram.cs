using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Hosting;
using ZonCoin.Peer.ChaincodeSupport;
using ZonCoin.Peer.Channels;
using ZonCoin.Peer.Deliver;
using ZonCoin.Peer.Participation;
using ZonCoin.Peer.SystemChaincodes;
using ZonCoin.Rpc.Deliver;
using ZonCoin.Rpc.Server;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Peer.Hosting;

/// <summary>
/// The peer process. Settings come from <c>appsettings.json</c>, environment variables (<c>Peer__X</c>) and flags:
/// <c>--listen</c>, <c>--admin-listen</c>, <c>--operations-listen</c>, <c>--data-dir</c>, <c>--msp-id</c>,
/// <c>--msp-dir</c>, <c>--tls-dir</c> and <c>--insecure</c> (development only). Exit codes: 0 after a clean stop,
/// 2 for bad settings, 1 when the peer could not start.
/// </summary>
public static class PeerProgram
{
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["--listen"] = "Peer:ListenAddress",
        ["--admin-listen"] = "Peer:AdminListenAddress",
        ["--operations-listen"] = "Peer:OperationsListenAddress",
        ["--data-dir"] = "Peer:DataDirectory",
        ["--msp-id"] = "Peer:MspId",
        ["--msp-dir"] = "Peer:MspDirectory",
        ["--tls-dir"] = "Peer:Tls:Directory",
        ["--insecure"] = "Peer:Insecure",
    };

    public static Task<int> Main(string[] args) =>
        NodeHost.RunAsync("peer", () => Build(args), ex => ex is MspConfigurationException or IdentityException or InvalidOperationException);

    /// <summary>Builds the peer app (not started).</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine(CommandLineFlags.Normalize(args, booleanFlags: ["--insecure"], listFlags: new Dictionary<string, string>()), Flags);
        builder.UseNodeLogging();
        var options = NodeHost.ReadValidated(builder.Configuration, PeerOptions.Section, new PeerOptionsValidator());
        builder.Services.AddPeer(builder.Configuration, options);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var tls = options.Insecure ? null : options.Tls.Load();
            var channels = kestrel.ApplicationServices.GetRequiredService<PeerChannels>();
            kestrel.ListenRpc(Endpoints.Parse(options.ListenAddress), tls is null ? null : tls with { DynamicClientCertificateAuthorities = channels.TlsClientRoots });
            kestrel.ListenAdmin(Endpoints.Parse(options.AdminListenAddress), tls);
            kestrel.ListenAdmin(Endpoints.Parse(options.OperationsListenAddress), tls: null);
        });

        var app = builder.Build();
        app.Services.GetRequiredService<PrometheusExporter>();
        app.UseOperationsEndpoint(Endpoints.Parse(options.OperationsListenAddress).Port);
        app.UsePeerParticipation(Endpoints.Parse(options.AdminListenAddress).Port, requireClientCertificate: !options.Insecure);
        var listenPort = Endpoints.Parse(options.ListenAddress).Port;
        app.UseRpcOnPort(listenPort, rpc =>
        {
            rpc.MapGrpcService<Endorser.Endorser>();
            rpc.MapGrpcService<PeerDeliverServer>();
            rpc.MapGrpcService<ChaincodeConnections>();
        });
        return app;
    }

    private static IServiceCollection AddPeer(this IServiceCollection services, ConfigurationManager configuration, PeerOptions options)
    {
        services.AddOptions<PeerOptions>().Bind(configuration.GetSection(PeerOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PeerOptions>, PeerOptionsValidator>();
        services.AddRpc();
        services.AddRpcService<Endorser.Endorser>(methods => methods.Unary(EndorserService.ProcessProposal,
            (endorser, proposal, context) => endorser.ProcessProposalAsync(proposal, context.CancellationToken)));
        services.AddRpcService<PeerDeliverServer>(methods => methods
            .Duplex(PeerDeliverService.Deliver, (deliver, requests, responses, context) => deliver.DeliverAsync(requests, responses, context))
            .Duplex(PeerDeliverService.DeliverFiltered, (deliver, requests, responses, context) => deliver.DeliverFilteredAsync(requests, responses, context))
            .Duplex(PeerDeliverService.DeliverWithPrivateData, (deliver, requests, responses, context) => deliver.DeliverWithPrivateDataAsync(requests, responses, context)));
        services.AddRpcService<ChaincodeConnections>(methods => methods.Duplex(ChaincodeSupportService.Register,
            (chaincodes, requests, responses, context) => chaincodes.AcceptAsync(requests, responses, context.CancellationToken)));
        services.AddMetrics();
        services.AddSingleton(_ => new PrometheusExporter("ZonCoin."));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<PeerMetrics>();
        services.AddSingleton(_ => MspDirectory.LoadSigningIdentity(options.MspDirectory, options.MspId));
        services.AddSingleton(sp =>
        {
            X509Certificate2? clientCertificate = options.Insecure ? null : options.Tls.Load().Certificate;
            return new PeerChannels(options.DataDirectory, new StateDatabaseProvider(options.StateDatabase, options.DataDirectory, options.PostgresConnectionString),
                new OrdererConnectionSettings(sp.GetRequiredService<SigningIdentity>(), clientCertificate),
                sp.GetRequiredService<PeerMetrics>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PeerChannels>>());
        });
        services.AddSingleton(sp => new ChaincodeExecutor(
            sp.GetRequiredService<PeerChannels>().Find,
            new Dictionary<string, string>(options.ChaincodeAddresses, StringComparer.Ordinal),
            options.ChaincodeExecuteTimeout,
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => sp.GetRequiredService<ChaincodeExecutor>().Connections);
        services.AddSingleton(sp => SystemChaincodeRegistry.ForPeer(sp.GetRequiredService<SigningIdentity>().MspId, sp.GetRequiredService<PeerChannels>().Find));
        services.AddSingleton<Endorser.Endorser>();
        services.AddSingleton(sp => new PeerDeliverServer(new DeliverHandler(sp.GetRequiredService<PeerChannels>(), PeerDeliverServer.ReadersPolicy,
            sp.GetRequiredService<TimeProvider>(), !options.Insecure, sp.GetRequiredService<ILogger<PeerDeliverServer>>())));
        services.AddHostedService<PeerService>();
        services.AddHealthChecks().AddCheck<ChannelsHealthCheck>("channels");
        return services;
    }
}

/// <summary>Opens the joined channels at start (recovering their state) and closes them at shutdown.</summary>
internal sealed class PeerService : IHostedService
{
    private readonly PeerChannels _channels;
    private readonly ChaincodeConnections _chaincodes;
    private readonly PeerMetrics _metrics;

    public PeerService(PeerChannels channels, ChaincodeConnections chaincodes, PeerMetrics metrics)
    {
        _channels = channels;
        _chaincodes = chaincodes;
        _metrics = metrics;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _metrics.TrackChaincodeConnections(() => _chaincodes.Count);
        return _channels.StartAsync();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _chaincodes.DisposeAsync().ConfigureAwait(false);
        await _channels.DisposeAsync().ConfigureAwait(false);
    }
}
