using System.Security.Cryptography.X509Certificates;

namespace ZonCoin.Rpc.Client;

/// <summary>How a channel connects: TLS roots and client certificate, limits and keep-alive.</summary>
public sealed class RpcChannelOptions
{
    /// <summary>CAs the server certificate must chain to (https only). Empty: the system's trust store.</summary>
    public X509Certificate2Collection RootCertificates { get; init; } = [];

    /// <summary>A certificate with private key presented for mutual TLS.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>The name to expect in the server certificate instead of the address's host (gRPC's ssl_target_name_override).</summary>
    public string? ServerNameOverride { get; init; }

    public int MaxReceiveMessageSize { get; init; } = RpcLimits.MaxMessageSize;

    public int MaxSendMessageSize { get; init; } = RpcLimits.MaxMessageSize;

    /// <summary>HTTP/2 PING interval on an idle connection.</summary>
    public TimeSpan KeepAlivePingDelay { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan KeepAlivePingTimeout { get; init; } = TimeSpan.FromSeconds(20);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The first pause before connecting again after a connection attempt failed. Calls made while the channel waits
    /// fail with UNAVAILABLE, so a node that restarts is used again after at most <see cref="MaxReconnectBackoff"/>.
    /// </summary>
    public TimeSpan InitialReconnectBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest pause between connection attempts (Grpc.Net.Client's default is 120 s, too long within a consortium).</summary>
    public TimeSpan MaxReconnectBackoff { get; init; } = TimeSpan.FromSeconds(5);
}
