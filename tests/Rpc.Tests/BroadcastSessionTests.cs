using Google.Protobuf;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Orderer;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;
using OrdererStatus = ZonCoin.Protos.Common.Status;

namespace ZonCoin.Rpc.Tests;

/// <summary>
/// <see cref="BroadcastSession"/> against a Broadcast service that answers each envelope, in order, with its payload
/// echoed in the info: many concurrent senders on one stream each get their own answer, and a stream the server ends
/// fails every waiting sender and reports itself broken.
/// </summary>
public sealed class BroadcastSessionTests
{
    [Fact]
    public async Task Concurrent_senders_on_one_stream_each_get_the_answer_to_their_own_envelope()
    {
        await using var server = await TestServer.StartAsync(register: methods => methods.Duplex(AtomicBroadcastService.Broadcast, (_, requests, responses, context) => EchoAsync(requests, responses, context)));
        using var channel = RpcChannels.ForAddress(server.Address);
        await using var session = new BroadcastSession(channel.CreateCallInvoker());

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            var response = await session.SendAsync(new Envelope { Payload = ByteString.CopyFromUtf8($"envelope-{i}") });
            return (i, response);
        })));

        Assert.All(answers, a => Assert.Equal($"envelope-{a.i}", a.response.Info));
        Assert.False(session.IsBroken);
    }

    [Fact]
    public async Task A_stream_the_server_ends_fails_the_senders_and_is_broken()
    {
        await using var server = await TestServer.StartAsync(register: methods => methods.Duplex(AtomicBroadcastService.Broadcast, (_, requests, responses, context) => EndAfterFirstAsync(requests, responses, context)));
        using var channel = RpcChannels.ForAddress(server.Address);
        var session = new BroadcastSession(channel.CreateCallInvoker());

        var first = await session.SendAsync(new Envelope { Payload = ByteString.CopyFromUtf8("one") });
        Assert.Equal(OrdererStatus.Success, first.Status);
        await Assert.ThrowsAnyAsync<Exception>(() => session.SendAsync(new Envelope { Payload = ByteString.CopyFromUtf8("two") }));

        Assert.True(session.IsBroken);
        await session.DisposeAsync(); // ending a broken session is harmless
    }

    private static async Task EchoAsync(IAsyncStreamReader<Envelope> requests, IServerStreamWriter<BroadcastResponse> responses, ServerCallContext context)
    {
        while (await requests.MoveNext(context.CancellationToken))
        {
            await responses.WriteAsync(new BroadcastResponse { Status = OrdererStatus.Success, Info = requests.Current.Payload.ToStringUtf8() });
        }
    }

    private static async Task EndAfterFirstAsync(IAsyncStreamReader<Envelope> requests, IServerStreamWriter<BroadcastResponse> responses, ServerCallContext context)
    {
        if (await requests.MoveNext(context.CancellationToken))
        {
            await responses.WriteAsync(new BroadcastResponse { Status = OrdererStatus.Success });
        }
        throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "the orderer is going away"));
    }
}
