using System.Diagnostics;
using ZonCoin.Peer.Channels;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Cli.Ledger;

/// <summary>What <see cref="LedgerRebuilder.Rebuild"/> did.</summary>
internal sealed record LedgerRebuild(string State, ulong Blocks, ulong Transactions, ulong ValidTransactions, TimeSpan Elapsed, bool StoreRepaired);

/// <summary>
/// Recreates a channel's state database (state, history, savepoint) from its block store
/// (<c>zoncoin ledger rebuild</c>): deletes the database (the SQLite file and its WAL files, or the channel's
/// PostgreSQL schema, as the peer's <see cref="StateDatabaseProvider"/> does), then lets the peer's committer recover
/// every block onto an empty database, applying the transactions each block's TRANSACTIONS_FILTER marks valid.
/// The block store's lock makes it refuse while a peer runs (and the PostgreSQL writer lock while a peer has the
/// channel's state open).
/// </summary>
internal static class LedgerRebuilder
{
    /// <param name="stateDatabase">The peer's <c>Peer:StateDatabase</c>: <c>sqlite</c> (the file under
    /// <paramref name="dataDirectory"/>) or <c>postgres</c> (a schema in <paramref name="postgresConnectionString"/>).</param>
    /// <exception cref="InvalidOperationException">There is no block store for the channel, or it is in use.</exception>
    /// <exception cref="ArgumentException">An unknown state database, or postgres without a connection string.</exception>
    public static LedgerRebuild Rebuild(string dataDirectory, string channelId, string stateDatabase = StateDatabaseProvider.Sqlite, string postgresConnectionString = "")
    {
        if (stateDatabase == StateDatabaseProvider.Postgres && string.IsNullOrWhiteSpace(postgresConnectionString))
        {
            throw new ArgumentException("--state postgres needs --postgres \"connection string\" (the peer's Peer:PostgresConnectionString)", nameof(postgresConnectionString));
        }
        var provider = new StateDatabaseProvider(stateDatabase, dataDirectory, postgresConnectionString);
        var started = Stopwatch.GetTimestamp();
        var store = LedgerVerifier.OpenExisting(dataDirectory, channelId);
        try
        {
            if (store.Height == 0)
            {
                throw new InvalidOperationException($"the block store of channel '{channelId}' holds no blocks");
            }
            string stateName;
            if (stateDatabase == StateDatabaseProvider.Postgres)
            {
                stateName = $"the PostgreSQL state database of channel {channelId}";
            }
            else
            {
                stateName = Path.GetFullPath(LedgerVerifier.StatePath(dataDirectory, channelId));
                File.Delete(stateName + "-journal");
            }
            provider.Delete(channelId);
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
            var state = provider.Open(channelId);
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
            return new LedgerRebuild(stateName, store.Height, transactions, valid, Stopwatch.GetElapsedTime(started), repaired);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }
}
