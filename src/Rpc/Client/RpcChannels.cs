using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using ZonCoin.Rpc.Server;

namespace ZonCoin.Rpc.Client;

/// <summary>
/// Grpc.Net.Client channels as Fabric's nodes and clients dial: <c>http://</c> is HTTP/2 with prior knowledge
/// (h2c), <c>https://</c> TLS with ALPN h2, a server certificate that must chain to the given roots, an optional
/// client certificate (mutual TLS), keep-alive pings, several HTTP/2 connections when one runs out of streams, and
/// Fabric's 100 MB limits. Thread-safe; share one channel per target.
/// </summary>
public static class RpcChannels
{
    /// <summary>A channel to <c>http://host:port</c> (h2c) or <c>https://host:port</c> (TLS).</summary>
    public static GrpcChannel ForAddress(string address, RpcChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{address}' is not an http:// or https:// address", nameof(address));
        }
        options ??= new RpcChannelOptions();
        return GrpcChannel.ForAddress(uri, new GrpcChannelOptions
        {
            HttpHandler = CreateHandler(uri, options),
            DisposeHttpClient = true,
            MaxReceiveMessageSize = options.MaxReceiveMessageSize,
            MaxSendMessageSize = options.MaxSendMessageSize,
            InitialReconnectBackoff = options.InitialReconnectBackoff,
            MaxReconnectBackoff = options.MaxReconnectBackoff,
        });
    }

    /// <summary>
    /// The HTTP handler behind a channel, for applications that build their own <see cref="GrpcChannel"/> with
    /// Fabric's TLS rules.
    /// </summary>
    public static HttpMessageHandler CreateHandler(Uri address, RpcChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(options);
        var sockets = new SocketsHttpHandler
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
        string? authority = null;
        if (address.Scheme == Uri.UriSchemeHttps)
        {
            // SocketsHttpHandler takes the TLS server name (SNI and the certificate name check) from the request's
            // Host, not from SslOptions.TargetHost: the override travels as the :authority, as in gRPC, where
            // ssl_target_name_override also sets the default authority.
            if (!string.IsNullOrEmpty(options.ServerNameOverride))
            {
                authority = $"{options.ServerNameOverride}:{address.Port}";
            }
            var client = options.ClientCertificate;
            var roots = options.RootCertificates;
            sockets.SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = options.ServerNameOverride ?? address.IdnHost,
                ApplicationProtocols = [SslApplicationProtocol.Http2],
                ClientCertificates = client is null ? null : [client],
                LocalCertificateSelectionCallback = client is null ? null : (_, _, _, _, _) => client,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => ValidateServerCertificate(certificate, errors, roots),
            };
        }
        return new FabricClientHandler(authority) { InnerHandler = sockets };
    }

    /// <summary>Server certificate check: the chain must reach one of <paramref name="roots"/> and the name must match.</summary>
    private static bool ValidateServerCertificate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }
        if (errors == SslPolicyErrors.None && roots.Count == 0)
        {
            return true;
        }
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return RpcKestrelExtensions.ChainsTo(leaf, roots);
    }

    /// <summary>
    /// Sets the server-name override as the request's authority, and reports a failed TLS handshake (grpc-go's
    /// "authentication handshake failed") or any other send that got no response as a connection failure, UNAVAILABLE
    /// as in grpc-go, rather than Grpc.Net.Client's INTERNAL.
    /// </summary>
    private sealed class FabricClientHandler(string? authority) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (authority is not null)
            {
                request.Headers.Host = authority;
            }
            try
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (ex.InnerException is AuthenticationException handshake)
            {
                throw new HttpRequestException(HttpRequestError.SecureConnectionError, $"transport: authentication handshake failed: {handshake.Message}",
                    new IOException(handshake.Message, handshake));
            }
            catch (HttpRequestException ex)
            {
                // No response at all: the transport failed, e.g. a server that refuses our client certificate after a
                // TLS 1.3 handshake closes the connection before its HTTP/2 preface ("the server did not complete the
                // HTTP/2 handshake"). The call is UNAVAILABLE, as in grpc-go; an HTTP/2 error code inside still decides
                // the status when there is one.
                throw new HttpRequestException(ex.HttpRequestError, ex.Message, new IOException(ex.Message, ex));
            }
        }
    }
}
