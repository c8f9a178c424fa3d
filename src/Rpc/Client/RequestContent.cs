using System.Net;

namespace ZonCoin.Rpc.Client;

/// <summary>
/// A request body written over time: HttpClient hands us its HTTP/2 stream, the call writes frames into it, and
/// completing the content half-closes the request.
/// </summary>
internal sealed class RequestContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RequestContent()
    {
        Headers.TryAddWithoutValidation("Content-Type", Protocol.GrpcProtocol.ContentType);
    }

    public Task<Stream> StreamAsync => _stream.Task;

    public void Complete() => _complete.TrySetResult();

    public void Abort(Exception error)
    {
        _stream.TrySetException(error);
        _complete.TrySetException(error);
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, CancellationToken.None).ConfigureAwait(false);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // Send the request headers now: a call whose server speaks first (a chaincode's REGISTER on Connect, a
        // Deliver stream opened before its request) must reach the server before the client writes anything.
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        _stream.TrySetResult(stream);
        using (cancellationToken.Register(() => _complete.TrySetCanceled(cancellationToken)))
        {
            await _complete.Task.ConfigureAwait(false);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
