using Google.Protobuf.WellKnownTypes;
using ZonCoin.Protos.Gateway;
using ZonCoin.Rpc.Server;
using ZonCoin.Rpc.Services;
using ZonCoin.Rpc.Tests.Echo;

namespace ZonCoin.Rpc.Tests;

/// <summary>
/// The test service (tests/interop/protos/echo.proto): its method descriptors, declared as Fabric's are, and the
/// handlers a <see cref="TestServer"/> binds; <see cref="CallObserver"/> learns how each call ended on the server.
/// </summary>
internal sealed class EchoService(CallObserver observer)
{
    public const string Name = "zoncoin.test.Echo";

    public static readonly Method<EchoRequest, EchoResponse> Unary = RpcMethods.Create<EchoRequest, EchoResponse>(MethodType.Unary, Name, "Unary");
    public static readonly Method<EchoRequest, EchoResponse> ServerStream = RpcMethods.Create<EchoRequest, EchoResponse>(MethodType.ServerStreaming, Name, "ServerStream");
    public static readonly Method<EchoRequest, EchoResponse> ClientStream = RpcMethods.Create<EchoRequest, EchoResponse>(MethodType.ClientStreaming, Name, "ClientStream");
    public static readonly Method<EchoRequest, EchoResponse> Bidi = RpcMethods.Create<EchoRequest, EchoResponse>(MethodType.DuplexStreaming, Name, "Bidi");

    public static void Bind(RpcServiceBinder<EchoService> methods) => methods
        .Unary(Unary, (service, request, context) => service.UnaryAsync(request, context))
        .ServerStreaming(ServerStream, (service, request, responses, context) => service.ServerStreamAsync(request, responses, context))
        .ClientStreaming(ClientStream, (service, requests, context) => service.ClientStreamAsync(requests, context))
        .Duplex(Bidi, (service, requests, responses, context) => service.BidiAsync(requests, responses, context));

    private async Task<EchoResponse> UnaryAsync(EchoRequest request, ServerCallContext context)
    {
        using var _ = observer.Track(context);
        await Behave(request, context);
        EchoHeaders(context);
        return new EchoResponse { Text = request.Text, Payload = request.Payload };
    }

    /// <summary>
    /// Copies the request's <c>echo-*</c> header fields to the trailers, one entry per field. Read from the HTTP request
    /// rather than <see cref="ServerCallContext.RequestHeaders"/>: Grpc.AspNetCore 2.85 joins a binary key sent more than
    /// once (as grpc-js and grpc-go send each value) with ',' and then fails to base64-decode it.
    /// </summary>
    private static void EchoHeaders(ServerCallContext context)
    {
        foreach (var (key, values) in context.GetHttpContext().Request.Headers.Where(h => h.Key.StartsWith("echo-", StringComparison.OrdinalIgnoreCase)))
        {
            foreach (var value in values)
            {
                if (key.EndsWith(Metadata.BinaryHeaderSuffix, StringComparison.OrdinalIgnoreCase))
                {
                    context.ResponseTrailers.Add(key, Convert.FromBase64String(Padded(value!)));
                }
                else
                {
                    context.ResponseTrailers.Add(key, value!);
                }
            }
        }
    }

    /// <summary>gRPC sends binary values as base64 without padding.</summary>
    private static string Padded(string base64) => base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');

    private async Task ServerStreamAsync(EchoRequest request, IServerStreamWriter<EchoResponse> responses, ServerCallContext context)
    {
        using var _ = observer.Track(context);
        for (var i = 0; i < request.Repeat; i++)
        {
            await responses.WriteAsync(new EchoResponse { Text = request.Text, Payload = request.Payload, Index = i });
        }
        await Behave(request, context);
    }

    private async Task<EchoResponse> ClientStreamAsync(IAsyncStreamReader<EchoRequest> requests, ServerCallContext context)
    {
        using var _ = observer.Track(context);
        var count = 0;
        long bytes = 0;
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            count++;
            bytes += request.Payload.Length;
            await Behave(request, context);
        }
        return new EchoResponse { Count = count, TotalBytes = bytes };
    }

    private async Task BidiAsync(IAsyncStreamReader<EchoRequest> requests, IServerStreamWriter<EchoResponse> responses, ServerCallContext context)
    {
        using var _ = observer.Track(context);
        var index = 0;
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            await Behave(request, context);
            await responses.WriteAsync(new EchoResponse { Text = request.Text, Payload = request.Payload, Index = index++ });
        }
    }

    private static async Task Behave(EchoRequest request, ServerCallContext context)
    {
        if (request.DelayMs > 0)
        {
            await Task.Delay(request.DelayMs, context.CancellationToken);
        }
        if (request.Text == "throw")
        {
            throw new InvalidOperationException("secret internal detail");
        }
        if (request.FailCode != 0)
        {
            Any[] details = request.FailWithDetail
                ? [Any.Pack(new ErrorDetail { Address = "peer0.org1:7051", MspId = "Org1MSP", Message = request.FailMessage })]
                : [];
            throw RpcStatusDetails.Create((StatusCode)request.FailCode, request.FailMessage, details);
        }
    }
}

/// <summary>Records, per call, whether the handler saw its cancellation token fire.</summary>
internal sealed class CallObserver
{
    private readonly TaskCompletionSource<bool> _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with true when a tracked handler's token is cancelled.</summary>
    public Task<bool> HandlerCancelled => _cancelled.Task;

    public IDisposable Track(ServerCallContext context) =>
        context.CancellationToken.Register(() => _cancelled.TrySetResult(true));
}
