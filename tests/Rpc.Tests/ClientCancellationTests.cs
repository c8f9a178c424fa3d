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
        // The handler writes one message, then waits on its token far longer than the test runs: only a reset stream
        // ends it. (A handler writing many small messages can finish before the client cancels: the client's
        // growing HTTP/2 receive window and the server's buffers hold megabytes.)
        using var call = _channel.CreateCallInvoker().ServerStreaming(EchoService.ServerStream, new EchoRequest { Text = "s", Repeat = 1, DelayMs = 600_000 },
            new CallOptions(cancellationToken: cancel.Token));
        Assert.True(await call.ResponseStream.MoveNext());
        await cancel.CancelAsync();
        // Nothing else is read, written or disposed until the handler has seen the cancellation.
        Assert.True(await _server.Observer.HandlerCancelled.WaitAsync(TimeSpan.FromSeconds(60)));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }
}
