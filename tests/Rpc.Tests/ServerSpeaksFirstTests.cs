using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;
using ZonCoin.Rpc.Tests.Echo;

namespace ZonCoin.Rpc.Tests;

/// <summary>
/// Duplex calls where the server sends first and the client writes nothing (a chaincode's REGISTER on
/// <c>/protos.Chaincode/Connect</c>): the client must put the call on the wire as soon as it starts.
/// </summary>
public sealed class ServerSpeaksFirstTests
{
    private static readonly Method<EchoRequest, EchoResponse> Greet = RpcMethods.Create<EchoRequest, EchoResponse>(MethodType.DuplexStreaming, "echo.Echo", "Greet");

    [Fact]
    public async Task A_duplex_call_reaches_the_server_before_the_client_writes()
    {
        await using var server = await TestServer.StartAsync(register: methods => methods.Duplex(Greet, async (_, requests, responses, context) =>
        {
            await responses.WriteAsync(new EchoResponse { Text = "hello first" });
            while (await requests.MoveNext(context.CancellationToken))
            {
            }
        }));
        using var channel = RpcChannels.ForAddress(server.Address);
        var calls = channel.CreateCallInvoker();
        for (var i = 0; i < 20; i++)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using var call = calls.Duplex(Greet, new CallOptions(cancellationToken: timeout.Token));
            Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
            Assert.Equal("hello first", call.ResponseStream.Current.Text);
            await call.RequestStream.CompleteAsync();
            Assert.False(await call.ResponseStream.MoveNext(timeout.Token));
        }
    }
}
