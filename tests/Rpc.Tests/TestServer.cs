using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ZonCoin.Rpc.Server;

namespace ZonCoin.Rpc.Tests;

/// <summary>A real Kestrel server on 127.0.0.1 with an ephemeral port, serving the echo service.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, string address, CallObserver observer)
    {
        _app = app;
        Address = address;
        Observer = observer;
    }

    public string Address { get; }

    public CallObserver Observer { get; }

    /// <summary>Starts the server; <paramref name="register"/> may add test-specific methods next to the echo service.</summary>
    public static async Task<TestServer> StartAsync(RpcServerTlsOptions? tls = null, Action<RpcServerOptions>? configure = null, Action<RpcServiceRegistry>? register = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenRpc(new IPEndPoint(IPAddress.Loopback, 0), tls));
        builder.Services.AddRpc(configure);
        var app = builder.Build();
        var observer = new CallObserver();
        EchoService.Register(app.Services.GetRequiredService<RpcServiceRegistry>(), observer);
        register?.Invoke(app.Services.GetRequiredService<RpcServiceRegistry>());
        app.UseRpc();
        await app.StartAsync().ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)).Port;
        var scheme = tls is null ? "http" : "https";
        return new TestServer(app, $"{scheme}://127.0.0.1:{port}", observer);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
