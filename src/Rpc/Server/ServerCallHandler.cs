using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ZonCoin.Rpc.Protocol;

namespace ZonCoin.Rpc.Server;

/// <summary>Runs one call: checks the request, sets up deadline and cancellation, runs the handler, ends with a status.</summary>
internal static partial class ServerCallHandler
{
    public delegate Task<TResponse?> CallBody<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requests, IServerStreamWriter<TResponse> responses, ServerCallContext context);

    public static async Task HandleAsync<TRequest, TResponse>(HttpContext http, RpcServerOptions options, Method<TRequest, TResponse> method, CallBody<TRequest, TResponse> body)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var logger = http.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("ZonCoin.Rpc.Server") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        var writer = new ResponseWriter(http, options.MaxSendMessageSize);
        if (RejectRequest(http) is { } rejection)
        {
            await writer.CompleteAsync(rejection, new Metadata(), []).ConfigureAwait(false);
            return;
        }
        PrepareForStreaming(http);
        http.Response.ContentType = GrpcProtocol.ContentType;

        var deadline = DateTime.MaxValue;
        using var deadlineSource = new CancellationTokenSource();
        if (GrpcProtocol.TryParseTimeout(http.Request.Headers[GrpcProtocol.TimeoutHeader], out var timeout))
        {
            deadline = timeout >= DateTime.MaxValue - DateTime.UtcNow ? DateTime.MaxValue : DateTime.UtcNow + timeout;
            if (deadline != DateTime.MaxValue)
            {
                deadlineSource.CancelAfter(timeout);
            }
        }
        // Shutting down ends long-lived streams (Deliver, Broadcast) at once instead of waiting for clients to leave.
        var stopping = http.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using var callSource = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, deadlineSource.Token, stopping);
        var context = new ServerCallContext(http, method.FullName, deadline, ReadMetadata(http.Request.Headers), writer, callSource.Token);
        var requests = new RequestStreamReader<TRequest>(http.Request.BodyReader, method.RequestParser, options.MaxReceiveMessageSize, callSource);
        var responses = new ResponseStreamWriter<TResponse>(writer, callSource);

        var handlerTask = RunHandlerAsync(body, requests, responses, context, writer);
        var deadlineTask = Task.Delay(Timeout.Infinite, deadlineSource.Token);
        var finished = await Task.WhenAny(handlerTask, deadlineTask).ConfigureAwait(false);
        if (finished != handlerTask)
        {
            await writer.CompleteAsync(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), new Metadata(), []).ConfigureAwait(false);
            // The handler's token is cancelled and its writes now fail. Wait for it to return: the request's
            // HttpContext must not be used by a handler after this middleware has finished.
            var (_, _, _, lateFailure) = await handlerTask.ConfigureAwait(false);
            if (lateFailure is not null and not InvalidOperationException)
            {
                LogHandlerFailed(logger, method.FullName, lateFailure);
            }
            return;
        }

        var (status, trailers, details, exception) = await handlerTask.ConfigureAwait(false);
        if (exception is not null)
        {
            LogHandlerFailed(logger, method.FullName, exception);
        }
        if (http.RequestAborted.IsCancellationRequested)
        {
            return; // the client is gone: nobody to tell
        }
        if (deadlineSource.IsCancellationRequested && status.StatusCode is StatusCode.Cancelled or StatusCode.Internal or StatusCode.Unknown)
        {
            status = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }
        else if (stopping.IsCancellationRequested && status.StatusCode is StatusCode.Cancelled or StatusCode.Internal or StatusCode.Unknown)
        {
            status = new Status(StatusCode.Unavailable, "the server is shutting down");
        }
        foreach (var entry in context.ResponseTrailers)
        {
            trailers.Add(entry);
        }
        await writer.CompleteAsync(status, trailers, details).ConfigureAwait(false);
    }

    private static async Task<(Status Status, Metadata Trailers, IReadOnlyList<Google.Protobuf.WellKnownTypes.Any> Details, Exception? Unexpected)> RunHandlerAsync<TRequest, TResponse>(
        CallBody<TRequest, TResponse> body,
        IAsyncStreamReader<TRequest> requests,
        IServerStreamWriter<TResponse> responses,
        ServerCallContext context,
        ResponseWriter writer)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        try
        {
            var response = await body(requests, responses, context).ConfigureAwait(false);
            if (response is not null && context.Status.StatusCode == StatusCode.OK)
            {
                await writer.WriteMessageAsync(response, context.CancellationToken).ConfigureAwait(false);
            }
            return (context.Status, new Metadata(), [], null);
        }
        catch (RpcException ex)
        {
            return (ex.Status, ex.Trailers, ex.Details, null);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            return (new Status(StatusCode.Cancelled, "call cancelled"), new Metadata(), [], null);
        }
        catch (Exception ex) when (ex is IOException or Microsoft.AspNetCore.Connections.ConnectionResetException && context.CancellationToken.IsCancellationRequested)
        {
            return (new Status(StatusCode.Cancelled, "client disconnected"), new Metadata(), [], null);
        }
        catch (Exception ex)
        {
            return (new Status(StatusCode.Internal, "Exception was thrown by handler."), new Metadata(), [], ex);
        }
    }

    private static Status? RejectRequest(HttpContext http)
    {
        var request = http.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return new Status(StatusCode.Internal, $"method {request.Method} is not supported; gRPC uses POST");
        }
        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return new Status(StatusCode.Internal, $"Content-Type '{request.ContentType}' is not supported; use application/grpc");
        }
        http.Response.ContentType = GrpcProtocol.ContentType;
        var encoding = request.Headers[GrpcProtocol.EncodingHeader].ToString();
        if (encoding.Length > 0 && !string.Equals(encoding, "identity", StringComparison.OrdinalIgnoreCase))
        {
            http.Response.Headers[GrpcProtocol.AcceptEncodingHeader] = "identity";
            return new Status(StatusCode.Unimplemented, $"message encoding '{encoding}' is not supported; this server accepts identity only");
        }
        return null;
    }

    private static void PrepareForStreaming(HttpContext http)
    {
        // gRPC calls stream for as long as they like and carry up to the configured message size.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } maxBody)
        {
            maxBody.MaxRequestBodySize = null;
        }
        if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minRequestRate)
        {
            minRequestRate.MinDataRate = null;
        }
        if (http.Features.Get<IHttpMinResponseDataRateFeature>() is { } minResponseRate)
        {
            minResponseRate.MinDataRate = null;
        }
    }

    private static Metadata ReadMetadata(IHeaderDictionary headers) =>
        GrpcProtocol.FromHeaders(headers.Select(h => KeyValuePair.Create(h.Key, (IEnumerable<string?>)h.Value)));

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "RPC handler for {Method} threw")]
    private static partial void LogHandlerFailed(ILogger logger, string method, Exception exception);
}
