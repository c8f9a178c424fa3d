using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Peer.ChaincodeSupport;

/// <summary>Where a chaincode-as-a-service listens, from its chaincode definition.</summary>
internal sealed record ChaincodeEndpoint(string PackageId, string Address, string? TlsRootCertificatePem)
{
    /// <summary>
    /// The endpoint of a committed definition on this peer: the definition's package id and TLS root, and its
    /// address unless <paramref name="addressOverrides"/> (the peer's <c>Peer:ChaincodeAddresses</c>, by chaincode
    /// name) names another host:port for that chaincode, as Fabric's per-peer <c>connection.json</c> does.
    /// </summary>
    public static ChaincodeEndpoint For(Protos.Lifecycle.ChaincodeDefinition definition, IReadOnlyDictionary<string, string> addressOverrides)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(addressOverrides);
        var address = addressOverrides.TryGetValue(definition.Name, out var local) && !string.IsNullOrWhiteSpace(local) ? local : definition.Address;
        return new ChaincodeEndpoint(definition.PackageId, address, string.IsNullOrEmpty(definition.TlsRootCert) ? null : definition.TlsRootCert);
    }
}

/// <summary>
/// The peer's live chaincode connections by package id: dials a chaincode-as-a-service on first use
/// (<c>/protos.Chaincode/Connect</c>), accepts chaincodes that dial in (<c>/protos.ChaincodeSupport/Register</c>),
/// and redials a chaincode whose connection ended. A connection failure fails only the transactions on it.
/// </summary>
internal sealed partial class ChaincodeConnections : IAsyncDisposable
{
    private static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Task<ChaincodeHandler>> _handlers = new(StringComparer.Ordinal);
    private readonly Func<ChaincodeInvocationRequest, CancellationToken, Task<ChaincodeMessage>> _invoke;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly List<IDisposable> _channels = [];
    private int _disposed;

    public ChaincodeConnections(Func<ChaincodeInvocationRequest, CancellationToken, Task<ChaincodeMessage>> invoke, TimeProvider time, ILoggerFactory loggers)
    {
        _invoke = invoke;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ChaincodeConnections>();
    }

    /// <summary>Live connections, for the chaincode-connections metric.</summary>
    public int Count => _handlers.Values.Count(task => task.IsCompletedSuccessfully && task.Result.ClosedReason is null);

    /// <summary>A connected handler for the chaincode, dialling it when there is none or the last one ended.</summary>
    public async Task<ChaincodeHandler> GetAsync(ChaincodeEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        while (true)
        {
            var task = _handlers.GetOrAdd(endpoint.PackageId, _ => DialAsync(endpoint));
            ChaincodeHandler handler;
            try
            {
                handler = await task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ChaincodeException or RpcException or IOException or HttpRequestException or TimeoutException)
            {
                _handlers.TryRemove(new KeyValuePair<string, Task<ChaincodeHandler>>(endpoint.PackageId, task));
                throw new ChaincodeException($"cannot connect to chaincode '{endpoint.PackageId}' at {endpoint.Address}: {ex.Message}", ex);
            }
            if (handler.ClosedReason is null)
            {
                return handler;
            }
            _handlers.TryRemove(new KeyValuePair<string, Task<ChaincodeHandler>>(endpoint.PackageId, task));
        }
    }

    /// <summary>Serves a chaincode that dialled in: runs the handshake and keeps the connection until it ends.</summary>
    public async Task AcceptAsync(IAsyncStreamReader<ChaincodeMessage> requests, IServerStreamWriter<ChaincodeMessage> responses, CancellationToken cancellationToken)
    {
        var handler = await ChaincodeHandler.AcceptAsync(null, new ServerSink(responses), requests, _invoke, _time, _loggers.CreateLogger<ChaincodeHandler>(), cancellationToken).ConfigureAwait(false);
        _handlers[handler.ChaincodeId] = Task.FromResult(handler);
        await handler.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes every connection; a second call (the host's lifetime, then its container) does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        foreach (var task in _handlers.Values.Where(task => task.IsCompletedSuccessfully))
        {
            await task.Result.DisposeAsync().ConfigureAwait(false);
        }
        lock (_channels)
        {
            foreach (var channel in _channels)
            {
                channel.Dispose();
            }
        }
    }

    private async Task<ChaincodeHandler> DialAsync(ChaincodeEndpoint endpoint)
    {
        var tls = endpoint.TlsRootCertificatePem is not null;
        var options = new RpcChannelOptions
        {
            RootCertificates = tls ? Roots(endpoint.TlsRootCertificatePem!) : [],
            ConnectTimeout = DialTimeout,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
        };
        var channel = RpcChannels.ForAddress($"{(tls ? "https" : "http")}://{endpoint.Address}", options);
        lock (_channels)
        {
            _channels.Add(channel);
        }
        var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(ChaincodeService.Connect, null, new CallOptions());
        using var timeout = new CancellationTokenSource(DialTimeout, _time);
        var handler = await ChaincodeHandler.AcceptAsync(endpoint.PackageId, new ClientSink(call.RequestStream), call.ResponseStream, _invoke, _time,
            _loggers.CreateLogger<ChaincodeHandler>(), timeout.Token).ConfigureAwait(false);
        LogDialled(_logger, endpoint.PackageId, endpoint.Address);
        return handler;
    }

    private static X509Certificate2Collection Roots(string pem)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(pem);
        return roots;
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Connected to chaincode {PackageId} at {Address}")]
    private static partial void LogDialled(ILogger logger, string packageId, string address);

    private sealed class ClientSink(IClientStreamWriter<ChaincodeMessage> writer) : IChaincodeSink
    {
        public Task SendAsync(ChaincodeMessage message, CancellationToken cancellationToken) => writer.WriteAsync(message, cancellationToken);
    }

    private sealed class ServerSink(IServerStreamWriter<ChaincodeMessage> writer) : IChaincodeSink
    {
        public Task SendAsync(ChaincodeMessage message, CancellationToken cancellationToken) => writer.WriteAsync(message, cancellationToken);
    }
}
