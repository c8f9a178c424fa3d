using System.Collections.Concurrent;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Gateway.Channels;

/// <summary>A committed transaction's validation code, its block, and the SHA-256 of its creator (serialized identity).</summary>
internal sealed record CommitResult(TxValidationCode Code, ulong BlockNumber, byte[] CreatorHash)
{
    /// <summary>True when <paramref name="identity"/> (a serialized identity) created the transaction.</summary>
    public bool CreatedBy(ReadOnlySpan<byte> identity) => System.Security.Cryptography.SHA256.HashData(identity).AsSpan().SequenceEqual(CreatorHash);
}

/// <summary>
/// Commit results of one channel as the gateway sees blocks commit: a bounded memory of recent results (the first
/// copy of a txid wins, as in the ledger) and waiters for transactions still to commit. A waiter registers before
/// the caller looks the transaction up elsewhere, so a commit between the two is never missed.
/// </summary>
internal sealed class CommitNotifier
{
    private readonly ConcurrentDictionary<string, CommitResult> _recent = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private readonly ConcurrentDictionary<string, Waiter> _waiters = new(StringComparer.Ordinal);
    private readonly int _capacity;

    public CommitNotifier(int capacity = 200_000)
    {
        _capacity = capacity;
    }

    /// <summary>Records a committed transaction and wakes its waiters.</summary>
    public void Committed(string txId, CommitResult result)
    {
        if (string.IsNullOrEmpty(txId) || !_recent.TryAdd(txId, result))
        {
            return;
        }
        _order.Enqueue(txId);
        while (_recent.Count > _capacity && _order.TryDequeue(out var oldest))
        {
            _recent.TryRemove(oldest, out _);
        }
        if (_waiters.TryGetValue(txId, out var waiter))
        {
            waiter.Completion.TrySetResult(result);
        }
    }

    /// <summary>The result if the gateway saw the transaction commit recently.</summary>
    public CommitResult? Find(string txId) => _recent.GetValueOrDefault(txId);

    /// <summary>
    /// Registers interest in a transaction: the returned registration completes when it commits. Dispose it when
    /// no longer waiting.
    /// </summary>
    public Registration Register(string txId)
    {
        while (true)
        {
            var waiter = _waiters.GetOrAdd(txId, _ => new Waiter());
            lock (waiter)
            {
                if (waiter.Count >= 0)
                {
                    waiter.Count++;
                    if (_recent.TryGetValue(txId, out var done))
                    {
                        waiter.Completion.TrySetResult(done);
                    }
                    return new Registration(this, txId, waiter);
                }
            }
            // The waiter was retired by its last registration meanwhile; take a fresh one.
        }
    }

    /// <summary>Transactions with registered waiters (for tests and metrics).</summary>
    public int WaiterCount => _waiters.Count;

    private void Release(string txId, Waiter waiter)
    {
        lock (waiter)
        {
            if (--waiter.Count > 0)
            {
                return;
            }
            waiter.Count = -1;
            _waiters.TryRemove(new KeyValuePair<string, Waiter>(txId, waiter));
        }
    }

    internal sealed class Waiter
    {
        public TaskCompletionSource<CommitResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Live registrations; -1 once retired.</summary>
        public int Count { get; set; }
    }

    /// <summary>One caller's interest in a transaction's commit.</summary>
    internal sealed class Registration : IDisposable
    {
        private readonly CommitNotifier _owner;
        private readonly string _txId;
        private readonly Waiter _waiter;
        private int _disposed;

        public Registration(CommitNotifier owner, string txId, Waiter waiter)
        {
            _owner = owner;
            _txId = txId;
            _waiter = waiter;
        }

        public Task<CommitResult> Committed => _waiter.Completion.Task;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _owner.Release(_txId, _waiter);
            }
        }
    }
}
