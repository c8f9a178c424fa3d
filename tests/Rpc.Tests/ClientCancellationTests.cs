using Grpc.Net.Client;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Tests.Echo;

namespace ZonCoin.Rpc.Tests;

/// <summary>Our channels reset a call's HTTP/2 stream as soon as it is cancelled, not only when it is disposed.</summary>
public sealed class ClientCancellationTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _channel = RpcChannels.ForAddress(_server.Address);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Cancelling_the_token_of_a_server_stream_with_no_read_pending_cancels_the_server_handler()
    {
        using var cancel = new CancellationTokenSource();
        // Far more than fit in the flow-control windows: the handler is still writing when the call is cancelled.
        using var call = _channel.CreateCallInvoker().ServerStreaming(EchoService.ServerStream, new EchoRequest { Text = "s", Repeat = 1_000_000 },
            new CallOptions(cancellationToken: cancel.Token));
        Assert.True(await call.ResponseStream.MoveNext());
        await cancel.CancelAsync();
        // Nothing else is read, written or disposed until the handler has seen the cancellation.
        Assert.True(await _server.Observer.HandlerCancelled.WaitAsync(TimeSpan.FromSeconds(60)));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }
}
