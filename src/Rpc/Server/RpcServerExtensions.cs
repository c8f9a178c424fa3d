using System.Diagnostics.CodeAnalysis;
using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ZonCoin.Rpc.Server;

/// <summary>
/// gRPC services on Grpc.AspNetCore, with Fabric's limits, bound to the method descriptors of
/// <see cref="Services.FabricServices"/> (declared once for servers and clients) instead of generated base classes.
/// </summary>
public static class RpcServerExtensions
{
    /// <summary>What Grpc.AspNetCore reflects on a service type (its constructors and methods); kept when compiled ahead of time.</summary>
    public const DynamicallyAccessedMemberTypes ServiceMembers =
        DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods;

    /// <summary>Adds Grpc.AspNetCore with Fabric's 100 MB limits both ways; <paramref name="configure"/> may change them.</summary>
    public static IServiceCollection AddRpc(this IServiceCollection services, Action<GrpcServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = RpcLimits.MaxMessageSize;
            options.MaxSendMessageSize = RpcLimits.MaxMessageSize;
            configure?.Invoke(options);
        });
        return services;
    }

    /// <summary>
    /// Serves methods on <typeparamref name="TService"/>, the singleton (already registered) that handles them:
    /// <paramref name="bind"/> names each method and its handler. Map it with <c>MapGrpcService&lt;TService&gt;()</c>.
    /// </summary>
    public static IServiceCollection AddRpcService<[DynamicallyAccessedMembers(RpcServerExtensions.ServiceMembers)] TService>(this IServiceCollection services, Action<RpcServiceBinder<TService>> bind)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(bind);
        services.AddSingleton<IServiceMethodProvider<TService>>(new BoundMethodProvider<TService>(bind));
        return services;
    }

    /// <summary>
    /// Serves gRPC endpoints only on the connections that arrive at local port <paramref name="port"/> (a node's
    /// admin and operations ports serve other things).
    /// </summary>
    public static IApplicationBuilder UseRpcOnPort(this IApplicationBuilder app, int port, Action<IEndpointRouteBuilder> map)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(map);
        return app.MapWhen(http => http.Connection.LocalPort == port, rpc =>
        {
            rpc.UseRouting();
            rpc.UseRpcStreamsEndOnStop();
            rpc.UseEndpoints(map);
        });
    }

    /// <summary>
    /// Ends open streaming calls (Deliver, chaincode streams, chaincode events) when the host starts to stop, as a
    /// Fabric node's gRPC server does: otherwise the server would wait for them (they never end on their own) until
    /// the host's shutdown timeout. Unary calls in flight finish. Use between <c>UseRouting</c> and <c>UseEndpoints</c>.
    /// </summary>
    public static IApplicationBuilder UseRpcStreamsEndOnStop(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var stopping = app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        return app.Use(async (http, next) =>
        {
            if (http.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is not { Method.Type: not MethodType.Unary })
            {
                await next(http).ConfigureAwait(false);
                return;
            }
            using var stop = stopping.Register(static state => ((HttpContext)state!).Abort(), http);
            await next(http).ConfigureAwait(false);
        });
    }

    private sealed class BoundMethodProvider<[DynamicallyAccessedMembers(RpcServerExtensions.ServiceMembers)] TService>(Action<RpcServiceBinder<TService>> bind) : IServiceMethodProvider<TService>
        where TService : class
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context) => bind(new RpcServiceBinder<TService>(context));
    }
}

/// <summary>
/// Names the methods a service type handles, each with its handler. Each method's endpoint answers POST only, as
/// for Grpc.AspNetCore's generated services (and grpc-go, which refuses any other HTTP method with 405), and reads
/// a request body of any size, so that the gRPC message limit (Fabric's 100 MB) decides for unary calls too.
/// </summary>
public sealed class RpcServiceBinder<[DynamicallyAccessedMembers(RpcServerExtensions.ServiceMembers)] TService>
    where TService : class
{
    /// <summary>
    /// Every method's routing metadata. POST only, as Grpc.AspNetCore's own binder says: without it an endpoint
    /// matches any HTTP method, so a GET or PUT carrying a gRPC frame would run the handler (CORS preflights pass,
    /// as there). No request body limit: Grpc.AspNetCore lifts Kestrel's (30 MB by default) for streamed requests
    /// only, which would refuse a unary request of 30 to 100 MB that Fabric's peers accept.
    /// </summary>
    private static List<object> EndpointMetadata => [new HttpMethodMetadata(["POST"], acceptCorsPreflight: true), UnlimitedRequestBody.Instance];

    private readonly ServiceMethodProviderContext<TService> _context;

    internal RpcServiceBinder(ServiceMethodProviderContext<TService> context) => _context = context;

    public RpcServiceBinder<TService> Unary<TRequest, TResponse>(Grpc.Core.Method<TRequest, TResponse> method, UnaryServerMethod<TService, TRequest, TResponse> handler)
        where TRequest : class
        where TResponse : class
    {
        _context.AddUnaryMethod(method, EndpointMetadata, handler);
        return this;
    }

    public RpcServiceBinder<TService> ServerStreaming<TRequest, TResponse>(Grpc.Core.Method<TRequest, TResponse> method, ServerStreamingServerMethod<TService, TRequest, TResponse> handler)
        where TRequest : class
        where TResponse : class
    {
        _context.AddServerStreamingMethod(method, EndpointMetadata, handler);
        return this;
    }

    public RpcServiceBinder<TService> ClientStreaming<TRequest, TResponse>(Grpc.Core.Method<TRequest, TResponse> method, ClientStreamingServerMethod<TService, TRequest, TResponse> handler)
        where TRequest : class
        where TResponse : class
    {
        _context.AddClientStreamingMethod(method, EndpointMetadata, handler);
        return this;
    }

    public RpcServiceBinder<TService> Duplex<TRequest, TResponse>(Grpc.Core.Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TService, TRequest, TResponse> handler)
        where TRequest : class
        where TResponse : class
    {
        _context.AddDuplexStreamingMethod(method, EndpointMetadata, handler);
        return this;
    }
}

/// <summary>Endpoint metadata that lifts the server's request body limit; routing applies it to the request.</summary>
internal sealed class UnlimitedRequestBody : IRequestSizeLimitMetadata
{
    public static readonly UnlimitedRequestBody Instance = new();

    private UnlimitedRequestBody()
    {
    }

    public long? MaxRequestBodySize => null;
}
