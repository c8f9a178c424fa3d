namespace ZonCoin.Ledger.Blocks;

/// <summary>Settings of a <see cref="BlockStore"/>.</summary>
public sealed class BlockStoreOptions
{
    /// <summary>
    /// Size at which a segment file is closed and the next one started. A block whose frame does not fit in the
    /// rest of the current segment starts a new one; a single block larger than this gets a segment of its own.
    /// </summary>
    public long MaxSegmentBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>
    /// Whether every append is flushed to stable storage (fsync of the segment, then of the index) before
    /// <see cref="BlockStore.Append"/> returns. Only tests and throwaway stores should turn this off.
    /// </summary>
    public bool Fsync { get; init; } = true;

    /// <summary>
    /// Whether <see cref="BlockStore.Open"/> reads every frame of every segment and checks its checksum, instead of
    /// trusting the persisted index and verifying only the tail. Slow on large ledgers; for audits and tools.
    /// </summary>
    public bool VerifyOnOpen { get; init; }

    /// <summary>How many of the most recent blocks' bytes are kept in memory for readers of the tip.</summary>
    public int RecentBlockCacheSize { get; init; } = 16;
}
