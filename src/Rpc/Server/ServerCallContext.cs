using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;

namespace ZonCoin.Rpc.Server;

/// <summary>What a handler knows about its call (Grpc.Core.ServerCallContext).</summary>
public sealed class ServerCallContext
{
    private readonly ResponseWriter _writer;

    internal ServerCallContext(HttpContext httpContext, string method, DateTime deadline, Metadata requestHeaders, ResponseWriter writer, CancellationToken cancellationToken)
    {
        HttpContext = httpContext;
        Method = method;
        Deadline = deadline;
        RequestHeaders = requestHeaders;
        CancellationToken = cancellationToken;
        _writer = writer;
    }

    /// <summary>The method path, e.g. <c>/gateway.Gateway/Submit</c>.</summary>
    public string Method { get; }

    /// <summary>The HTTP :authority the client used.</summary>
    public string Host => HttpContext.Request.Host.Value ?? "";

    /// <summary>The client's address, as <c>ipv4:1.2.3.4:5678</c> or <c>ipv6:[::1]:5678</c>.</summary>
    public string Peer
    {
        get
        {
            var connection = HttpContext.Connection;
            var ip = connection.RemoteIpAddress;
            if (ip is null)
            {
                return "unknown";
            }
            return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? $"ipv6:[{ip}]:{connection.RemotePort}"
                : $"ipv4:{ip}:{connection.RemotePort}";
        }
    }

    /// <summary>UTC deadline from the client's <c>grpc-timeout</c>, or <see cref="DateTime.MaxValue"/>.</summary>
    public DateTime Deadline { get; }

    public Metadata RequestHeaders { get; }

    /// <summary>Trailers sent with the status; handlers may add to them.</summary>
    public Metadata ResponseTrailers { get; } = new();

    /// <summary>Cancelled when the client cancels or disconnects, or the deadline passes.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The status to end with when the handler returns normally (default OK).</summary>
    public Status Status { get; set; } = Status.DefaultSuccess;

    /// <summary>The client's TLS certificate under mutual TLS, else null.</summary>
    public X509Certificate2? ClientCertificate => HttpContext.Connection.ClientCertificate;

    /// <summary>The underlying ASP.NET Core request, as Grpc.AspNetCore's GetHttpContext gives it.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>Sends response headers now (at most once, before any message).</summary>
    public Task WriteResponseHeadersAsync(Metadata responseHeaders) => _writer.WriteHeadersAsync(responseHeaders);
}
