using System.Threading.Channels;
using Grpc.Core;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Orderer;
using Status = Grpc.Core.Status;

namespace ZonCoin.Rpc.Services;

/// <summary>
/// One open <c>/orderer.AtomicBroadcast/Broadcast</c> stream, pipelined: <see cref="SendAsync"/> writes an
/// envelope and returns a task for its own response, so callers can keep many envelopes in flight. The orderer
/// answers in order, so responses are matched first-in first-out; concurrent senders are serialised for the write
/// only. A failed write ends the session (every waiting sender gets the failure), since the order could no longer
/// be trusted; <see cref="IsBroken"/> then tells a pool to open a new one.
/// </summary>
public sealed class BroadcastSession : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<Envelope, BroadcastResponse> _call;
    private readonly Channel<TaskCompletionSource<BroadcastResponse>> _waiting =
        Channel.CreateUnbounded<TaskCompletionSource<BroadcastResponse>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Task _reader;

    public BroadcastSession(CallInvoker invoker, CallOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        _call = invoker.AsyncDuplexStreamingCall(AtomicBroadcastService.Broadcast, null, options);
        _reader = Task.Run(ReadResponsesAsync);
    }

    /// <summary>Sends an envelope; the task completes with the orderer's answer to it.</summary>
    public async Task<BroadcastResponse> SendAsync(Envelope envelope, CancellationToken cancellationToken = default)
    {
        var response = new TaskCompletionSource<BroadcastResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_waiting.Writer.TryWrite(response))
            {
                throw new InvalidOperationException("the broadcast stream has ended");
            }
            try
            {
                // Not the caller's token: a write abandoned half-way would leave its waiter without an envelope.
                await _call.RequestStream.WriteAsync(envelope, CancellationToken.None).ConfigureAwait(false);
            }
            catch
            {
                _call.Dispose();
                throw;
            }
        }
        finally
        {
            _writeLock.Release();
        }
        return await response.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True once the stream has ended or failed: no more envelopes can be sent on it.</summary>
    public bool IsBroken => _reader.IsCompleted;

    /// <summary>Half-closes the stream and waits for outstanding answers.</summary>
    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            try
            {
                await _call.RequestStream.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or RpcException)
            {
                // The call has already ended (the server closed it, or it failed and Grpc.Net.Client disposed it):
                // there is nothing left to half-close.
            }
            await _reader.ConfigureAwait(false);
        }
        finally
        {
            _call.Dispose();
            _writeLock.Release();
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
