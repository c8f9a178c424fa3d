using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using ZonCoin.Rpc.Server;

namespace ZonCoin.Rpc.Client;

/// <summary>
/// A connection pool to one target (Grpc.Net.Client's GrpcChannel plus its CallInvoker): <c>http://</c> means
/// HTTP/2 with prior knowledge (h2c), <c>https://</c> TLS with ALPN h2. Several HTTP/2 connections are opened
/// when one runs out of streams. Thread-safe; share one per target.
/// </summary>
public sealed class RpcChannel : IDisposable
{
    private readonly HttpMessageInvoker _invoker;

    private RpcChannel(Uri address, RpcChannelOptions options)
    {
        Address = address;
        Options = options;
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseProxy = false,
            UseCookies = false,
        };
        if (address.Scheme == Uri.UriSchemeHttps)
        {
            // SocketsHttpHandler ignores SslOptions.TargetHost: it takes the TLS server name (SNI and the
            // certificate name check) from the request's Host header. So the override travels as the
            // :authority, as in gRPC, where ssl_target_name_override also sets the default authority.
            if (!string.IsNullOrEmpty(options.ServerNameOverride))
            {
                Authority = $"{options.ServerNameOverride}:{address.Port}";
            }
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = options.ServerNameOverride ?? address.IdnHost,
                ApplicationProtocols = [SslApplicationProtocol.Http2],
                ClientCertificates = options.ClientCertificate is null ? null : [options.ClientCertificate],
                LocalCertificateSelectionCallback = options.ClientCertificate is null ? null : (_, _, _, _, _) => options.ClientCertificate,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    RpcKestrelExtensions.ValidateServerCertificate(certificate, errors, options.RootCertificates),
            };
        }
        _invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public Uri Address { get; }

    public RpcChannelOptions Options { get; }

    internal HttpMessageInvoker Invoker => _invoker;

    /// <summary>The :authority (Host) to send instead of the address's, or null: set by <see cref="RpcChannelOptions.ServerNameOverride"/>.</summary>
    internal string? Authority { get; }

    /// <summary>A channel to <c>http://host:port</c> (h2c) or <c>https://host:port</c> (TLS).</summary>
    public static RpcChannel ForAddress(string address, RpcChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{address}' is not an http:// or https:// address", nameof(address));
        }
        return new RpcChannel(uri, options ?? new RpcChannelOptions());
    }

    public AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var call = NewCall(method, MethodType.Unary, options);
        call.Start(request);
        return new AsyncUnaryCall<TResponse>(call.ReadSingleResponseAsync(), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var call = NewCall(method, MethodType.ServerStreaming, options);
        call.Start(request);
        return new AsyncServerStreamingCall<TResponse>(call, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var call = NewCall(method, MethodType.ClientStreaming, options);
        call.StartStreaming();
        return new AsyncClientStreamingCall<TRequest, TResponse>(call, call.ReadSingleResponseAsync(), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var call = NewCall(method, MethodType.DuplexStreaming, options);
        call.StartStreaming();
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(call, call, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public void Dispose() => _invoker.Dispose();

    private ClientCall<TRequest, TResponse> NewCall<TRequest, TResponse>(Method<TRequest, TResponse> method, MethodType expected, CallOptions options)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.Type != expected)
        {
            throw new ArgumentException($"method {method.FullName} is {method.Type}, not {expected}", nameof(method));
        }
        return new ClientCall<TRequest, TResponse>(this, method, options);
    }
}
