using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace ZonCoin.Rpc.Server;

/// <summary>
/// The methods a server serves, by path. Services register their handlers here at start-up; the middleware
/// added by <c>UseRpc</c> dispatches to them.
/// </summary>
public sealed class RpcServiceRegistry
{
    private readonly Dictionary<string, Func<HttpContext, RpcServerOptions, Task>> _handlers = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Paths => _handlers.Keys;

    public RpcServiceRegistry AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        Expect(method, MethodType.Unary);
        ArgumentNullException.ThrowIfNull(handler);
        return Add(method, (http, options) => ServerCallHandler.HandleAsync(http, options, method, async (requests, _, context) =>
        {
            var request = await ReadSingleAsync(requests, context).ConfigureAwait(false);
            return await handler(request, context).ConfigureAwait(false);
        }));
    }

    public RpcServiceRegistry AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        Expect(method, MethodType.ClientStreaming);
        ArgumentNullException.ThrowIfNull(handler);
        return Add(method, (http, options) => ServerCallHandler.HandleAsync(http, options, method,
            async (requests, _, context) => await handler(requests, context).ConfigureAwait(false)));
    }

    public RpcServiceRegistry AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        Expect(method, MethodType.ServerStreaming);
        ArgumentNullException.ThrowIfNull(handler);
        return Add(method, (http, options) => ServerCallHandler.HandleAsync(http, options, method, async (requests, responses, context) =>
        {
            var request = await ReadSingleAsync(requests, context).ConfigureAwait(false);
            await handler(request, responses, context).ConfigureAwait(false);
            return null;
        }));
    }

    public RpcServiceRegistry AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        Expect(method, MethodType.DuplexStreaming);
        ArgumentNullException.ThrowIfNull(handler);
        return Add(method, (http, options) => ServerCallHandler.HandleAsync(http, options, method, async (requests, responses, context) =>
        {
            await handler(requests, responses, context).ConfigureAwait(false);
            return null;
        }));
    }

    internal bool TryGet(string path, out Func<HttpContext, RpcServerOptions, Task> handler) =>
        _handlers.TryGetValue(path, out handler!);

    private RpcServiceRegistry Add<TRequest, TResponse>(Method<TRequest, TResponse> method, Func<HttpContext, RpcServerOptions, Task> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        if (!_handlers.TryAdd(method.FullName, handler))
        {
            throw new InvalidOperationException($"method {method.FullName} is registered twice");
        }
        return this;
    }

    private static void Expect<TRequest, TResponse>(Method<TRequest, TResponse> method, MethodType type)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.Type != type)
        {
            throw new ArgumentException($"method {method.FullName} is {method.Type}, but a {type} handler was given", nameof(method));
        }
    }

    private static async Task<T> ReadSingleAsync<T>(IAsyncStreamReader<T> requests, ServerCallContext context)
    {
        if (!await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            throw new RpcException(StatusCode.Internal, "request message missing: a unary or server-streaming call needs exactly one request message");
        }
        var request = requests.Current;
        if (await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            throw new RpcException(StatusCode.Internal, "more than one request message for a unary or server-streaming call");
        }
        return request;
    }
}
