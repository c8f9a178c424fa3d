using System.Text.Json;

namespace ZonCoin.Rpc.Tests;

/// <summary>
/// The official Node gRPC client (@grpc/grpc-js) against our server over real loopback sockets (h2c):
/// tests/interop/tools/grpc-client.js runs one scenario, asserts what it received and prints it as JSON, which
/// is asserted again here together with what our server saw.
/// </summary>
[Collection(GrpcJsInteropGroup.Name)]
public sealed class GrpcJsClientInteropTests : IAsyncLifetime
{
    /// <summary>The same text as NON_ASCII_MESSAGE in grpc-client.js.</summary>
    internal const string NonAsciiMessage = "chaincode response 500, ZonCoin solde insuffisant: ∑ < 10 — ошибка 100%\tdone 🚀";

    private static readonly TimeSpan EventWait = TimeSpan.FromSeconds(60);

    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Unary_call_succeeds()
    {
        var result = await RunAsync("unary");
        Assert.Equal(0, Code(result));
        Assert.Equal("hi", result.GetProperty("text").GetString());
        Assert.Equal(Convert.ToBase64String([7, 8]), result.GetProperty("payload").GetString());
    }

    [Fact]
    public async Task Server_streaming_delivers_ten_thousand_messages_in_order()
    {
        var result = await RunAsync("server-stream");
        Assert.Equal(0, Code(result));
        Assert.Equal(10_000, result.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Client_streaming_of_ten_thousand_messages_is_counted()
    {
        var result = await RunAsync("client-stream");
        Assert.Equal(10_000, result.GetProperty("count").GetInt32());
        Assert.Equal(30_000, result.GetProperty("totalBytes").GetInt64());
    }

    [Fact]
    public async Task Bidirectional_ping_pong()
    {
        var result = await RunAsync("bidi");
        Assert.Equal(0, Code(result));
        Assert.Equal(100, result.GetProperty("rounds").GetInt32());
    }

    [Fact]
    public async Task A_twenty_megabyte_message_goes_both_ways()
    {
        var result = await RunAsync("large");
        Assert.Equal(0, Code(result));
        Assert.Equal(20 * 1024 * 1024, result.GetProperty("sent").GetInt32());
        Assert.Equal(20 * 1024 * 1024, result.GetProperty("received").GetInt32());
        Assert.Equal(result.GetProperty("sentSha256").GetString(), result.GetProperty("receivedSha256").GetString());
    }

    [Fact]
    public async Task A_deadline_that_expires_gives_deadline_exceeded_and_cancels_the_handler()
    {
        var result = await RunAsync("deadline");
        Assert.Equal((int)StatusCode.DeadlineExceeded, Code(result));
        Assert.True(await _server.Observer.HandlerCancelled.WaitAsync(EventWait));
    }

    [Fact]
    public async Task Cancelling_mid_stream_cancels_the_server_handler()
    {
        var result = await RunAsync("cancel");
        Assert.Equal((int)StatusCode.Cancelled, Code(result));
        Assert.Equal(1, result.GetProperty("received").GetInt32());
        Assert.True(await _server.Observer.HandlerCancelled.WaitAsync(EventWait));
    }

    [Fact]
    public async Task Cancelling_a_server_stream_while_the_handler_writes_cancels_the_handler()
    {
        var result = await RunAsync("cancel-server-stream");
        Assert.Equal((int)StatusCode.Cancelled, Code(result));
        Assert.True(await _server.Observer.HandlerCancelled.WaitAsync(EventWait));
    }

    [Fact]
    public async Task A_non_ascii_status_message_arrives_exactly()
    {
        var result = await RunAsync("non-ascii-status");
        Assert.Equal((int)StatusCode.Aborted, Code(result));
        Assert.Equal(NonAsciiMessage, result.GetProperty("details").GetString());
    }

    [Fact]
    public async Task Status_details_carry_a_gateway_error_detail()
    {
        var result = await RunAsync("status-details");
        Assert.Equal((int)StatusCode.Aborted, Code(result));
        Assert.Equal(NonAsciiMessage, result.GetProperty("details").GetString());
        Assert.Equal((int)StatusCode.Aborted, result.GetProperty("statusCode").GetInt32());
        Assert.Equal(NonAsciiMessage, result.GetProperty("statusMessage").GetString());
        Assert.Equal("type.googleapis.com/gateway.ErrorDetail", result.GetProperty("typeUrl").GetString());
        var detail = result.GetProperty("errorDetail");
        Assert.Equal("peer0.org1:7051", detail.GetProperty("address").GetString());
        Assert.Equal("Org1MSP", detail.GetProperty("mspId").GetString());
        Assert.Equal(NonAsciiMessage, detail.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Metadata_round_trips_as_ascii_and_binary()
    {
        var result = await RunAsync("metadata");
        Assert.Equal(0, Code(result));
        Assert.Equal(["hello"], Strings(result.GetProperty("echoText")));
        Assert.Equal([Convert.ToBase64String([0, 1, 2, 255]), Convert.ToBase64String([254, 0])], Strings(result.GetProperty("echoDataBin")));
        Assert.Empty(Strings(result.GetProperty("otherHeader")));
    }

    [Fact]
    public async Task An_unknown_method_is_unimplemented()
    {
        var result = await RunAsync("unimplemented");
        Assert.Equal((int)StatusCode.Unimplemented, Code(result));
        Assert.Equal("Method is unimplemented.", result.GetProperty("details").GetString());
    }

    [Fact]
    public async Task A_handler_exception_is_unknown_and_the_server_keeps_serving()
    {
        var result = await RunAsync("handler-exception");
        Assert.Equal((int)StatusCode.Unknown, Code(result));
        Assert.Equal("Exception was thrown by handler.", result.GetProperty("details").GetString());
        Assert.Equal("still serving", result.GetProperty("after").GetString());
    }

    private async Task<JsonElement> RunAsync(string scenario)
    {
        var result = await NodeTools.RunAsync("grpc-client.js", _server.Address, scenario);
        Assert.Equal(scenario, result.GetProperty("scenario").GetString());
        return result;
    }

    private static int Code(JsonElement result) => result.GetProperty("code").GetInt32();

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
