using ZonCoin.Protos.Common;

namespace ZonCoin.Orderer.BlockCutting;

/// <summary>
/// Fabric's block cutter: groups ordered envelopes into batches by message count and preferred byte size.
/// Deterministic (the same envelopes in the same order give the same batches), which the Kafka consenter relies
/// on: every orderer runs its own cutter over the same log. Not thread-safe; a chain's single loop owns it.
/// </summary>
/// <remarks>
/// A message is sized as <c>len(payload) + len(signature)</c>. A message that would overflow
/// <see cref="BatchSettings.PreferredMaxBytes"/> cuts the pending batch first; a message larger than that limit
/// gets a batch of its own. Reaching <see cref="BatchSettings.MaxMessageCount"/> cuts. Time-outs and config
/// messages are the caller's business (<see cref="Cut"/>).
/// </remarks>
internal sealed class BlockCutter
{
    private readonly List<Envelope> _pending = [];
    private long _pendingBytes;

    public BlockCutter(BatchSettings settings)
    {
        Settings = settings ?? throw new ArgumentNullException(nameof(settings));
    }

    /// <summary>The limits in force; a config block replaces them (the pending batch is empty then).</summary>
    public BatchSettings Settings { get; set; }

    /// <summary>True when envelopes are waiting for a cut.</summary>
    public bool HasPending => _pending.Count > 0;

    public int PendingCount => _pending.Count;

    public static long SizeOf(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return envelope.Payload.Length + envelope.Signature.Length;
    }

    /// <summary>
    /// Adds an envelope and returns the batches it completed (zero, one or two), oldest first.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<Envelope>> Ordered(Envelope envelope)
    {
        var size = SizeOf(envelope);
        if (size > Settings.PreferredMaxBytes)
        {
            return HasPending ? [Cut(), [envelope]] : [[envelope]];
        }
        List<IReadOnlyList<Envelope>>? batches = null;
        if (_pendingBytes + size > Settings.PreferredMaxBytes)
        {
            batches = [Cut()];
        }
        _pending.Add(envelope);
        _pendingBytes += size;
        if (_pending.Count >= Settings.MaxMessageCount)
        {
            (batches ??= []).Add(Cut());
        }
        return batches ?? (IReadOnlyList<IReadOnlyList<Envelope>>)[];
    }

    /// <summary>Returns the pending batch (possibly empty) and starts a new one.</summary>
    public IReadOnlyList<Envelope> Cut()
    {
        var batch = _pending.ToArray();
        _pending.Clear();
        _pendingBytes = 0;
        return batch;
    }
}
