using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Hosting;
using ZonCoin.Hosting;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.ChaincodeSupport;
using ZonCoin.Peer.Channels;
using ZonCoin.Peer.Deliver;
using ZonCoin.Peer.Participation;
using ZonCoin.Peer.SystemChaincodes;
using ZonCoin.Rpc.Deliver;
using ZonCoin.Rpc.Server;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Peer.Hosting;

/// <summary>Hosts a peer.</summary>
public static class PeerHostExtensions
{
    /// <summary>
    /// Adds a peer to the host: its settings (section <c>Peer</c>, validated at start), its gRPC services
    /// (Endorser, Deliver, ChaincodeSupport, and the Gateway service unless <c>Peer:Gateway:Enabled</c> is false),
    /// channel participation API, <c>peer.channels</c> health check and metrics, on the listen addresses of its settings. The peer uses the host's <see cref="TimeProvider"/>, and
    /// the host's <see cref="IStateWriteHook"/> if it registers one (fault-injection tests do).
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="configure">Changes the settings after they were read from configuration.</param>
    public static IHostApplicationBuilder AddPeer(this IHostApplicationBuilder builder, Action<PeerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddNodeOptions<PeerOptions, PeerOptionsValidator>(PeerOptions.Section, static (section, options) => section.Bind(options), configure);
        var services = builder.Services;

        services.AddRpcService<Endorser.Endorser>(methods => methods.Unary(EndorserService.ProcessProposal,
            (endorser, proposal, context) => endorser.ProcessProposalAsync(proposal, context.CancellationToken)));
        services.AddRpcService<PeerDeliverServer>(methods => methods
            .Duplex(PeerDeliverService.Deliver, (deliver, requests, responses, context) => deliver.DeliverAsync(requests, responses, context))
            .Duplex(PeerDeliverService.DeliverFiltered, (deliver, requests, responses, context) => deliver.DeliverFilteredAsync(requests, responses, context))
            .Duplex(PeerDeliverService.DeliverWithPrivateData, (deliver, requests, responses, context) => deliver.DeliverWithPrivateDataAsync(requests, responses, context)));
        services.AddRpcService<ChaincodeConnections>(methods => methods.Duplex(ChaincodeSupportService.Register,
            (chaincodes, requests, responses, context) => chaincodes.AcceptAsync(requests, responses, context.CancellationToken)));

        services.AddSingleton<PeerMetrics>();
        services.AddSingleton(sp =>
        {
            // The peer remembers the signatures it makes, so that it need not verify its own endorsements again.
            var settings = Settings(sp);
            var loaded = MspDirectory.LoadSigningIdentity(settings.MspDirectory, settings.MspId);
            var own = new OwnSignatures(loaded.Creator);
            return new PeerIdentity(loaded with { Signer = own.Recording(loaded.Signer) }, own);
        });
        services.AddSingleton(sp => sp.GetRequiredService<PeerIdentity>().Signing);
        services.AddSingleton(sp => sp.GetRequiredService<PeerIdentity>().Own);
        services.AddSingleton(sp =>
        {
            var settings = Settings(sp);
            var stateDatabases = new StateDatabaseProvider(settings.StateDatabase, settings.DataDirectory, settings.PostgresConnectionString, sp.GetService<IStateWriteHook>(),
                sp.GetRequiredService<TimeProvider>());
            var clientCertificate = settings.Insecure ? null : settings.Tls.Load().Certificate;
            return new PeerChannels(settings.DataDirectory, stateDatabases, new OrdererConnectionSettings(sp.GetRequiredService<SigningIdentity>(), clientCertificate),
                sp.GetRequiredService<PeerMetrics>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PeerChannels>>(),
                sp.GetRequiredService<OwnSignatures>());
        });
        services.AddSingleton(sp =>
        {
            var settings = Settings(sp);
            return new ChaincodeExecutor(sp.GetRequiredService<PeerChannels>().Find, new Dictionary<string, string>(settings.ChaincodeAddresses, StringComparer.Ordinal),
                settings.ChaincodeExecuteTimeout, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>());
        });
        services.AddSingleton(sp => sp.GetRequiredService<ChaincodeExecutor>().Connections);
        services.AddSingleton(sp => SystemChaincodeRegistry.ForPeer(sp.GetRequiredService<SigningIdentity>().MspId, sp.GetRequiredService<PeerChannels>().Find));
        services.AddSingleton<Endorser.Endorser>();
        services.AddSingleton(sp => new PeerDeliverServer(new DeliverHandler(sp.GetRequiredService<PeerChannels>(), PeerDeliverServer.ReadersPolicy,
            sp.GetRequiredService<TimeProvider>(), mutualTls: !Settings(sp).Insecure, sp.GetRequiredService<ILogger<PeerDeliverServer>>())));
        var gateway = GatewayEnabled(builder.Configuration, configure);
        if (gateway)
        {
            services.AddOptions<GatewayOptions>().Configure<IOptions<PeerOptions>>((options, peer) => ConfigureGateway(options, peer.Value));
            services.AddPeerGateway(sp =>
            {
                var channels = sp.GetRequiredService<PeerChannels>();
                return new LocalPeer(Settings(sp).OwnEndpoint, sp.GetRequiredService<Endorser.Endorser>().ProcessProposalAsync,
                    (channelId, chaincode) => channels.Find(channelId) is { } channel ? (true, channel.Definitions.Find(chaincode)) : (false, null), channels);
            });
        }
        services.AddHostedService<PeerService>();
        services.AddHealthChecks().AddCheck<ChannelsHealthCheck>("peer.channels");
        services.AddNodeEndpoints(Listen, app =>
        {
            var settings = Settings(app.ApplicationServices);
            app.UseOperationsEndpoint(Endpoints.Parse(settings.OperationsListenAddress).Port);
            app.UsePeerParticipation(Endpoints.Parse(settings.AdminListenAddress).Port, requireClientCertificate: !settings.Insecure);
            app.UseRpcOnPort(Endpoints.Parse(settings.ListenAddress).Port, rpc =>
            {
                rpc.MapGrpcService<Endorser.Endorser>();
                rpc.MapGrpcService<PeerDeliverServer>();
                rpc.MapGrpcService<ChaincodeConnections>();
                if (gateway)
                {
                    rpc.MapGateway();
                }
            });
        });
        return builder;
    }

