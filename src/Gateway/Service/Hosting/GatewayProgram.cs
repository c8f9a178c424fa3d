using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ZonCoin.Core.Identity;
using ZonCoin.Gateway.Channels;
using ZonCoin.Gateway.Nodes;
using ZonCoin.Gateway.Server;
using ZonCoin.Hosting;
using ZonCoin.Rpc.Server;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Gateway.Hosting;

/// <summary>
/// The gateway process. Settings come from <c>appsettings.json</c>, environment variables (<c>Gateway__X</c>) and
/// flags: <c>--listen</c>, <c>--operations-listen</c>, <c>--msp-id</c>, <c>--msp-dir</c>, <c>--tls-dir</c>,
/// <c>--peer</c> (repeatable, or comma-separated: <c>host:port</c> or <c>MSPID@host:port</c>) and <c>--insecure</c>
/// (development only). Exit codes: 0 after a clean stop, 2 for bad settings, 1 when the gateway could not start.
/// </summary>
public static class GatewayProgram
{
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["--listen"] = "Gateway:ListenAddress",
        ["--operations-listen"] = "Gateway:OperationsListenAddress",
        ["--msp-id"] = "Gateway:MspId",
        ["--msp-dir"] = "Gateway:MspDirectory",
        ["--tls-dir"] = "Gateway:Tls:Directory",
        ["--insecure"] = "Gateway:Insecure",
        ["--concurrency-limit"] = "Gateway:ConcurrencyLimit",
    };

    public static Task<int> Main(string[] args) =>
        NodeHost.RunAsync("gateway", () => Build(args), ex => ex is MspConfigurationException or IdentityException or InvalidOperationException);

    /// <summary>Builds the gateway app (not started).</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine(Normalize(args), Flags);
        builder.UseNodeLogging();
        var options = NodeHost.ReadValidated(builder.Configuration, GatewayOptions.Section, new GatewayOptionsValidator());
        builder.Services.AddGateway(options);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var tls = options.Insecure ? null : options.Tls.Load();
            var channels = kestrel.ApplicationServices.GetRequiredService<GatewayChannels>();
            // Applications may present a client certificate (then it must chain to a channel organisation's TLS CA); they need not.
            kestrel.ListenRpc(Endpoints.Parse(options.ListenAddress), tls is null ? null : tls with
            {
                RequireClientCertificate = false,
                DynamicClientCertificateAuthorities = () => TlsRoots(channels),
            });
            kestrel.ListenAdmin(Endpoints.Parse(options.OperationsListenAddress), tls: null);
        });

        var app = builder.Build();
        app.Services.GetRequiredService<PrometheusExporter>();
        app.UseOperationsEndpoint(Endpoints.Parse(options.OperationsListenAddress).Port);
        var listenPort = Endpoints.Parse(options.ListenAddress).Port;
        app.UseRpcOnPort(listenPort, rpc => rpc.MapGrpcService<GatewayServer>());
        return app;
    }

    /// <summary><c>--peer</c> may be repeated; each occurrence becomes the next <c>Gateway:Peers</c> entry.</summary>
    private static string[] Normalize(string[] args)
    {
        var peers = 0;
        var result = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--peer" && i + 1 < args.Length)
            {
                foreach (var peer in args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    result.Add($"--Gateway:Peers:{peers++}");
                    result.Add(peer);
                }
                continue;
            }
            result.Add(args[i]);
        }
        return CommandLineFlags.Normalize(result, booleanFlags: ["--insecure"], listFlags: new Dictionary<string, string>());
    }

    private static IServiceCollection AddGateway(this IServiceCollection services, GatewayOptions options)
    {
        services.AddRpc();
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
        services.AddMetrics();
        services.AddSingleton(options);
        services.AddSingleton(_ => new PrometheusExporter("ZonCoin."));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new ConcurrencyLimiter(options.ConcurrencyLimit));
        services.AddSingleton(sp => new GatewayMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), () => sp.GetRequiredService<ConcurrencyLimiter>().InFlight));
        services.AddSingleton(_ => MspDirectory.LoadSigningIdentity(options.MspDirectory, options.MspId));
        services.AddSingleton(_ =>
        {
            if (options.Insecure)
            {
                return new NodeConnections(null, [], options.DialTimeout);
            }
            var tls = options.Tls.Load();
            var roots = new X509Certificate2Collection();
            foreach (var path in options.Tls.ResolvedClientRootCaFiles)
            {
                roots.ImportFromPemFile(path);
            }
            return new NodeConnections(tls.Certificate, roots, options.DialTimeout);
        });
        services.AddSingleton(sp => new GatewayTopology(options.MspId,
            options.Peers.Select(p => PeerAddress.TryParse(p, options.MspId, out var peer) ? peer : throw new InvalidOperationException($"bad peer '{p}'")),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new PeerClient(sp.GetRequiredService<NodeConnections>(), sp.GetRequiredService<Core.Protocol.SigningIdentity>(),
            options.EndorsementTimeout, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new OrdererClient(sp.GetRequiredService<NodeConnections>(), options.BroadcastTimeout));
        services.AddSingleton<GatewayChannels>();
        services.AddSingleton<GatewayServer>();
        services.AddHostedService<GatewayLifetime>();
        services.AddHealthChecks().AddCheck<GatewayHealthCheck>("peers");
        return services;
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
}

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

/// <summary>Healthy while the gateway's own peer answers (a TCP connection to its endpoint succeeds).</summary>
internal sealed class GatewayHealthCheck : IHealthCheck
{
    private readonly GatewayTopology _topology;

    public GatewayHealthCheck(GatewayTopology topology)
    {
        _topology = topology;
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
                using var client = new System.Net.Sockets.TcpClient();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                await client.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), timeout.Token).ConfigureAwait(false);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or OperationCanceledException)
            {
                failures.Add($"{peer}: {ex.Message}");
            }
        }
        return HealthCheckResult.Unhealthy($"no peer of the gateway's organisation is reachable: {string.Join("; ", failures)}");
    }
}
