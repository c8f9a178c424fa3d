using System.Diagnostics;
using ZonCoin.Ledger.State.Sqlite;
using ZonCoin.Peer.Channels;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Cli.Ledger;

/// <summary>What <see cref="LedgerRebuilder.Rebuild"/> did.</summary>
internal sealed record LedgerRebuild(string StatePath, ulong Blocks, ulong Transactions, ulong ValidTransactions, TimeSpan Elapsed, bool StoreRepaired);

/// <summary>
/// Recreates a channel's state database (state, history, savepoint) from its block store
/// (<c>zoncoin ledger rebuild</c>): deletes the database and its WAL files, then lets the peer's committer recover
/// every block onto an empty database, applying the transactions each block's TRANSACTIONS_FILTER marks valid.
/// The block store's lock makes it refuse while a peer runs.
/// </summary>
internal static class LedgerRebuilder
{
    /// <exception cref="InvalidOperationException">There is no block store for the channel, or it is in use.</exception>
    public static LedgerRebuild Rebuild(string dataDirectory, string channelId)
    {
        var started = Stopwatch.GetTimestamp();
        var store = LedgerVerifier.OpenExisting(dataDirectory, channelId);
        try
        {
            if (store.Height == 0)
            {
                throw new InvalidOperationException($"the block store of channel '{channelId}' holds no blocks");
            }
            var statePath = Path.GetFullPath(LedgerVerifier.StatePath(dataDirectory, channelId));
            foreach (var file in new[] { statePath, statePath + "-wal", statePath + "-shm", statePath + "-journal" })
            {
                File.Delete(file);
            }
            ulong transactions = 0, valid = 0;
            for (var number = 0UL; number < store.Height; number++)
            {
                var block = store.GetBlock(number);
                var filter = block.Metadata.Metadata.Count > (int)BlockMetadataIndex.TransactionsFilter
                    ? block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter].Span
                    : [];
                transactions += (ulong)block.Data.Data.Count;
                foreach (var code in filter)
                {
                    valid += code == (byte)TxValidationCode.Valid ? 1UL : 0UL;
                }
            }
            var state = SqliteStateDatabase.Open(statePath);
            PeerChannel channel;
            try
            {
                // PeerChannel recovers the blocks after the (absent) savepoint onto the empty database, and owns both
                // stores from here on.
                channel = new PeerChannel(channelId, store, state);
            }
            catch
            {
                state.Dispose();
                throw;
            }
            channel.Dispose();
            var repaired = !store.Recovery.WasClean;
            return new LedgerRebuild(statePath, store.Height, transactions, valid, Stopwatch.GetElapsedTime(started), repaired);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }
}
