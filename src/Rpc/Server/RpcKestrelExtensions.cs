using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace ZonCoin.Rpc.Server;

/// <summary>TLS for an RPC endpoint: the server certificate (with key) and, for mutual TLS, the client CAs.</summary>
public sealed record RpcServerTlsOptions(X509Certificate2 Certificate)
{
    /// <summary>CAs that client certificates must chain to; with none, client certificates are not asked for.</summary>
    public X509Certificate2Collection ClientCertificateAuthorities { get; init; } = [];

    /// <summary>Refuse clients without a valid certificate (mutual TLS).</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>
    /// More client CAs, asked for at every handshake: e.g. the TLS roots of the organisations in a node's
    /// channels, which change as channels are joined and reconfigured.
    /// </summary>
    public Func<X509Certificate2Collection>? DynamicClientCertificateAuthorities { get; init; }

    /// <summary>True when a client certificate chains to a static or a dynamic client CA.</summary>
    public bool AcceptsClient(X509Certificate2 certificate) =>
        RpcKestrelExtensions.ChainsTo(certificate, ClientCertificateAuthorities)
        || (DynamicClientCertificateAuthorities?.Invoke() is { Count: > 0 } dynamic && RpcKestrelExtensions.ChainsTo(certificate, dynamic));
}

/// <summary>Kestrel endpoints that speak gRPC: HTTP/2 with prior knowledge (h2c), or TLS with ALPN h2.</summary>
public static class RpcKestrelExtensions
{
    public static void ListenRpc(this KestrelServerOptions kestrel, IPEndPoint endpoint, RpcServerTlsOptions? tls = null)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(endpoint);
        kestrel.AddServerHeader = false;
        kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(60);
        kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
        // grpc-go (Fabric's stack) sets no limit on concurrent streams per connection; Kestrel's default of 100 would
        // queue the 101st call of a client that keeps one connection (grpc-js, grpc-go, Caliper workers) and its
        // long-lived event streams. Load is bounded by each service instead (e.g. the gateway's concurrency limit).
        kestrel.Limits.Http2.MaxStreamsPerConnection = int.MaxValue;
        kestrel.Listen(endpoint, listen =>
        {
            if (tls is null)
            {
                listen.Protocols = HttpProtocols.Http2;
                return;
            }
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(https =>
            {
                https.ServerCertificate = tls.Certificate;
                if (tls.ClientCertificateAuthorities.Count == 0 && tls.DynamicClientCertificateAuthorities is null && !tls.RequireClientCertificate)
                {
                    return;
                }
                https.ClientCertificateMode = tls.RequireClientCertificate ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.AllowCertificate;
                https.ClientCertificateValidation = (certificate, _, _) => tls.AcceptsClient(certificate);
            });
        });
    }

    /// <summary>True when the certificate chains to one of the given roots (no revocation lookups).</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection roots)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(roots);
        if (roots.Count == 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        return chain.Build(certificate);
    }
}
