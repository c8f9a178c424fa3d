using Google.Protobuf;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Ledger.State;
using ZonCoin.Protos.Common;

namespace ZonCoin.Peer.Channels;

/// <summary>
/// A channel's ledger in the peer's data folder: the block store under <c>&lt;data&gt;/chains/&lt;channel&gt;</c> and
/// the state database <see cref="StateDatabaseProvider"/> opens. Creating it from the genesis block and opening it
/// as a <see cref="PeerChannel"/> are shared by joining (<see cref="PeerChannels"/>) and the offline ledger tools
/// (<see cref="LedgerTools.OfflineLedger"/>).
/// </summary>
internal static class ChannelLedger
{
    /// <summary>The block store directory of <paramref name="channelId"/> in the peer data folder <paramref name="dataDirectory"/>.</summary>
    public static string BlocksDirectory(string dataDirectory, string channelId) => Path.Combine(dataDirectory, "chains", channelId);

    /// <summary>The SQLite state database file of <paramref name="channelId"/> in the peer data folder <paramref name="dataDirectory"/>.</summary>
    public static string SqliteStatePath(string dataDirectory, string channelId) => Path.Combine(dataDirectory, "state", $"{channelId}.db");

    /// <summary>The channel a genesis block starts; throws <see cref="ArgumentException"/> for a block that is not a channel's genesis block.</summary>
    public static string ChannelIdOf(Block genesis)
    {
        ArgumentNullException.ThrowIfNull(genesis);
        if (genesis.Header?.Number != 0 || genesis.Data?.Data.Count != 1 || !Blocks.HasValidDataHash(genesis))
        {
            throw new ArgumentException("the join block must be a channel's genesis block (block 0 with one CONFIG envelope and a matching data hash)");
        }
        try
        {
            var channelId = ConfigUpdates.ReadConfig(Envelopes.Unpack(Envelope.Parser.ParseFrom(genesis.Data.Data[0]))).Config.ChannelId;
            Core.Config.ChannelConfigBuilder.ValidateChannelId(channelId);
            return channelId;
        }
        catch (Exception ex) when (ex is MalformedMessageException or InvalidProtocolBufferException or ArgumentException)
        {
            throw new ArgumentException($"the join block is not a config block: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Writes a new ledger for <paramref name="channelId"/>: <paramref name="genesis"/> as block 0 of a new block store
    /// (its TRANSACTIONS_FILTER marking the config valid), and block 0's savepoint to the channel's state database,
    /// which must hold no block yet.
    /// </summary>
    public static void Create(string dataDirectory, string channelId, Block genesis, StateDatabaseProvider states)
    {
        ArgumentNullException.ThrowIfNull(genesis);
        ArgumentNullException.ThrowIfNull(states);
        using (var store = BlockStore.Open(BlocksDirectory(dataDirectory, channelId)))
        {
            var block = genesis.Clone();
            while (block.Metadata.Metadata.Count < Blocks.MetadataSlots)
            {
                block.Metadata.Metadata.Add(ByteString.Empty);
            }
            block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter] = ByteString.CopyFrom([0]);
            store.Append(block);
        }
        using var state = states.Open(channelId);
        if (state.Savepoint is not null)
        {
            throw new InvalidOperationException($"the {state.Name} state database of channel '{channelId}' already holds blocks");
        }
        state.ApplyBlock(0, new UpdateBatch());
    }

    /// <summary>
    /// Opens the channel's state database and the <see cref="PeerChannel"/> over <paramref name="store"/>, which
    /// re-applies the blocks stored after the state's savepoint. The channel owns both stores; when opening fails,
    /// both are disposed.
    /// </summary>
    public static PeerChannel Open(string channelId, BlockStore store, StateDatabaseProvider states, Action<string, Exception>? indexFailed = null,
        OwnSignatures? ownSignatures = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(states);
        IStateDatabase? state = null;
        try
        {
            state = states.Open(channelId);
            return new PeerChannel(channelId, store, state, indexFailed, ownSignatures);
        }
        catch
        {
            state?.Dispose();
            store.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the existing block store of <paramref name="channelId"/> for an offline tool: refuses a missing one
    /// (opening would create it) and one a running peer holds (its lock).
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no block store for the channel, or it is in use.</exception>
    public static BlockStore OpenExistingStore(string dataDirectory, string channelId)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentException.ThrowIfNullOrEmpty(channelId);
        var directory = BlocksDirectory(dataDirectory, channelId);
        if (!Directory.Exists(directory))
        {
            throw new InvalidOperationException($"there is no block store for channel '{channelId}' in '{dataDirectory}' (expected {directory})");
        }
        try
        {
            return BlockStore.Open(directory);
        }
        catch (BlockStoreException ex) when (ex.InnerException is IOException)
        {
            throw new InvalidOperationException($"the block store {directory} is in use (is a peer running?): {ex.Message}", ex);
        }
        catch (BlockStoreException ex)
        {
            throw new InvalidOperationException($"the block store {directory} cannot be opened: {ex.Message}", ex);
        }
    }
}
