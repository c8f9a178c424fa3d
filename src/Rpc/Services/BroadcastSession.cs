using System.Threading.Channels;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Orderer;
using ZonCoin.Rpc.Client;

namespace ZonCoin.Rpc.Services;

/// <summary>
/// One open <c>/orderer.AtomicBroadcast/Broadcast</c> stream, pipelined: <see cref="SendAsync"/> writes an
/// envelope and returns a task for its own response, so a caller can keep many envelopes in flight. The orderer
/// answers in order, so responses are matched first-in first-out. Not for concurrent <see cref="SendAsync"/>
/// callers; open one stream per sender.
/// </summary>
public sealed class BroadcastSession : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<Envelope, BroadcastResponse> _call;
    private readonly Channel<TaskCompletionSource<BroadcastResponse>> _waiting =
        Channel.CreateUnbounded<TaskCompletionSource<BroadcastResponse>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Task _reader;

    public BroadcastSession(RpcChannel channel, CallOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        _call = channel.AsyncDuplexStreamingCall(AtomicBroadcastService.Broadcast, options);
        _reader = Task.Run(ReadResponsesAsync);
    }

    /// <summary>Sends an envelope; the task completes with the orderer's answer to it.</summary>
    public async Task<BroadcastResponse> SendAsync(Envelope envelope, CancellationToken cancellationToken = default)
    {
        var response = new TaskCompletionSource<BroadcastResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_waiting.Writer.TryWrite(response))
        {
            throw new InvalidOperationException("the broadcast stream has ended");
        }
        await _call.RequestStream.WriteAsync(envelope, cancellationToken).ConfigureAwait(false);
        return await response.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Half-closes the stream and waits for outstanding answers.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _call.RequestStream.CompleteAsync().ConfigureAwait(false);
            await _reader.ConfigureAwait(false);
        }
        finally
        {
            _call.Dispose();
        }
    }

    private async Task ReadResponsesAsync()
    {
        Exception? failure = null;
        try
        {
            while (await _call.ResponseStream.MoveNext().ConfigureAwait(false))
            {
                if (_waiting.Reader.TryRead(out var waiter))
                {
                    waiter.TrySetResult(_call.ResponseStream.Current);
                }
            }
        }
        catch (Exception ex) when (ex is RpcException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            failure = ex;
        }
        _waiting.Writer.TryComplete();
        var ended = failure ?? new RpcException(new Status(StatusCode.Unavailable, "the orderer ended the broadcast stream"));
        while (_waiting.Reader.TryRead(out var waiter))
        {
            waiter.TrySetException(ended);
        }
    }
}
