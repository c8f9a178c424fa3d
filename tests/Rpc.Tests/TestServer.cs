using System.Net;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ZonCoin.Rpc.Server;

namespace ZonCoin.Rpc.Tests;

/// <summary>
/// A real Kestrel server on 127.0.0.1 with an ephemeral port, built as ZonCoin's nodes build theirs
/// (<c>ListenRpc</c>, <c>AddRpc</c>, <c>AddRpcService</c>, <c>MapGrpcService</c>), serving the echo service.
/// </summary>
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

    /// <summary>
    /// Starts the server. <paramref name="configure"/> may change the gRPC options after Fabric's defaults;
    /// <paramref name="register"/> may bind test-specific methods, served next to the echo service.
    /// </summary>
    public static async Task<TestServer> StartAsync(
        RpcServerTlsOptions? tls = null, Action<GrpcServiceOptions>? configure = null, Action<RpcServiceBinder<TestMethods>>? register = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenRpc(new IPEndPoint(IPAddress.Loopback, 0), tls));
        var observer = new CallObserver();
        builder.Services.AddRpc(configure);
        builder.Services.AddSingleton(new EchoService(observer));
        builder.Services.AddRpcService<EchoService>(EchoService.Bind);
        if (register is not null)
        {
            builder.Services.AddSingleton<TestMethods>();
            builder.Services.AddRpcService(register);
        }
        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        if (register is not null)
        {
            app.MapGrpcService<TestMethods>();
        }
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound).Port;
        var scheme = tls is null ? "http" : "https";
        return new TestServer(app, $"{scheme}://127.0.0.1:{port}", observer);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The service type a test binds its own methods on (handlers ignore the instance).</summary>
internal sealed class TestMethods;
