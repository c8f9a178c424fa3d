using ZonCoin.Protos.Peer;

namespace ZonCoin.Gateway.Client;

/// <summary>
/// Opt-in retry of transactions that lose a read conflict (MVCC_READ_CONFLICT, PHANTOM_READ_CONFLICT), or whose
/// endorsements disagreed only because the endorsing peers had not yet committed the same blocks (the gateway's
/// "ProposalResponsePayloads do not match" on every failing peer, the endorse-time face of the same race): the
/// transaction is endorsed again as a new proposal (new transaction id) and resubmitted, after an exponential
/// backoff with full jitter. Other failures are never retried.
/// </summary>
public sealed record ConflictRetryPolicy
{
    /// <summary>Attempts in total, the first included (at least 1).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The backoff cap before the second attempt; it doubles for each further attempt.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The largest backoff cap.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>True for the validation codes this policy retries.</summary>
    public static bool IsRetryable(TxValidationCode code) =>
        code is TxValidationCode.MvccReadConflict or TxValidationCode.PhantomReadConflict;

    /// <summary>True for an endorsement that failed only because the endorsers' results disagreed.</summary>
    public static bool IsRetryable(EndorseException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Details.Count > 0 && exception.Details.All(d => d.Message == PayloadMismatch);
    }

    /// <summary>The gateway's (and Fabric's) detail for an endorsement whose result differs from the first one's.</summary>
    public const string PayloadMismatch = "ProposalResponsePayloads do not match";

    /// <summary>
    /// The delay before retry number <paramref name="retry"/> (1 before the second attempt): full jitter,
    /// <paramref name="random"/> in [0, 1) times min(MaxDelay, BaseDelay · 2^(retry − 1)).
    /// </summary>
    internal TimeSpan Backoff(int retry, double random)
    {
        var cap = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 30));
        cap = Math.Min(cap, MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(Math.Max(0, cap * random));
    }

    internal void Validate()
    {
        if (MaxAttempts < 1)
        {
            throw new ArgumentException($"MaxAttempts must be at least 1, got {MaxAttempts}");
        }
        if (BaseDelay < TimeSpan.Zero || MaxDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("BaseDelay and MaxDelay must not be negative");
        }
    }
}
