using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ZonCoin.Protos.Gateway;
using ZonCoin.Rpc.Server;
using ZonCoin.Rpc.Tests.Echo;

namespace ZonCoin.Rpc.Tests;

/// <summary>The test service's method descriptors and a server implementation of them.</summary>
internal static class EchoService
{
    public const string Name = "zoncoin.test.Echo";

    public static readonly Method<EchoRequest, EchoResponse> Unary = new(MethodType.Unary, Name, "Unary");
    public static readonly Method<EchoRequest, EchoResponse> ServerStream = new(MethodType.ServerStreaming, Name, "ServerStream");
    public static readonly Method<EchoRequest, EchoResponse> ClientStream = new(MethodType.ClientStreaming, Name, "ClientStream");
    public static readonly Method<EchoRequest, EchoResponse> Bidi = new(MethodType.DuplexStreaming, Name, "Bidi");

    /// <summary>Registers the handlers; <paramref name="observer"/> learns how each call ended on the server.</summary>
    public static void Register(RpcServiceRegistry registry, CallObserver observer)
    {
        registry.AddMethod(Unary, async (request, context) =>
        {
            using var _ = observer.Track(context);
            await Behave(request, context).ConfigureAwait(false);
            foreach (var header in context.RequestHeaders.Where(h => h.Key.StartsWith("echo-", StringComparison.Ordinal)))
            {
                context.ResponseTrailers.Add(header);
            }
            return new EchoResponse { Text = request.Text, Payload = request.Payload };
        });
        registry.AddMethod(ServerStream, async (request, responses, context) =>
        {
            using var _ = observer.Track(context);
            for (var i = 0; i < request.Repeat; i++)
            {
                await responses.WriteAsync(new EchoResponse { Text = request.Text, Payload = request.Payload, Index = i }).ConfigureAwait(false);
            }
            await Behave(request, context).ConfigureAwait(false);
        });
        registry.AddMethod(ClientStream, async (requests, context) =>
        {
            using var _ = observer.Track(context);
            var count = 0;
            long bytes = 0;
            await foreach (var request in requests.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                count++;
                bytes += request.Payload.Length;
                await Behave(request, context).ConfigureAwait(false);
            }
            return new EchoResponse { Count = count, TotalBytes = bytes };
        });
        registry.AddMethod(Bidi, async (requests, responses, context) =>
        {
            using var _ = observer.Track(context);
            var index = 0;
            await foreach (var request in requests.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                await Behave(request, context).ConfigureAwait(false);
                await responses.WriteAsync(new EchoResponse { Text = request.Text, Payload = request.Payload, Index = index++ }).ConfigureAwait(false);
            }
        });
    }

    private static async Task Behave(EchoRequest request, ServerCallContext context)
    {
        if (request.DelayMs > 0)
        {
            await Task.Delay(request.DelayMs, context.CancellationToken).ConfigureAwait(false);
        }
        if (request.Text == "throw")
        {
            throw new InvalidOperationException("secret internal detail");
        }
        if (request.FailCode != 0)
        {
            var details = request.FailWithDetail
                ? new[] { Any.Pack(new ErrorDetail { Address = "peer0.org1:7051", MspId = "Org1MSP", Message = request.FailMessage }) }
                : [];
            throw new RpcException((StatusCode)request.FailCode, request.FailMessage, details);
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
