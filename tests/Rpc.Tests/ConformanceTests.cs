using System.Globalization;
using Google.Protobuf;
using Grpc.Net.Client;
using ZonCoin.Protos.Gateway;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;
using ZonCoin.Rpc.Tests.Echo;

namespace ZonCoin.Rpc.Tests;

/// <summary>Our client (a channel from <see cref="RpcChannels"/>) against our server over real loopback sockets (h2c).</summary>
public sealed class ConformanceTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private GrpcChannel _channel = null!;
    private CallInvoker _calls = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _channel = RpcChannels.ForAddress(_server.Address);
        _calls = _channel.CreateCallInvoker();
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Unary_round_trips_message_and_metadata()
    {
        var headers = new Metadata { { "echo-text", "hello" }, { "echo-data-bin", new byte[] { 0, 1, 2, 255 } } };
        using var call = _calls.Unary(EchoService.Unary, new EchoRequest { Text = "hi", Payload = ByteString.CopyFrom(7, 8) }, new CallOptions(headers));
        var response = await call;
        Assert.Equal("hi", response.Text);
        Assert.Equal(new byte[] { 7, 8 }, response.Payload.ToByteArray());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("hello", call.GetTrailers().GetValue("echo-text"));
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, call.GetTrailers().GetValueBytes("echo-data-bin"));
    }

    [Fact]
    public async Task Server_streaming_delivers_ten_thousand_messages_in_order()
    {
        using var call = _calls.ServerStreaming(EchoService.ServerStream, new EchoRequest { Text = "n", Repeat = 10_000 });
        var expected = 0;
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            Assert.Equal(expected++, response.Index);
        }
        Assert.Equal(10_000, expected);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Client_streaming_counts_every_message()
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
    }

    [Fact]
    public async Task Bidirectional_streams_interleave()
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
        var response = await _calls.Unary(EchoService.Unary, new EchoRequest { Payload = ByteString.CopyFrom(payload) });
        Assert.Equal(payload, response.Payload.ToByteArray());
    }

    [Theory]
    [InlineData(40)]
    [InlineData(99)]
    public async Task A_unary_request_of_tens_of_megabytes_is_served_up_to_fabrics_limit(int megabytes)
    {
        // Fabric's limit is 100 MB (a chaincode package travels in one ProcessProposal); Kestrel alone would cap a
        // request body at 30 MB, since Grpc.AspNetCore lifts that cap for streamed requests only.
        var payload = new byte[megabytes * 1024 * 1024];
        new Random(megabytes).NextBytes(payload);
        var response = await _calls.Unary(EchoService.Unary, new EchoRequest { Payload = UnsafeByteOperations.UnsafeWrap(payload) });
        Assert.True(payload.AsSpan().SequenceEqual(response.Payload.Span), "the payload comes back unchanged");
    }

    [Fact]
    public async Task A_deadline_that_expires_gives_deadline_exceeded_and_cancels_the_handler()
    {
        // Connect and warm the server up first, and leave it time to start the handler: under load, a 300 ms
        // deadline could expire before a cold server even started it, leaving no handler to cancel.
        Assert.Equal("warm-up", (await _calls.Unary(EchoService.Unary, new EchoRequest { Text = "warm-up" })).Text);
        var call = _calls.Unary(EchoService.Unary, new EchoRequest { DelayMs = 120_000 }, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(2)));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.True(await _server.Observer.HandlerCancelled.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Cancelling_mid_stream_cancels_the_server_handler()
    {
        using var cancel = new CancellationTokenSource();
        using var call = _calls.Duplex(EchoService.Bidi, new CallOptions(cancellationToken: cancel.Token));
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "first" });
        Assert.True(await call.ResponseStream.MoveNext());
        await cancel.CancelAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.True(await _server.Observer.HandlerCancelled.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Errors_carry_non_ascii_messages_and_error_details()
    {
        const string message = "chaincode response 500, ZonCoin solde insuffisant: ∑ < 10 — ошибка";
        var call = _calls.Unary(EchoService.Unary, new EchoRequest { FailCode = (int)StatusCode.Aborted, FailMessage = message, FailWithDetail = true });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal(message, error.Status.Detail);
        var detail = Assert.Single(error.GetDetails()).Unpack<ErrorDetail>();
        Assert.Equal("Org1MSP", detail.MspId);
        Assert.Equal(message, detail.Message);
    }

    [Fact]
    public async Task Errors_after_some_streamed_messages_arrive_as_trailers()
    {
        using var call = _calls.ServerStreaming(EchoService.ServerStream, new EchoRequest { Repeat = 3, FailCode = (int)StatusCode.PermissionDenied, FailMessage = "no" });
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
    public async Task An_unknown_method_is_unimplemented()
    {
        // grpc-go words it "unknown method Nope for service zoncoin.test.Echo"; clients act on the code only.
        var unknown = RpcMethods.Create<EchoRequest, EchoResponse>(MethodType.Unary, EchoService.Name, "Nope");
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _calls.Unary(unknown, new EchoRequest()));
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Equal("Method is unimplemented.", error.Status.Detail);
    }

    [Fact]
    public async Task An_unknown_service_is_unimplemented()
    {
        var unknown = RpcMethods.Create<EchoRequest, EchoResponse>(MethodType.Unary, "zoncoin.test.Nowhere", "Unary");
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _calls.Unary(unknown, new EchoRequest()));
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Equal("Service is unimplemented.", error.Status.Detail);
    }

    [Fact]
    public async Task A_handler_exception_is_unknown_without_details_and_the_server_keeps_serving()
    {
        // As grpc-go, an error that is not a status is UNKNOWN; unlike grpc-go, the exception's text stays on the server.
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await _calls.Unary(EchoService.Unary, new EchoRequest { Text = "throw" }));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("Exception was thrown by handler.", error.Status.Detail);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(error.Trailers, t => t.Key == RpcStatusDetails.TrailerName);
        Assert.Equal("ok", (await _calls.Unary(EchoService.Unary, new EchoRequest { Text = "ok" })).Text);
    }

    [Fact]
    public async Task A_server_that_is_not_there_is_unavailable()
    {
        using var nowhere = RpcChannels.ForAddress("http://127.0.0.1:1");
        var error = await Assert.ThrowsAsync<RpcException>(async () => await nowhere.CreateCallInvoker().Unary(EchoService.Unary, new EchoRequest()));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task Many_concurrent_calls_share_the_channel()
    {
        var calls = Enumerable.Range(0, 300).Select(async i =>
            (await _calls.Unary(EchoService.Unary, new EchoRequest { Text = i.ToString(CultureInfo.InvariantCulture), DelayMs = 20 })).Text);
        var results = await Task.WhenAll(calls);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => i.ToString(CultureInfo.InvariantCulture)), results);
    }
}
