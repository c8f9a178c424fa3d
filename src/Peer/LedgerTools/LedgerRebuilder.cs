using System.Diagnostics;
using ZonCoin.Peer.Channels;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.LedgerTools;

/// <summary>What <see cref="LedgerRebuilder.Rebuild"/> did.</summary>
/// <param name="State">The state database rebuilt: the SQLite file's full path, or which PostgreSQL schema.</param>
/// <param name="Blocks">Blocks in the block store, all applied.</param>
/// <param name="Transactions">Transactions in those blocks.</param>
/// <param name="ValidTransactions">Those their TRANSACTIONS_FILTER marks valid: the ones applied.</param>
/// <param name="Elapsed">How long the rebuild took.</param>
/// <param name="StoreRepaired">Whether opening the block store repaired its tail or index.</param>
public sealed record LedgerRebuild(string State, ulong Blocks, ulong Transactions, ulong ValidTransactions, TimeSpan Elapsed, bool StoreRepaired);

/// <summary>
/// Recreates a channel's state database (state, history, savepoint) from its block store (Fabric's
/// <c>peer node rebuild-dbs</c> for one channel; <c>zoncoin ledger rebuild</c>): deletes the database (the SQLite
/// file and its WAL files, or the channel's PostgreSQL schema, as the peer does before joining), then lets the
/// peer's committer recover every block onto an empty database, applying the transactions each block's
/// TRANSACTIONS_FILTER marks valid. The block store's lock makes it refuse while a peer runs (and the PostgreSQL
/// writer lock while a peer has the channel's state open).
/// </summary>
public static class LedgerRebuilder
{
    /// <param name="dataDirectory">The peer's data folder (<c>Peer:DataDirectory</c>, holding <c>chains/</c> and <c>state/</c>).</param>
    /// <param name="channelId">The channel.</param>
    /// <param name="state">The peer's state database settings.</param>
    /// <exception cref="InvalidOperationException">There is no block store for the channel, or it is in use.</exception>
    /// <exception cref="ArgumentException">An unknown state database, or postgres without a connection string.</exception>
    public static LedgerRebuild Rebuild(string dataDirectory, string channelId, StateDatabaseSettings state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Kind == StateDatabaseSettings.Postgres && string.IsNullOrWhiteSpace(state.PostgresConnectionString))
        {
            throw new ArgumentException("a postgres state database needs a connection string (the peer's Peer:PostgresConnectionString)", nameof(state));
        }
        var provider = state.Provider(dataDirectory);
        var started = Stopwatch.GetTimestamp();
        var store = ChannelLedger.OpenExistingStore(dataDirectory, channelId);
        string stateName;
        ulong transactions = 0, valid = 0;
        try
        {
            if (store.Height == 0)
            {
                throw new InvalidOperationException($"the block store of channel '{channelId}' holds no blocks");
            }
            if (state.Kind == StateDatabaseSettings.Postgres)
            {
                stateName = $"the PostgreSQL state database of channel {channelId}";
            }
            else
            {
                stateName = Path.GetFullPath(ChannelLedger.SqliteStatePath(dataDirectory, channelId));
                File.Delete(stateName + "-journal");
            }
            provider.Delete(channelId);
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
        }
        catch
        {
            store.Dispose();
            throw;
        }
        var (height, repaired) = (store.Height, !store.Recovery.WasClean);
        // The channel recovers the blocks after the (absent) savepoint onto the empty database, and owns both stores
        // from here on.
        ChannelLedger.Open(channelId, store, provider).Dispose();
        return new LedgerRebuild(stateName, height, transactions, valid, Stopwatch.GetElapsedTime(started), repaired);
    }
}
