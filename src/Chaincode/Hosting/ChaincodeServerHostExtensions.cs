using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZonCoin.Chaincode.Shim;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Server;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Chaincode.Hosting;

/// <summary>Hosts a chaincode as a service.</summary>
public static partial class ChaincodeServerHostExtensions
{
    /// <summary>
    /// Adds a chaincode server to the host (Fabric's chaincode as a service): <c>/protos.Chaincode/Connect</c> on
    /// <see cref="ChaincodeServerOptions.Address"/>, h2c or TLS (with client authentication when a client CA is set),
    /// one chaincode session per stream the peer opens. The settings are validated at start.
    /// </summary>
    /// <param name="builder">The host builder (a web application builder: the server runs on its Kestrel).</param>
    /// <param name="chaincode">The chaincode, usually a <see cref="Contracts.ContractChaincode"/>.</param>
    /// <param name="configure">Sets the address, chaincode id and TLS files.</param>
    public static IHostApplicationBuilder AddChaincodeServer(this IHostApplicationBuilder builder, IChaincode chaincode, Action<ChaincodeServerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(chaincode);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<ChaincodeServerOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChaincodeServerOptions>, OptionsValidator>());
        services.AddRpc();
        services.AddSingleton(sp => new ConnectHandler(chaincode, sp.GetRequiredService<IOptions<ChaincodeServerOptions>>().Value.ChaincodeId,
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddRpcService<ConnectHandler>(methods => methods.Duplex(ChaincodeService.Connect, (handler, requests, responses, context) => handler.ConnectAsync(requests, responses, context)));
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ChaincodeServerOptions>>((kestrel, options) =>
            kestrel.ListenRpc(ResolveEndpoint(options.Value.Address), options.Value.TlsEnabled ? LoadTls(options.Value) : null));
        services.AddSingleton<IStartupFilter, ConnectRoute>();
        return builder;
    }

    /// <summary>The endpoint of a <c>host:port</c> address; a host name resolves to its first IPv4 address (or any address).</summary>
    /// <exception cref="FormatException">Not <c>host:port</c>, or a host that does not resolve.</exception>
    internal static IPEndPoint ResolveEndpoint(string address)
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
        var addresses = Dns.GetHostAddresses(host);
        var first = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
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

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Peer {Peer} connected")]
    private static partial void LogPeerConnected(ILogger logger, string peer);

    /// <summary>The settings' own checks, as options validation.</summary>
    private sealed class OptionsValidator : IValidateOptions<ChaincodeServerOptions>
    {
        public ValidateOptionsResult Validate(string? name, ChaincodeServerOptions options) =>
            options.Validate().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }

    /// <summary>Maps the Connect service.</summary>
    private sealed class ConnectRoute : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseRouting();
            app.UseRpcStreamsEndOnStop();
            app.UseEndpoints(endpoints => endpoints.MapGrpcService<ConnectHandler>());
            next(app);
        };
    }

    /// <summary>Serves <c>/protos.Chaincode/Connect</c>: one chaincode session per peer stream.</summary>
    private sealed class ConnectHandler(IChaincode chaincode, string chaincodeId, ILoggerFactory loggers)
    {
        private readonly ILogger _logger = loggers.CreateLogger<ChaincodeServer>();
        private readonly ILogger _sessionLogger = loggers.CreateLogger("ZonCoin.Chaincode.Shim.ChaincodeSession");

        public async Task ConnectAsync(IAsyncStreamReader<ChaincodeMessage> requests, IServerStreamWriter<ChaincodeMessage> responses, ServerCallContext context)
        {
            LogPeerConnected(_logger, context.Peer);
            using var session = new ChaincodeSession(chaincode, chaincodeId, responses, _sessionLogger);
            await session.RunAsync(requests, context.CancellationToken).ConfigureAwait(false);
        }
    }
}
