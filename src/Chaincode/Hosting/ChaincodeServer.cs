using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ZonCoin.Chaincode.Shim;

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

    /// <summary>Starts serving <paramref name="chaincode"/> (a host with <see cref="ChaincodeServerHostExtensions.AddChaincodeServer"/> alone).</summary>
    /// <param name="chaincode">The chaincode, usually a <see cref="Contracts.ContractChaincode"/>.</param>
    /// <param name="options">Address, chaincode id and TLS.</param>
    /// <param name="loggerFactory">Logging, or null for none.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="InvalidOperationException">The options are not usable.</exception>
    public static async Task<ChaincodeServer> StartAsync(IChaincode chaincode, ChaincodeServerOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chaincode);
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.AddChaincodeServer(chaincode, options.CopyTo);
        var app = builder.Build();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException("invalid chaincode server options: " + string.Join("; ", ex.Failures), ex);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var endpoint = ChaincodeServerHostExtensions.ResolveEndpoint(options.Address);
        var host = endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.IPv6Any) ? "127.0.0.1"
            : endpoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]" : endpoint.Address.ToString();
        var address = new Uri($"{(options.TlsEnabled ? "https" : "http")}://{host}:{bound.Port.ToString(CultureInfo.InvariantCulture)}");
        var security = !options.TlsEnabled ? "h2c" : string.IsNullOrEmpty(options.TlsClientCaFile) ? "TLS" : "mutual TLS";
        var logger = loggerFactory.CreateLogger<ChaincodeServer>();
        LogListening(logger, options.ChaincodeId, address, security);
        return new ChaincodeServer(app, address);
    }

    /// <summary>Stops the server: open streams are cancelled.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Chaincode '{ChaincodeId}' serving /protos.Chaincode/Connect on {Address} ({Security})")]
    private static partial void LogListening(ILogger logger, string chaincodeId, Uri address, string security);
}
