using ZonCoin.Ledger.Blocks;
using ZonCoin.Protos.Common;

namespace ZonCoin.Ledger.State;

/// <summary>
/// Start-up replay: brings a state database up to the block store. The contract: the peer appends a block to the
/// block store (fsync'd) before it applies the block's writes to the state database, so on start the state
/// database's <see cref="IStateDatabase.Savepoint"/> is at most the block store's last block, and the blocks after
/// it are replayed (re-using each block's stored TRANSACTIONS_FILTER, not re-validating signatures).
/// </summary>
public static class StateDatabaseRecovery
{
    /// <summary>
    /// The block numbers to replay: from the block after <paramref name="savepoint"/> (block 0 when null) up to
    /// <paramref name="blockStoreHeight"/> - 1; empty when the state database is up to date.
    /// </summary>
    /// <exception cref="StateDatabaseException">The state database is ahead of the block store (the block store lost
    /// blocks, or the wrong files are paired): rebuild the state database from the blocks.</exception>
    public static (ulong First, ulong Count) BlocksToReplay(Version? savepoint, ulong blockStoreHeight)
    {
        var first = savepoint is { } s ? s.BlockNumber + 1 : 0;
        if (first > blockStoreHeight)
        {
            throw new StateDatabaseException($"The state database's savepoint {savepoint} is ahead of the block store (height {blockStoreHeight}); rebuild the state database from the blocks.")
            {
                Savepoint = savepoint,
            };
        }
        return (first, blockStoreHeight - first);
    }

    /// <summary>
    /// Applies every block of <paramref name="blocks"/> after the savepoint of <paramref name="database"/>, in order,
    /// each as the batch <paramref name="prepare"/> builds for it (the committer's own code path, fed with the block's
    /// stored validation flags). Returns how many blocks were replayed.
    /// </summary>
    public static ulong Replay(IStateDatabase database, BlockStore blocks, Func<Block, UpdateBatch> prepare, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(prepare);
        var (first, count) = BlocksToReplay(database.Savepoint, blocks.Height);
        for (var number = first; number < first + count; number++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var block = blocks.GetBlock(number);
            database.ApplyBlock(number, prepare(block));
        }
        return count;
    }
}
