using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZonCoin.Chaincode.Shim;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Server;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Chaincode.Hosting;

/// <summary>
/// Serves a chaincode as a service (Fabric's CCaaS): a gRPC server on <see cref="ChaincodeServerOptions.Address"/>
/// (h2c, or TLS with optional client authentication) that answers <c>/protos.Chaincode/Connect</c>. On every stream
/// the peer opens, the chaincode sends REGISTER with its chaincode id, waits for REGISTERED and READY, then serves
/// transactions until the peer closes the stream.
/// </summary>
public sealed partial class ChaincodeServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ChaincodeServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:9999</c> (the bound port when 0 was asked for).</summary>
    public Uri Address { get; }

    /// <summary>Starts serving <paramref name="chaincode"/>.</summary>
    /// <param name="chaincode">The chaincode, usually a <see cref="Contracts.ContractChaincode"/>.</param>
    /// <param name="options">Address, chaincode id and TLS.</param>
    /// <param name="loggerFactory">Logging, or null for none.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<ChaincodeServer> StartAsync(IChaincode chaincode, ChaincodeServerOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chaincode);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("invalid chaincode server options: " + string.Join("; ", problems));
        }
        loggerFactory ??= NullLoggerFactory.Instance;
        var endpoint = await ParseEndpointAsync(options.Address, cancellationToken).ConfigureAwait(false);
        var tls = options.TlsEnabled ? LoadTls(options) : null;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenRpc(endpoint, tls));
        var logger = loggerFactory.CreateLogger<ChaincodeServer>();
        builder.Services.AddRpc();
        builder.Services.AddSingleton(new ConnectHandler(chaincode, options.ChaincodeId, logger, loggerFactory.CreateLogger("ZonCoin.Chaincode.Shim.ChaincodeSession")));
        builder.Services.AddRpcService<ConnectHandler>(methods => methods.Duplex(ChaincodeService.Connect, (handler, requests, responses, context) => handler.ConnectAsync(requests, responses, context)));
        var app = builder.Build();
        app.MapGrpcService<ConnectHandler>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var host = endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.IPv6Any) ? "127.0.0.1"
            : endpoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]" : endpoint.Address.ToString();
        var address = new Uri($"{(tls is null ? "http" : "https")}://{host}:{bound.Port.ToString(CultureInfo.InvariantCulture)}");
        LogListening(logger, options.ChaincodeId, address, tls is null ? "h2c" : tls.RequireClientCertificate ? "mutual TLS" : "TLS");
        return new ChaincodeServer(app, address);
    }

    /// <summary>Stops the server: open streams are cancelled.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<IPEndPoint> ParseEndpointAsync(string address, CancellationToken cancellationToken)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
        {
            throw new FormatException($"chaincode server address '{address}' is not host:port");
        }
        var host = address[..colon].Trim('[', ']');
        if (IPAddress.TryParse(host, out var ip))
        {
            return new IPEndPoint(ip, port);
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }
        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var first = addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new FormatException($"chaincode server address '{address}': host '{host}' does not resolve");
        return new IPEndPoint(first, port);
    }

    private static RpcServerTlsOptions LoadTls(ChaincodeServerOptions options)
    {
        // Kestrel on Linux needs the key in an exportable PKCS#12 form, not an ephemeral PEM key.
        using var pem = X509Certificate2.CreateFromPemFile(options.TlsCertificateFile!, options.TlsKeyFile!);
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        if (string.IsNullOrEmpty(options.TlsClientCaFile))
        {
            return new RpcServerTlsOptions(certificate);
        }
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(options.TlsClientCaFile);
        return new RpcServerTlsOptions(certificate) { ClientCertificateAuthorities = authorities, RequireClientCertificate = true };
    }

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Chaincode '{ChaincodeId}' serving /protos.Chaincode/Connect on {Address} ({Security})")]
    private static partial void LogListening(ILogger logger, string chaincodeId, Uri address, string security);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Peer {Peer} connected")]
    private static partial void LogPeerConnected(ILogger logger, string peer);

    /// <summary>Serves <c>/protos.Chaincode/Connect</c>: one chaincode session per peer stream.</summary>
    private sealed class ConnectHandler(IChaincode chaincode, string chaincodeId, ILogger logger, ILogger sessionLogger)
    {
        public async Task ConnectAsync(IAsyncStreamReader<ChaincodeMessage> requests, IServerStreamWriter<ChaincodeMessage> responses, ServerCallContext context)
        {
            LogPeerConnected(logger, context.Peer);
            using var session = new ChaincodeSession(chaincode, chaincodeId, responses, sessionLogger);
            await session.RunAsync(requests, context.CancellationToken).ConfigureAwait(false);
        }
    }
}
