using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using ZonCoin.Orderer.Channels;
using ZonCoin.Orderer.MsgProcessor;
using ZonCoin.Protos.Common;

namespace ZonCoin.Orderer.Consensus.Solo;

/// <summary>
/// Single-node consensus: accepted messages go through a bounded queue (Broadcast waits when it is full, so
/// nothing is dropped) to one loop that re-validates stale messages, cuts blocks by size, count and the batch
/// timeout, and writes them (fsynced) before Deliver sees them. A config message cuts the pending batch and then
/// forms a block of its own.
/// </summary>
/// <remarks>
/// With adaptive cutting (the default) the loop also cuts the pending batch as soon as the queue is empty: the block
/// before is already written (the loop writes synchronously), so a lone message is a block at once, while under load
/// messages keep arriving during each write and batches grow up to the count and byte limits. The batch timeout
/// stays the upper bound for a loop that never finds the queue empty.
/// </remarks>
internal sealed partial class SoloChain : IChain
{
    private const int QueueCapacity = 10_000;

    private readonly ChainSupport _support;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _adaptiveCutting;
    // One input queue for messages and batch time-outs; the semaphore bounds the messages in it, so Broadcast
    // waits when the loop falls behind while a time-out can always get in.
    private readonly Channel<Message> _queue = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _capacity = new(QueueCapacity, QueueCapacity);
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private long _timerGeneration;
    private Task? _loop;
    private volatile string? _fault;

    public SoloChain(ChainSupport support, TimeProvider time, ILogger logger, bool adaptiveCutting = true)
    {
        _support = support ?? throw new ArgumentNullException(nameof(support));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _adaptiveCutting = adaptiveCutting;
    }

    public string? Fault => _fault;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public ValueTask OrderAsync(Envelope envelope, ulong configSequence, CancellationToken cancellationToken) =>
        EnqueueAsync(new Message(envelope, configSequence, IsConfig: false, Timeout: null), cancellationToken);

    public ValueTask ConfigureAsync(Envelope configEnvelope, ulong configSequence, CancellationToken cancellationToken) =>
        EnqueueAsync(new Message(configEnvelope, configSequence, IsConfig: true, Timeout: null), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }
        _stopping.Dispose();
        _capacity.Dispose();
    }

    private async ValueTask EnqueueAsync(Message message, CancellationToken cancellationToken)
    {
        // Stopping (or stopped: DisposeAsync cancels before it disposes the semaphore) also answers 503.
        if (_fault is not null || _stopping.IsCancellationRequested)
        {
            throw Unavailable();
        }
        if (!_capacity.Wait(0, CancellationToken.None))
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            try
            {
                await _capacity.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw Unavailable();
            }
        }
        if (!_queue.Writer.TryWrite(message))
        {
            _capacity.Release();
            throw Unavailable();
        }
    }

    private MessageRejectedException Unavailable() => new(Status.ServiceUnavailable, _fault is { } reason
        ? $"channel '{_support.ChannelId}' is not serving: {reason}"
        : $"channel '{_support.ChannelId}' is shutting down");

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var message))
                {
                    if (message.Timeout is { } generation)
                    {
                        OnTimeout(generation);
                        continue;
                    }
                    _capacity.Release();
                    Process(message);
                }
                if (_adaptiveCutting)
                {
                    // Nothing more is waiting and the block before is written: the pending batch need not wait.
                    CutPending();
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Writing a block failed (disk full, I/O error): stop taking messages rather than fork or lose them.
            _fault = $"writing blocks failed: {ex.Message}";
            _queue.Writer.TryComplete();
            await _stopping.CancelAsync().ConfigureAwait(false);
            LogChainFailed(_logger, ex, _support.ChannelId);
        }
    }

    private void Process(Message message)
    {
        var state = _support.State;
        if (message.IsConfig)
        {
            var envelope = message.Envelope;
            if (message.ConfigSequence < state.Sequence)
            {
                if (!TryRevalidate(() => _support.RevalidateConfig(envelope), out envelope))
                {
                    return;
                }
            }
            var pending = _support.Cutter.Cut();
            if (pending.Count > 0)
            {
                _support.WriteBlock(_support.CreateNextBlock(pending), ByteString.Empty);
            }
            _support.WriteConfigBlock(_support.CreateNextBlock([envelope]), ByteString.Empty);
            StopTimer();
            return;
        }
        if (message.ConfigSequence < state.Sequence && !TryRevalidate(() => { _support.Revalidate(message.Envelope); return message.Envelope; }, out _))
        {
            return;
        }
        foreach (var batch in _support.Cutter.Ordered(message.Envelope))
        {
            _support.WriteBlock(_support.CreateNextBlock(batch), ByteString.Empty);
        }
        if (_support.Cutter.HasPending)
        {
            StartTimerIfStopped();
        }
        else
        {
            StopTimer();
        }
    }

    private bool TryRevalidate(Func<Envelope> revalidate, out Envelope envelope)
    {
        try
        {
            envelope = revalidate();
            return true;
        }
        catch (MessageRejectedException ex)
        {
            LogDiscarded(_logger, _support.ChannelId, ex.Message);
            envelope = null!;
            return false;
        }
    }

    private void OnTimeout(long generation)
    {
        if (generation != Interlocked.Read(ref _timerGeneration))
        {
            return;
        }
        CutPending();
    }

    private void CutPending()
    {
        if (!_support.Cutter.HasPending)
        {
            return;
        }
        _support.WriteBlock(_support.CreateNextBlock(_support.Cutter.Cut()), ByteString.Empty);
        StopTimer();
    }

    private void StartTimerIfStopped()
    {
        if (_timer is not null)
        {
            return;
        }
        var generation = Interlocked.Increment(ref _timerGeneration);
        _timer = _time.CreateTimer(_ => _queue.Writer.TryWrite(new Message(null!, 0, IsConfig: false, generation)), null, _support.State.Batch.BatchTimeout, Timeout.InfiniteTimeSpan);
    }

    private void StopTimer()
    {
        if (_timer is null)
        {
            return;
        }
        Interlocked.Increment(ref _timerGeneration);
        _timer.Dispose();
        _timer = null;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Critical, Message = "Channel {ChannelId}: the solo chain stopped")]
    private static partial void LogChainFailed(ILogger logger, Exception exception, string channelId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Channel {ChannelId}: discarding a message that is no longer valid under the new config: {Reason}")]
    private static partial void LogDiscarded(ILogger logger, string channelId, string reason);

    /// <summary>A message to order, or (with <see cref="Timeout"/> set) the batch timer of that generation firing.</summary>
    private sealed record Message(Envelope Envelope, ulong ConfigSequence, bool IsConfig, long? Timeout);
}
