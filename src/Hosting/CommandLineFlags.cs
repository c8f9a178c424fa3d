using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using ZonCoin.Rpc.Server;

namespace ZonCoin.Hosting;

/// <summary>Turns a node's friendly flags into configuration command-line arguments.</summary>
public static class CommandLineFlags
{
    /// <summary>
    /// Rewrites <paramref name="args"/> so the configuration command-line provider can read them: a boolean
    /// flag given without a value gets <c>true</c>, and a comma-separated list flag becomes indexed keys
    /// (<c>--kafka-brokers a,b</c> → <c>--Orderer:Kafka:Brokers:0 a --Orderer:Kafka:Brokers:1 b</c>).
    /// </summary>
    public static string[] Normalize(IReadOnlyList<string> args, IReadOnlyCollection<string> booleanFlags, IReadOnlyDictionary<string, string> listFlags)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(booleanFlags);
        ArgumentNullException.ThrowIfNull(listFlags);
        var result = new List<string>(args.Count + 4);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (booleanFlags.Contains(arg))
            {
                var hasValue = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
                result.Add(arg);
                result.Add(hasValue ? args[++i] : "true");
                continue;
            }
            if (listFlags.TryGetValue(arg, out var key) && i + 1 < args.Count)
            {
                var items = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                for (var index = 0; index < items.Length; index++)
                {
                    result.Add($"--{key}:{index.ToString(CultureInfo.InvariantCulture)}");
                    result.Add(items[index]);
                }
                continue;
            }
            result.Add(arg);
        }
        return [.. result];
    }
}

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
