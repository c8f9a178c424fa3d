using System.Runtime.CompilerServices;

namespace ZonCoin.Rpc.Client;

/// <summary>A unary call in flight (Grpc.Core.AsyncUnaryCall): await it for the response.</summary>
public sealed class AsyncUnaryCall<TResponse>(
    Task<TResponse> responseAsync, Task<Metadata> responseHeadersAsync, Func<Status> getStatus, Func<Metadata> getTrailers, Action dispose) : IDisposable
{
    public Task<TResponse> ResponseAsync { get; } = responseAsync;

    public Task<Metadata> ResponseHeadersAsync { get; } = responseHeadersAsync;

    public Status GetStatus() => getStatus();

    public Metadata GetTrailers() => getTrailers();

    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    /// <summary>Cancels the call if it is still running.</summary>
    public void Dispose() => dispose();
}

/// <summary>A server-streaming call in flight.</summary>
public sealed class AsyncServerStreamingCall<TResponse>(
    IAsyncStreamReader<TResponse> responseStream, Task<Metadata> responseHeadersAsync, Func<Status> getStatus, Func<Metadata> getTrailers, Action dispose) : IDisposable
{
    public IAsyncStreamReader<TResponse> ResponseStream { get; } = responseStream;

    public Task<Metadata> ResponseHeadersAsync { get; } = responseHeadersAsync;

    public Status GetStatus() => getStatus();

    public Metadata GetTrailers() => getTrailers();

    public void Dispose() => dispose();
}

/// <summary>A client-streaming call in flight: write requests, complete, then await the response.</summary>
public sealed class AsyncClientStreamingCall<TRequest, TResponse>(
    IClientStreamWriter<TRequest> requestStream, Task<TResponse> responseAsync, Task<Metadata> responseHeadersAsync,
    Func<Status> getStatus, Func<Metadata> getTrailers, Action dispose) : IDisposable
{
    public IClientStreamWriter<TRequest> RequestStream { get; } = requestStream;

    public Task<TResponse> ResponseAsync { get; } = responseAsync;

    public Task<Metadata> ResponseHeadersAsync { get; } = responseHeadersAsync;

    public Status GetStatus() => getStatus();

    public Metadata GetTrailers() => getTrailers();

    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    public void Dispose() => dispose();
}

/// <summary>A bidirectional call in flight.</summary>
public sealed class AsyncDuplexStreamingCall<TRequest, TResponse>(
    IClientStreamWriter<TRequest> requestStream, IAsyncStreamReader<TResponse> responseStream, Task<Metadata> responseHeadersAsync,
    Func<Status> getStatus, Func<Metadata> getTrailers, Action dispose) : IDisposable
{
    public IClientStreamWriter<TRequest> RequestStream { get; } = requestStream;

    public IAsyncStreamReader<TResponse> ResponseStream { get; } = responseStream;

    public Task<Metadata> ResponseHeadersAsync { get; } = responseHeadersAsync;

    public Status GetStatus() => getStatus();

    public Metadata GetTrailers() => getTrailers();

    public void Dispose() => dispose();
}
