using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Net.Client;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Tests.Echo;

namespace ZonCoin.Rpc.Tests;

/// <summary>
/// Hand-made HTTP/2 requests that break the gRPC framing rules: the server must end each with the right status
/// and keep serving well-behaved clients on the same server.
/// </summary>
public sealed class BadInputTests : IAsyncLifetime, IDisposable
{
    private const int ServerLimit = 1024;
    private const string ServerLimitMessage = "Received message exceeds the maximum configured message size.";
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private readonly HttpMessageInvoker _raw = new(new SocketsHttpHandler { UseProxy = false, UseCookies = false }, disposeHandler: true);
    private TestServer _server = null!;
    private GrpcChannel _channel = null!;
    private CallInvoker _calls = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(configure: options => options.MaxReceiveMessageSize = ServerLimit);
        _channel = RpcChannels.ForAddress(_server.Address);
        _calls = _channel.CreateCallInvoker();
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    public void Dispose() => _raw.Dispose();

    [Fact]
    public async Task A_truncated_frame_is_internal()
    {
        // grpc-go: INTERNAL "unexpected EOF".
        var body = Concat(Header(0, 100), new byte[10]);
        var (http, status, message) = await SendAsync(Grpc(body));
        Assert.Equal(HttpStatusCode.OK, http);
        Assert.Equal(StatusCode.Internal, status);
        Assert.Equal("Incomplete message.", message);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task A_truncated_frame_header_is_internal()
    {
        var (_, status, message) = await SendAsync(Grpc([0, 0, 0]));
        Assert.Equal(StatusCode.Internal, status);
        Assert.Equal("Incomplete message.", message);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task A_length_prefix_over_the_server_limit_is_resource_exhausted_without_waiting_for_the_body()
    {
        // Only the 5-byte header is sent and the request stays open: the server must answer from the prefix alone.
        using var content = new PushContent();
        using var request = Request(content);
        var send = _raw.SendAsync(request, CancellationToken.None);
        var stream = await content.Stream.WaitAsync(Guard);
        await stream.WriteAsync(Header(0, 1_000_000));
        await stream.FlushAsync();
        using var response = await send.WaitAsync(Guard);
        var (status, message) = await ReadStatusAsync(response);
        // grpc-go: "grpc: received message larger than max (1000000 vs. 1024)"; Grpc.AspNetCore names neither size.
        Assert.Equal(StatusCode.ResourceExhausted, status);
        Assert.Equal(ServerLimitMessage, message);
        content.Complete();
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task A_length_prefix_over_the_server_limit_is_resource_exhausted_when_the_stream_ends()
    {
        var (_, status, message) = await SendAsync(Grpc(Header(0, 1_000_000)));
        Assert.Equal(StatusCode.ResourceExhausted, status);
        Assert.Equal(ServerLimitMessage, message);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task A_message_just_over_the_server_limit_is_resource_exhausted_and_one_at_the_limit_is_served()
    {
        var over = await Assert.ThrowsAsync<RpcException>(async () =>
            await _calls.Unary(EchoService.Unary, new EchoRequest { Payload = ByteString.CopyFrom(new byte[ServerLimit]) }));
        Assert.Equal(StatusCode.ResourceExhausted, over.StatusCode);
        Assert.Equal(ServerLimitMessage, over.Status.Detail);

        var payload = new byte[ServerLimit - 3]; // field tag (1) + length varint (2) + payload = the limit exactly
        Assert.Equal(ServerLimit, new EchoRequest { Payload = ByteString.CopyFrom(payload) }.CalculateSize());
        var response = await _calls.Unary(EchoService.Unary, new EchoRequest { Payload = ByteString.CopyFrom(payload) });
        Assert.Equal(payload.Length, response.Payload.Length);
    }

    [Fact]
    public async Task The_default_server_limit_is_fabrics_100_mb()
    {
        await using var server = await TestServer.StartAsync();

        var (_, over, overText) = await SendAsync(Grpc(Header(0, RpcLimits.MaxMessageSize + 1)), server.Address);
        Assert.Equal(StatusCode.ResourceExhausted, over);
        Assert.Equal(ServerLimitMessage, overText);

        // At the limit the length is accepted; the body that never comes is what fails the call.
        var (_, at, atText) = await SendAsync(Grpc(Header(0, RpcLimits.MaxMessageSize)), server.Address);
        Assert.Equal(StatusCode.Internal, at);
        Assert.Equal("Incomplete message.", atText);
    }

    [Fact]
    public async Task The_default_client_send_limit_is_fabrics_100_mb()
    {
        // Tag (1 byte) + length (4 bytes) + payload: one byte over the limit. Refused before anything is sent.
        var request = new EchoRequest { Payload = UnsafeByteOperations.UnsafeWrap(new byte[RpcLimits.MaxMessageSize - 4]) };
        Assert.Equal(RpcLimits.MaxMessageSize + 1, request.CalculateSize());
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _calls.Unary(EchoService.Unary, request));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("Sending message exceeds the maximum configured message size.", error.Status.Detail);
    }

    [Fact]
    public async Task A_compressed_frame_without_grpc_encoding_is_internal()
    {
        // grpc-go answers the same code: INTERNAL "grpc: compressed flag set with identity or empty encoding".
        // (Our own layer answered UNIMPLEMENTED.)
        var message = new EchoRequest { Text = "zip" }.ToByteArray();
        var (_, status, text) = await SendAsync(Grpc(Concat(Header(1, message.Length), message)));
        Assert.Equal(StatusCode.Internal, status);
        Assert.Equal("Request did not include grpc-encoding value with compressed message.", text);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task An_invalid_compressed_flag_is_unknown()
    {
        // grpc-go: INTERNAL "grpc: received unexpected payload format 7". Grpc.AspNetCore fails the read with an
        // exception that is not a status, which it reports like a handler's exception.
        var message = new EchoRequest { Text = "x" }.ToByteArray();
        var (_, status, text) = await SendAsync(Grpc(Concat(Header(7, message.Length), message)));
        Assert.Equal(StatusCode.Unknown, status);
        Assert.Equal("Exception was thrown by handler.", text);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task A_gzip_compressed_frame_is_decompressed()
    {
        // Grpc.AspNetCore accepts gzip (and deflate), as grpc-go does when its gzip codec is registered.
        var message = new EchoRequest { Text = "zip" }.ToByteArray();
        var compressed = Gzip(message);
        using var request = Request(Grpc(Concat(Header(1, compressed.Length), compressed)));
        request.Headers.TryAddWithoutValidation("grpc-encoding", "gzip");
        using var response = await _raw.SendAsync(request, CancellationToken.None).WaitAsync(Guard);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync().WaitAsync(Guard);
        Assert.Equal(0, body[0]);
        Assert.Equal("zip", EchoResponse.Parser.ParseFrom(body.AsSpan(5)).Text);
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task A_frame_compressed_with_an_unsupported_grpc_encoding_is_unimplemented()
    {
        // As the gRPC compression spec asks (and grpc-go): UNIMPLEMENTED, naming what the server supports.
        var message = new EchoRequest { Text = "zip" }.ToByteArray();
        using var request = Request(Grpc(Concat(Header(1, message.Length), message)));
        request.Headers.TryAddWithoutValidation("grpc-encoding", "snappy");
        using var response = await _raw.SendAsync(request, CancellationToken.None).WaitAsync(Guard);
        var (status, text) = await ReadStatusAsync(response);
        Assert.Equal(StatusCode.Unimplemented, status);
        Assert.Equal("Unsupported grpc-encoding value 'snappy'. Supported encodings: identity, gzip, deflate", text);
        Assert.Equal("identity,gzip,deflate", response.Headers.GetValues("grpc-accept-encoding").Single());
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task A_wrong_content_type_is_http_415_with_internal_status()
    {
        var message = new EchoRequest { Text = "plain" }.ToByteArray();
        var content = new ByteArrayContent(Concat(Header(0, message.Length), message));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        var (http, status, text) = await SendAsync(content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, http);
        Assert.Equal(StatusCode.Internal, status);
        Assert.Equal("Content-Type 'text/plain' is not supported.", text);
        await AssertStillServesAsync();
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task A_method_other_than_post_is_http_404_and_never_reaches_the_handler(string method)
    {
        // A well-formed gRPC request in every other respect: until RpcServiceBinder gave its endpoints the POST-only
        // metadata Grpc.AspNetCore's own binder gives, it ran the handler and answered OK. Routing now answers a plain
        // 404, as for Grpc.AspNetCore's generated services (a gRPC client reads it as UNIMPLEMENTED); grpc-go answers
        // 405 with grpc-status INTERNAL. Fabric's clients always POST.
        var message = new EchoRequest { Text = "not posted" }.ToByteArray();
        using var request = Request(Grpc(Concat(Header(0, message.Length), message)));
        request.Method = new HttpMethod(method);
        using var response = await _raw.SendAsync(request, CancellationToken.None).WaitAsync(Guard);
        var body = await response.Content.ReadAsByteArrayAsync().WaitAsync(Guard);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(body);
        Assert.False(response.Headers.Contains("grpc-status"));
        Assert.False(response.TrailingHeaders.Contains("grpc-status"));
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Garbage_protobuf_in_a_well_formed_frame_is_internal()
    {
        // Field 1 (text) claims 5 bytes but only one follows.
        byte[] garbage = [0x0A, 0x05, 0x61];
        var (http, status, message) = await SendAsync(Grpc(Concat(Header(0, garbage.Length), garbage)));
        Assert.Equal(HttpStatusCode.OK, http);
        Assert.Equal(StatusCode.Internal, status);
        var parseError = Assert.Throws<InvalidProtocolBufferException>(() => EchoRequest.Parser.ParseFrom(garbage)).Message;
        Assert.Equal($"grpc: error unmarshalling request: {parseError}", message);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task An_empty_body_for_a_unary_call_is_internal()
    {
        // grpc-go: INTERNAL "cardinality violation: received no request message from non-client-streaming RPC".
        var (_, status, message) = await SendAsync(Grpc([]));
        Assert.Equal(StatusCode.Internal, status);
        Assert.Equal("Incomplete message.", message);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Two_messages_for_a_unary_call_are_internal()
    {
        var message = new EchoRequest { Text = "twice" }.ToByteArray();
        var frame = Concat(Header(0, message.Length), message);
        var (_, status, text) = await SendAsync(Grpc(Concat(frame, frame)));
        Assert.Equal(StatusCode.Internal, status);
        Assert.Equal("Additional data after the message received.", text);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task A_well_formed_raw_request_succeeds()
    {
        // The control case: the same raw client, a correct frame.
        var message = new EchoRequest { Text = "raw" }.ToByteArray();
        using var request = Request(Grpc(Concat(Header(0, message.Length), message)));
        using var response = await _raw.SendAsync(request, CancellationToken.None).WaitAsync(Guard);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync().WaitAsync(Guard);
        Assert.Equal(0, body[0]);
        Assert.Equal(body.Length - 5, (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1)));
        Assert.Equal("raw", EchoRequest.Parser.ParseFrom(body.AsSpan(5)).Text);
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_message_does_not_hurt_the_server()
    {
        for (var i = 0; i < 5; i++)
        {
            using var cancel = new CancellationTokenSource();
            using var content = new PushContent();
            using var request = Request(content);
            var send = _raw.SendAsync(request, cancel.Token);
            var stream = await content.Stream.WaitAsync(Guard);
            await stream.WriteAsync(Concat(Header(0, 100), new byte[10]));
            await stream.FlushAsync();
            await cancel.CancelAsync();
            content.Abort();
            var error = await Record.ExceptionAsync(() => send.WaitAsync(Guard));
            Assert.True(error is OperationCanceledException or HttpRequestException, error?.ToString() ?? "the request succeeded");
        }
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_bidi_message_does_not_hurt_the_server()
    {
        using var cancel = new CancellationTokenSource();
        using var content = new PushContent();
        using var request = Request(content, EchoService.Bidi.FullName);
        var send = _raw.SendAsync(request, cancel.Token);
        var stream = await content.Stream.WaitAsync(Guard);
        var first = new EchoRequest { Text = "first" }.ToByteArray();
        await stream.WriteAsync(Concat(Header(0, first.Length), first, Header(0, 100), new byte[10]));
        await stream.FlushAsync();
        using (var response = await send.WaitAsync(Guard))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStreamAsync();
            var echoed = new byte[5 + first.Length];
            await body.ReadExactlyAsync(echoed).AsTask().WaitAsync(Guard);
            Assert.Equal("first", EchoResponse.Parser.ParseFrom(echoed.AsSpan(5)).Text);
            await cancel.CancelAsync();
            content.Abort();
        }
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task The_client_refuses_a_response_over_its_own_limit()
    {
        using var small = RpcChannels.ForAddress(_server.Address, new RpcChannelOptions { MaxReceiveMessageSize = 100 });
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await small.CreateCallInvoker().Unary(EchoService.Unary, new EchoRequest { Payload = ByteString.CopyFrom(new byte[500]) }));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("Received message exceeds the maximum configured message size.", error.Status.Detail);
        Assert.Equal("small", (await small.CreateCallInvoker().Unary(EchoService.Unary, new EchoRequest { Text = "small" })).Text);

        using var stream = small.CreateCallInvoker().ServerStreaming(EchoService.ServerStream, new EchoRequest { Repeat = 3, Payload = ByteString.CopyFrom(new byte[500]) });
        var streamed = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.ResourceExhausted, streamed.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, stream.GetStatus().StatusCode);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task The_client_refuses_to_send_a_message_over_its_own_limit()
    {
        using var small = RpcChannels.ForAddress(_server.Address, new RpcChannelOptions { MaxSendMessageSize = 100 });
        // The call fails when awaited (our own client threw as the call started).
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await small.CreateCallInvoker().Unary(EchoService.Unary, new EchoRequest { Payload = ByteString.CopyFrom(new byte[500]) }));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("Sending message exceeds the maximum configured message size.", error.Status.Detail);
        await AssertStillServesAsync();
    }

    private async Task AssertStillServesAsync()
    {
        var response = await _calls.Unary(EchoService.Unary, new EchoRequest { Text = "still serving" }).ResponseAsync.WaitAsync(Guard);
        Assert.Equal("still serving", response.Text);
        using var call = _calls.Duplex(EchoService.Bidi);
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "bidi" });
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Guard));
        Assert.Equal("bidi", call.ResponseStream.Current.Text);
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext().WaitAsync(Guard));
    }

    private HttpRequestMessage Request(HttpContent content, string? path = null, string? address = null) =>
        new(HttpMethod.Post, new Uri(new Uri(address ?? _server.Address), path ?? EchoService.Unary.FullName))
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Content = content,
        Headers = { { "te", "trailers" } },
    };

    private async Task<(HttpStatusCode Http, StatusCode Status, string Message)> SendAsync(HttpContent content, string? address = null)
    {
        using var request = Request(content, address: address);
        using var response = await _raw.SendAsync(request, CancellationToken.None).WaitAsync(Guard);
        var (status, message) = await ReadStatusAsync(response);
        return (response.StatusCode, status, message);
    }

    /// <summary>The grpc-status from the headers (trailers-only) or, after the body, from the trailers.</summary>
    private static async Task<(StatusCode Status, string Message)> ReadStatusAsync(HttpResponseMessage response)
    {
        var headers = (HttpHeaders)response.Headers;
        if (!response.Headers.Contains("grpc-status"))
        {
            await response.Content.ReadAsByteArrayAsync().WaitAsync(Guard);
            headers = response.TrailingHeaders;
        }
        var code = int.Parse(headers.GetValues("grpc-status").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var message = headers.TryGetValues("grpc-message", out var values) ? Uri.UnescapeDataString(values.Single()) : "";
        return ((StatusCode)code, message);
    }

    private static ByteArrayContent Grpc(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        return content;
    }

    private static byte[] Header(byte flag, int length)
    {
        var header = new byte[5];
        header[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), (uint)length);
        return header;
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    /// <summary>A request body the test writes into while the request is in flight.</summary>
    private sealed class PushContent : HttpContent
    {
        private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public PushContent()
        {
            Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        }

        public Task<Stream> Stream => _stream.Task;

        public void Complete() => _done.TrySetResult();

        public void Abort() => _done.TrySetException(new IOException("request body aborted by the test"));

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            _stream.TrySetResult(stream);
            using (cancellationToken.Register(() => _done.TrySetCanceled(cancellationToken)))
            {
                await _done.Task.ConfigureAwait(false);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
