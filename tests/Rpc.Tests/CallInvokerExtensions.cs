
namespace ZonCoin.Rpc.Tests;

/// <summary>The four call kinds on a <see cref="CallInvoker"/> without the host argument the tests never set.</summary>
internal static class CallInvokerExtensions
{
    public static AsyncUnaryCall<TResponse> Unary<TRequest, TResponse>(this CallInvoker invoker, Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class
        where TResponse : class => invoker.AsyncUnaryCall(method, null, options, request);

    public static AsyncServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse>(this CallInvoker invoker, Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class
        where TResponse : class => invoker.AsyncServerStreamingCall(method, null, options, request);

    public static AsyncClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(this CallInvoker invoker, Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class
        where TResponse : class => invoker.AsyncClientStreamingCall(method, null, options);

    public static AsyncDuplexStreamingCall<TRequest, TResponse> Duplex<TRequest, TResponse>(this CallInvoker invoker, Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class
        where TResponse : class => invoker.AsyncDuplexStreamingCall(method, null, options);
}
