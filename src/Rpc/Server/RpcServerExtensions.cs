using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ZonCoin.Rpc.Protocol;

namespace ZonCoin.Rpc.Server;

/// <summary>Hooks the RPC server into an ASP.NET Core app.</summary>
public static class RpcServerExtensions
{
    /// <summary>Registers the <see cref="RpcServiceRegistry"/> and <see cref="RpcServerOptions"/>.</summary>
    public static IServiceCollection AddRpc(this IServiceCollection services, Action<RpcServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<RpcServerOptions>()
            .Configure(options => configure?.Invoke(options))
            .Validate(o => o.MaxReceiveMessageSize > 0 && o.MaxSendMessageSize > 0, "RPC message size limits must be positive")
            .ValidateOnStart();
        services.AddSingleton<RpcServiceRegistry>();
        return services;
    }

    /// <summary>
    /// Serves the registered methods. A gRPC request for an unknown path gets UNIMPLEMENTED; other requests
    /// go on to the rest of the pipeline (e.g. /healthz).
    /// </summary>
    public static IApplicationBuilder UseRpc(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var registry = app.ApplicationServices.GetRequiredService<RpcServiceRegistry>();
        var options = app.ApplicationServices.GetRequiredService<IOptions<RpcServerOptions>>().Value;
        return app.Use(async (HttpContext http, RequestDelegate next) =>
        {
            var path = http.Request.Path.Value ?? "";
            if (registry.TryGet(path, out var handler))
            {
                await handler(http, options).ConfigureAwait(false);
                return;
            }
            if (GrpcProtocol.IsGrpcContentType(http.Request.ContentType))
            {
                http.Response.ContentType = GrpcProtocol.ContentType;
                http.Response.Headers[GrpcProtocol.StatusHeader] = ((int)StatusCode.Unimplemented).ToString(System.Globalization.CultureInfo.InvariantCulture);
                http.Response.Headers[GrpcProtocol.MessageHeader] = GrpcProtocol.EncodeMessage($"Method is unimplemented: {path}");
                return;
            }
            await next(http).ConfigureAwait(false);
        });
    }
}
