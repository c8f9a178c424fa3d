using System.IO.Pipelines;
using ZonCoin.Rpc.Server;
using ZonCoin.Rpc.Tests.Echo;

namespace ZonCoin.Rpc.Tests;

/// <summary>
/// A request stream that the client aborts (RST_STREAM, dropped connection) must look cancelled to the handler.
/// Kestrel fails the body read before it cancels RequestAborted (which it does later, from the thread pool), so
/// over real sockets this is a race; here the failing read is made deterministic.
/// </summary>
public sealed class RequestStreamReaderTests
{
    [Fact]
    public async Task An_aborted_request_body_cancels_the_call_before_the_handler_sees_it()
    {
        var pipe = new Pipe();
        await pipe.Writer.CompleteAsync(new IOException("The request stream was aborted."));
        using var call = new CancellationTokenSource();
        var reader = new RequestStreamReader<EchoRequest>(pipe.Reader, EchoRequest.Parser, 1024, call);

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.MoveNext());

        Assert.True(call.IsCancellationRequested, "the call's token is cancelled by the time the handler sees the failure");
        Assert.Equal(call.Token, error.CancellationToken);
        Assert.IsType<IOException>(error.InnerException);
    }

    [Fact]
    public async Task A_clean_end_of_the_request_stream_is_not_a_cancellation()
    {
        var pipe = new Pipe();
        await pipe.Writer.CompleteAsync();
        using var call = new CancellationTokenSource();
        var reader = new RequestStreamReader<EchoRequest>(pipe.Reader, EchoRequest.Parser, 1024, call);

        Assert.False(await reader.MoveNext());
        Assert.False(call.IsCancellationRequested);
    }
}
