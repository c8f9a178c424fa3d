using Google.Protobuf;
using Grpc.Net.Client;
using ZonCoin.Protos.Gateway;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;
using ZonCoin.Rpc.Tests.Echo;

namespace ZonCoin.Rpc.Tests;

/// <summary>
/// Our client against the official Node gRPC server (@grpc/grpc-js) over real loopback sockets (h2c):
/// tests/interop/tools/grpc-server.js serves the Echo test service with the same semantics as <see cref="EchoService"/>.
/// </summary>
[Collection(GrpcJsInteropGroup.Name)]
public sealed class GrpcJsServerInteropTests : IAsyncLifetime
{
    private static readonly TimeSpan EventWait = TimeSpan.FromSeconds(60);

    private NodeGrpcServer _server = null!;
    private GrpcChannel _channel = null!;
    private CallInvoker _calls = null!;

    public async Task InitializeAsync()
    {
        _server = await NodeGrpcServer.StartAsync();
        _channel = RpcChannels.ForAddress(_server.Address);
        _calls = _channel.CreateCallInvoker();
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Unary_call_succeeds_and_is_not_counted_as_cancelled()
    {
        using var call = _calls.Unary(EchoService.Unary, new EchoRequest { Text = "hi", Payload = ByteString.CopyFrom(7, 8) });
        var response = await call;
        Assert.Equal("hi", response.Text);
        Assert.Equal(new byte[] { 7, 8 }, response.Payload.ToByteArray());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("0", await CancelledCountAsync());
    }

    [Fact]
    public async Task Server_streaming_delivers_ten_thousand_messages_in_order()
    {
        using var call = _calls.ServerStreaming(EchoService.ServerStream, new EchoRequest { Text = "n", Repeat = 10_000 });
        var expected = 0;
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            Assert.Equal(expected++, response.Index);
            Assert.Equal("n", response.Text);
        }
        Assert.Equal(10_000, expected);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Client_streaming_of_ten_thousand_messages_is_counted()
    {
        using var call = _calls.ClientStreaming(EchoService.ClientStream);
        for (var i = 0; i < 10_000; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFrom(1, 2, 3) });
        }
        await call.RequestStream.CompleteAsync();
        var response = await call;
        Assert.Equal(10_000, response.Count);
        Assert.Equal(30_000, response.TotalBytes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Bidirectional_ping_pong()
    {
        using var call = _calls.Duplex(EchoService.Bidi);
        for (var i = 0; i < 100; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = $"m{i}" });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal($"m{i}", call.ResponseStream.Current.Text);
            Assert.Equal(i, call.ResponseStream.Current.Index);
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task A_twenty_megabyte_message_goes_both_ways()
    {
        var payload = new byte[20 * 1024 * 1024];
        new Random(42).NextBytes(payload);
        var response = await _calls.Unary(EchoService.Unary, new EchoRequest { Text = "large", Payload = ByteString.CopyFrom(payload) });
        Assert.Equal(payload.Length, response.Payload.Length);
        Assert.True(payload.AsSpan().SequenceEqual(response.Payload.Span), "the 20 MB payload comes back unchanged");
    }

    [Fact]
    public async Task A_deadline_that_expires_gives_deadline_exceeded_and_cancels_the_handler()
    {
        // Connect and warm the server up first, and leave it time to start the handler: a deadline that expires
        // before the handler starts leaves no handler to cancel.
        Assert.Equal("warm-up", (await _calls.Unary(EchoService.Unary, new EchoRequest { Text = "warm-up" })).Text);
        using var call = _calls.Unary(EchoService.Unary, new EchoRequest { Text = "slow", DelayMs = 120_000 },
            new CallOptions(deadline: DateTime.UtcNow.AddSeconds(2)));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        await AssertHandlerCancelledAsync();
    }

    [Fact]
    public async Task Cancelling_mid_stream_cancels_the_server_handler()
    {
        using var cancel = new CancellationTokenSource();
        using var call = _calls.Duplex(EchoService.Bidi, new CallOptions(cancellationToken: cancel.Token));
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "first" });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal("first", call.ResponseStream.Current.Text);
        await cancel.CancelAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await AssertHandlerCancelledAsync();
    }

    [Fact]
    public async Task Cancelling_a_server_stream_while_the_handler_writes_cancels_the_handler()
    {
        using var cancel = new CancellationTokenSource();
        // Far more than fit in the flow-control windows: the handler is still writing when the call is cancelled.
        using var call = _calls.ServerStreaming(EchoService.ServerStream, new EchoRequest { Text = "s", Repeat = 1_000_000 },
            new CallOptions(cancellationToken: cancel.Token));
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(0, call.ResponseStream.Current.Index);
        await cancel.CancelAsync();
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext())
            {
            }
        });
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await AssertHandlerCancelledAsync();
    }

    [Fact]
    public async Task A_non_ascii_status_message_arrives_exactly()
    {
        var call = _calls.Unary(EchoService.Unary, new EchoRequest { FailCode = (int)StatusCode.Aborted, FailMessage = GrpcJsClientInteropTests.NonAsciiMessage });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal(GrpcJsClientInteropTests.NonAsciiMessage, error.Status.Detail);
        Assert.Empty(error.GetDetails());
    }

    [Fact]
    public async Task Status_details_carry_a_gateway_error_detail()
    {
        var call = _calls.Unary(EchoService.Unary, new EchoRequest
        {
            FailCode = (int)StatusCode.Aborted,
            FailMessage = GrpcJsClientInteropTests.NonAsciiMessage,
            FailWithDetail = true,
        });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal(GrpcJsClientInteropTests.NonAsciiMessage, error.Status.Detail);
        var any = Assert.Single(error.GetDetails());
        Assert.Equal("type.googleapis.com/gateway.ErrorDetail", any.TypeUrl);
        var detail = any.Unpack<ErrorDetail>();
        Assert.Equal("peer0.org1:7051", detail.Address);
        Assert.Equal("Org1MSP", detail.MspId);
        Assert.Equal(GrpcJsClientInteropTests.NonAsciiMessage, detail.Message);
    }

    [Fact]
    public async Task Errors_after_some_streamed_messages_arrive_as_trailers()
    {
        using var call = _calls.ServerStreaming(EchoService.ServerStream,
            new EchoRequest { Repeat = 3, FailCode = (int)StatusCode.PermissionDenied, FailMessage = "no" });
        var received = 0;
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext())
            {
                received++;
            }
        });
        Assert.Equal(3, received);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("no", error.Status.Detail);
    }

    [Fact]
    public async Task Metadata_round_trips_as_ascii_and_binary()
    {
        var headers = new Metadata
        {
            { "echo-text", "hello" },
            { "echo-data-bin", new byte[] { 0, 1, 2, 255 } },
            { "echo-data-bin", new byte[] { 254, 0 } },
            { "other-header", "not echoed" },
        };
        using var call = _calls.Unary(EchoService.Unary, new EchoRequest { Text = "md" }, new CallOptions(headers));
        Assert.Equal("md", (await call).Text);
        var trailers = call.GetTrailers();
        Assert.Equal(["hello"], trailers.Where(e => e.Key == "echo-text").Select(e => e.Value));
        Assert.Equal([[0, 1, 2, 255], [254, 0]], trailers.Where(e => e.Key == "echo-data-bin").Select(e => e.ValueBytes));
        Assert.Null(trailers.Get("other-header"));
    }

    [Fact]
    public async Task An_unknown_method_is_unimplemented()
    {
        var unknown = RpcMethods.Create<EchoRequest, EchoResponse>(MethodType.Unary, EchoService.Name, "Nope");
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _calls.Unary(unknown, new EchoRequest()));
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Contains("/zoncoin.test.Echo/Nope", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_handler_error_is_internal_and_the_server_keeps_serving()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await _calls.Unary(EchoService.Unary, new EchoRequest { Text = "throw" }));
        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal("Exception was thrown by handler.", error.Status.Detail);
        Assert.Equal("ok", (await _calls.Unary(EchoService.Unary, new EchoRequest { Text = "ok" })).Text);
    }

    /// <summary>How many handlers the Node server saw cancelled before they ended their call.</summary>
    private async Task<string> CancelledCountAsync() =>
        (await _calls.Unary(EchoService.Unary, new EchoRequest { Text = "cancelled-count" })).Text;

    /// <summary>Waits (bounded by a generous deadline) until the Node server has seen a handler cancelled.</summary>
    private async Task AssertHandlerCancelledAsync()
    {
        try
        {
            var count = (await _calls.Unary(EchoService.Unary, new EchoRequest { Text = "await-cancelled" },
                new CallOptions(deadline: DateTime.UtcNow + EventWait))).Text;
            Assert.Equal("1", count);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.DeadlineExceeded)
        {
            Assert.Fail($"the grpc-js server saw no cancelled handler within {EventWait.TotalSeconds} s; its stderr:\n{_server.Errors}");
        }
    }
}
