using ZonCoin.Ledger.Blocks;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.Channels;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.LedgerTools;

/// <summary>What committing a block decided for one of its transactions.</summary>
/// <param name="Code">The validation code the block's TRANSACTIONS_FILTER records.</param>
/// <param name="Reason">Why the transaction is invalid; null when it is valid.</param>
public readonly record struct TransactionOutcome(TxValidationCode Code, string? Reason)
{
    /// <summary>Whether the transaction is valid (its writes were applied).</summary>
    public bool IsValid => Code == TxValidationCode.Valid;
}

/// <summary>
/// One channel ledger of a stopped peer, in the peer's data folder and state database, that commits blocks through
/// the peer's own commit path: block verification (number, hash chain, data hash, orderer signatures against the
/// channel configuration in force), validation, MVCC, the block store append and the state and history write, with
/// the channel's configuration and chaincode definitions following its config and <c>_lifecycle</c> blocks. For
/// offline tools and benchmarks that need the peer's ledger without a running peer. It holds the block store's lock
/// (and, on PostgreSQL, the channel's writer lock) until disposed, so it refuses a channel a running peer has open.
/// </summary>
public sealed class OfflineLedger : IDisposable
{
    private readonly PeerChannel _channel;

    private OfflineLedger(PeerChannel channel) => _channel = channel;

    /// <summary>The channel.</summary>
    public string ChannelId => _channel.ChannelId;

    /// <summary>Blocks committed: stored and applied to the state database.</summary>
    public ulong Height => _channel.Height;

    /// <summary>The channel's state database (state, history, savepoint), to read; writes to it would bypass validation.</summary>
    public IStateDatabase State => _channel.State;

    /// <summary>
    /// Creates the ledger of the channel <paramref name="genesis"/> starts under <paramref name="dataDirectory"/>, as a
    /// peer joining the channel does (block store <c>chains/&lt;channel&gt;</c> holding the genesis block, and the state
    /// database <paramref name="state"/> names at block 0), and opens it.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="genesis"/> is not a channel's genesis block, or <paramref name="state"/> names an unknown state database.</exception>
    /// <exception cref="InvalidOperationException">The folder or the state database already holds the channel.</exception>
    public static OfflineLedger Join(string dataDirectory, Block genesis, StateDatabaseSettings state)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentNullException.ThrowIfNull(state);
        var channelId = ChannelLedger.ChannelIdOf(genesis);
        var states = state.Provider(dataDirectory);
        var blocksDirectory = ChannelLedger.BlocksDirectory(dataDirectory, channelId);
        if (Directory.Exists(blocksDirectory) || File.Exists(ChannelLedger.SqliteStatePath(dataDirectory, channelId)))
        {
            throw new InvalidOperationException($"'{dataDirectory}' already holds channel '{channelId}'");
        }
        ChannelLedger.Create(dataDirectory, channelId, genesis, states);
        return new OfflineLedger(ChannelLedger.Open(channelId, BlockStore.Open(blocksDirectory), states));
    }

    /// <summary>
    /// Opens the existing ledger of <paramref name="channelId"/> under <paramref name="dataDirectory"/> as the peer
    /// does at start: blocks stored after the state database's savepoint are applied again first.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no block store for the channel, or a running peer holds it.</exception>
    /// <exception cref="ArgumentException"><paramref name="state"/> names an unknown state database.</exception>
    public static OfflineLedger Open(string dataDirectory, string channelId, StateDatabaseSettings state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var states = state.Provider(dataDirectory);
        return new OfflineLedger(ChannelLedger.Open(channelId, ChannelLedger.OpenExistingStore(dataDirectory, channelId), states));
    }

    /// <summary>
    /// Verifies and commits the next block as the peer commits a block from an orderer; returns each transaction's
    /// outcome, in block order (invalid transactions are committed too, marked in the block's TRANSACTIONS_FILTER).
    /// </summary>
    /// <exception cref="InvalidDataException">The block fails verification; nothing was stored.</exception>
    public IReadOnlyList<TransactionOutcome> Commit(Block block)
    {
        var verdicts = _channel.Commit(block).Verdicts;
        var outcomes = new TransactionOutcome[verdicts.Count];
        for (var i = 0; i < outcomes.Length; i++)
        {
            outcomes[i] = new TransactionOutcome(verdicts[i].Code, verdicts[i].Reason);
        }
        return outcomes;
    }

    /// <summary>Closes the block store and the state database.</summary>
    public void Dispose() => _channel.Dispose();
}
