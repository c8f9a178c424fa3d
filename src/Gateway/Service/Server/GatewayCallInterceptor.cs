using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using ZonCoin.Gateway.Hosting;

namespace ZonCoin.Gateway.Server;

/// <summary>
/// Every <c>gateway.Gateway</c> call passes here: it takes a slot of the <see cref="ConcurrencyLimiter"/> (refused
/// with RESOURCE_EXHAUSTED beyond the limit) and, for unary calls, records the outcome in <see cref="GatewayMetrics"/>.
/// The Deliver pass-through (bidirectional) is not limited, as in Fabric.
/// </summary>
internal sealed class GatewayCallInterceptor(ConcurrencyLimiter limiter, GatewayMetrics metrics) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        var code = StatusCode.OK;
        try
        {
            using var slot = limiter.Enter();
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            code = ex.StatusCode;
            throw;
        }
        finally
        {
            metrics.Completed(MethodName(context.Method), code, Stopwatch.GetElapsedTime(started));
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var slot = limiter.Enter();
        await continuation(request, responseStream, context).ConfigureAwait(false);
    }

    /// <summary><c>/gateway.Gateway/Evaluate</c> → <c>Evaluate</c>.</summary>
    private static string MethodName(string path) => path[(path.LastIndexOf('/') + 1)..];
}
