using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using ZonCoin.Rpc.Server;

namespace ZonCoin.Hosting;

/// <summary>Kestrel endpoints for a node's HTTP APIs (admin, operations).</summary>
public static class HttpEndpointExtensions
{
    /// <summary>
    /// Listens for HTTP/1.1 and HTTP/2: plain when <paramref name="tls"/> is null, otherwise HTTPS requiring a
    /// client certificate that chains to the TLS options' client CAs.
    /// </summary>
    public static void ListenAdmin(this KestrelServerOptions kestrel, IPEndPoint endpoint, RpcServerTlsOptions? tls)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.Listen(endpoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            if (tls is null)
            {
                listen.Protocols = HttpProtocols.Http1;
                return;
            }
            listen.UseHttps(https =>
            {
                https.ServerCertificate = tls.Certificate;
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (certificate, _, _) => tls.AcceptsClient(certificate);
            });
        });
    }
}
