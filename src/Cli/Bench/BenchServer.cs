using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ZonCoin.Protos.Common;
using ZonCoin.Rpc.Server;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Cli.Bench;

/// <summary>The benchmark's service: echoes <c>common.Envelope</c> messages, once (unary) or per message (duplex).</summary>
internal static class BenchService
{
    public const string Name = "zoncoin.bench.Bench";

    public static readonly Method<Envelope, Envelope> Unary = RpcMethods.Create<Envelope, Envelope>(MethodType.Unary, Name, "Unary");

    public static readonly Method<Envelope, Envelope> Stream = RpcMethods.Create<Envelope, Envelope>(MethodType.DuplexStreaming, Name, "Stream");
}

/// <summary>Serves <see cref="BenchService"/>.</summary>
internal sealed class BenchHandler
{
    public static void Bind(RpcServiceBinder<BenchHandler> methods) => methods
        .Unary(BenchService.Unary, (_, request, _) => Task.FromResult(request))
        .Duplex(BenchService.Stream, (_, requests, responses, context) => EchoAsync(requests, responses, context));

    private static async Task EchoAsync(IAsyncStreamReader<Envelope> requests, IServerStreamWriter<Envelope> responses, ServerCallContext context)
    {
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            await responses.WriteAsync(request, context.CancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>An in-process Kestrel server for the benchmark on 127.0.0.1 and an ephemeral port, h2c or TLS.</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BenchServer(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    /// <summary><c>http://127.0.0.1:PORT</c> or <c>https://127.0.0.1:PORT</c>.</summary>
    public string Address { get; }

    /// <summary>Starts the server; with a certificate (and its key) it speaks TLS with ALPN h2, else h2c.</summary>
    public static async Task<BenchServer> StartAsync(X509Certificate2? certificate, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        var tls = certificate is null ? null : new RpcServerTlsOptions(certificate);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenRpc(new IPEndPoint(IPAddress.Loopback, 0), tls));
        builder.Services.AddRpc();
        builder.Services.AddSingleton<BenchHandler>();
        builder.Services.AddRpcService<BenchHandler>(BenchHandler.Bind);
        var app = builder.Build();
        app.MapGrpcService<BenchHandler>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound).Port;
        return new BenchServer(app, $"{(tls is null ? "http" : "https")}://127.0.0.1:{port}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