    private static void Listen(KestrelServerOptions kestrel, IServiceProvider services)
    {
        var settings = Settings(services);
        kestrel.ListenNode(settings.ListenAddress, settings.AdminListenAddress, settings.OperationsListenAddress, settings.Insecure ? null : settings.Tls.Load(),
            services.GetRequiredService<PeerChannels>().TlsClientRoots);
    }

    /// <summary>
    /// Whether the peer runs a gateway (<c>Peer:Gateway:Enabled</c>, true unless set otherwise). Decided when the peer
    /// is added, since it decides which services the host has; a value that is not a boolean leaves it on, and the
    /// settings check at start names it.
    /// </summary>
    private static bool GatewayEnabled(IConfiguration configuration, Action<PeerOptions>? configure)
    {
        var probe = new PeerOptions();
        if (bool.TryParse(configuration[$"{PeerOptions.Section}:Gateway:Enabled"], out var enabled))
        {
            probe.Gateway.Enabled = enabled;
        }
        configure?.Invoke(probe);
        return probe.Gateway.Enabled;
    }

    /// <summary>The peer's gateway settings, from the peer's: its identity, its TLS material, itself as its organisation's first peer.</summary>
    private static void ConfigureGateway(GatewayOptions gateway, PeerOptions peer)
    {
        gateway.MspId = peer.MspId;
        gateway.MspDirectory = peer.MspDirectory;
        gateway.Insecure = peer.Insecure;
        gateway.Tls.Directory = peer.Tls.Directory;
        gateway.Tls.CertificateFile = peer.Tls.CertificateFile;
        gateway.Tls.KeyFile = peer.Tls.KeyFile;
        foreach (var ca in peer.Tls.ClientRootCaFiles)
        {
            gateway.Tls.ClientRootCaFiles.Add(ca);
        }
        gateway.Peers.Clear();
        gateway.Peers.Add(peer.OwnEndpoint);
        gateway.EndorsementTimeout = peer.Gateway.EndorsementTimeout;
        gateway.BroadcastTimeout = peer.Gateway.BroadcastTimeout;
        gateway.DialTimeout = peer.Gateway.DialTimeout;
        gateway.ConcurrencyLimit = peer.Gateway.ConcurrencyLimit;
    }

    private static PeerOptions Settings(IServiceProvider services) => services.GetRequiredService<IOptions<PeerOptions>>().Value;
}

/// <summary>The peer's signing identity, which records what it signs in <see cref="Own"/>.</summary>
internal sealed record PeerIdentity(SigningIdentity Signing, OwnSignatures Own);

/// <summary>Opens the joined channels at start (recovering their state).</summary>
internal sealed class PeerService : IHostedService
{
    private readonly PeerChannels _channels;
    private readonly ChaincodeExecutor _chaincodes;
    private readonly PeerMetrics _metrics;

    public PeerService(PeerChannels channels, ChaincodeExecutor chaincodes, PeerMetrics metrics)
    {
        _channels = channels;
        _chaincodes = chaincodes;
        _metrics = metrics;
    }

    /// <summary>Opens the channels and connects to their chaincodes ahead of the first transaction, then to those defined later.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _metrics.TrackChaincodeConnections(() => _chaincodes.Connections.Count);
        _channels.DefinitionsCommitted += _chaincodes.ConnectAhead;
        await _channels.StartAsync().ConfigureAwait(false);
        foreach (var channel in _channels.All)
        {
            _chaincodes.ConnectAhead(channel);
        }
    }

    /// <summary>Nothing to do: the container disposes the chaincode connections and the channels, once, after the server stopped.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
