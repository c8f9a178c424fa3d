using Google.Protobuf;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;
using ZonCoin.Rpc.Tests.Echo;

namespace ZonCoin.Rpc.Tests;

/// <summary>
/// <see cref="RpcMethods"/>' protobuf marshallers on the standard client and server: a message that does not decode
/// fails the call with INTERNAL and grpc-go's words, on whichever side decodes it.
/// </summary>
public sealed class MarshallerTests
{
    /// <summary>Field 1 (text) claims 5 bytes but only one follows.</summary>
    private static readonly byte[] Garbage = [0x0A, 0x05, 0x61];

    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(bytes => bytes, bytes => bytes);

    /// <summary>Served: answers any request with <see cref="Garbage"/>.</summary>
    private static readonly Method<EchoRequest, byte[]> GarbageOut = new(MethodType.Unary, "zoncoin.test.Raw", "Garbage", ProtobufMarshallers.Request<EchoRequest>(), Raw);

    /// <summary>Called: the same method as our clients declare it.</summary>
    private static readonly Method<EchoRequest, EchoResponse> GarbageIn = RpcMethods.Create<EchoRequest, EchoResponse>(MethodType.Unary, "zoncoin.test.Raw", "Garbage");

    /// <summary>Called: the echo service's unary method, sending raw bytes.</summary>
    private static readonly Method<byte[], EchoResponse> RawUnary = new(MethodType.Unary, EchoService.Name, "Unary", Raw, ProtobufMarshallers.Response<EchoResponse>());

    [Fact]
    public async Task A_request_that_does_not_decode_is_internal_with_grpc_go_words()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = RpcChannels.ForAddress(server.Address);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await channel.CreateCallInvoker().Unary(RawUnary, Garbage));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal($"grpc: error unmarshalling request: {ParseError()}", error.Status.Detail);
    }

    [Fact]
    public async Task A_response_that_does_not_decode_is_internal_with_grpc_go_words()
    {
        await using var server = await TestServer.StartAsync(register: methods => methods.Unary(GarbageOut, (_, _, _) => Task.FromResult(Garbage)));
        using var channel = RpcChannels.ForAddress(server.Address);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await channel.CreateCallInvoker().Unary(GarbageIn, new EchoRequest()));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal($"grpc: failed to unmarshal the received message: {ParseError()}", error.Status.Detail);
    }

    private static string ParseError() => Assert.Throws<InvalidProtocolBufferException>(() => EchoRequest.Parser.ParseFrom(Garbage)).Message;
}
