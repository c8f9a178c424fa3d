using Google.Protobuf;
using ZonCoin.Core.Config;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Peer.Channels;
using ZonCoin.Peer.Sync;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.LedgerTools;

/// <summary>The outcome of <see cref="LedgerVerifier.Verify"/>: what was checked, and the first bad block if any.</summary>
public sealed record LedgerVerification(ulong Blocks, ulong Transactions, ulong ValidTransactions, int ConfigBlocks, RecoveryReport Recovery)
{
    /// <summary>The first block that failed a check; null when the chain is sound.</summary>
    public ulong? BadBlock { get; init; }

    /// <summary>Why <see cref="BadBlock"/> failed.</summary>
    public string? Problem { get; init; }

    /// <summary>Whether every block passed (<see cref="BadBlock"/> is null).</summary>
    public bool IsValid => BadBlock is null;
}

/// <summary>
/// Audits a peer's block store for one channel (<c>zoncoin ledger verify</c>): every block from 0 must be stored
/// intact (the store's CRC), carry the next number, chain to the header hash of the block before it, match its data
/// hash, carry one TRANSACTIONS_FILTER entry per transaction and, after the genesis block, orderer signatures that
/// satisfy <c>/Channel/Orderer/BlockValidation</c> of the configuration in force at that block (the genesis
/// configuration, then each config block's). Stops at the first bad block. The peer must be stopped: the block
/// store's lock refuses a second opener.
/// </summary>
public static class LedgerVerifier
{
    /// <summary>
    /// Opens the store (taking its lock, so not while a peer runs) and checks it. Opening never rewrites blocks but
    /// does repair what recovery repairs (a torn or damaged tail is cut off; the index is rebuilt): the result's
    /// <see cref="LedgerVerification.Recovery"/> says so, and a cut tail is reported as a bad block.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no block store for the channel, or it is in use.</exception>
    public static LedgerVerification Verify(string dataDirectory, string channelId)
    {
        using var store = ChannelLedger.OpenExistingStore(dataDirectory, channelId);
        return Verify(store);
    }

    /// <summary>Checks the blocks of an open store (see the type's summary), and reports the store's own recovery.</summary>
    public static LedgerVerification Verify(BlockStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var height = store.Height;
        ulong transactions = 0, valid = 0;
        var configBlocks = 0;
        ChannelResources? resources = null;
        byte[] previousHash = [];
        LedgerVerification Result(ulong? bad = null, string? problem = null) =>
            new(bad ?? height, transactions, valid, configBlocks, store.Recovery) { BadBlock = bad, Problem = problem };

        for (var number = 0UL; number < height; number++)
        {
            Block block;
            try
            {
                block = store.GetBlock(number);
            }
            catch (BlockStoreException ex)
            {
                return Result(number, ex.Message);
            }
            string? problem;
            if (number == 0)
            {
                // The genesis block is the channel's root of trust: no orderer signs it.
                problem = block.Header.Number != 0 ? $"the first block carries number {block.Header.Number}"
                    : !Blocks.HasValidDataHash(block) ? "the genesis block's data hash does not match its data"
                    : null;
            }
            else
            {
                problem = BlockVerifier.Check(block, number, previousHash, resources!.Policies);
            }
            problem ??= CheckFilter(block);
            string? configProblem = null;
            if (problem is null && IsValidFirst(block) && ConfigOf(block, out configProblem) is { } config)
            {
                try
                {
                    resources = ChannelResources.Create(config);
                    configBlocks++;
                }
                catch (InvalidOperationException ex)
                {
                    problem = ex.Message;
                }
            }
            problem ??= configProblem;
            if (problem is null && resources is null)
            {
                problem = "the genesis block holds no channel configuration";
            }
            if (problem is not null)
            {
                return Result(number, problem);
            }
            var filter = block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter].Span;
            transactions += (ulong)filter.Length;
            foreach (var code in filter)
            {
                valid += code == (byte)TxValidationCode.Valid ? 1UL : 0UL;
            }
            previousHash = BlockHashing.HeaderHash(block.Header);
        }
        if (store.Recovery.TruncatedBytes > 0)
        {
            return Result(height,
                $"the end of the store was torn or damaged: opening it cut {store.Recovery.TruncatedBytes} bytes after block {(height == 0 ? "(none)" : (height - 1).ToString(System.Globalization.CultureInfo.InvariantCulture))}, so this block (and any after it) is no longer stored; a peer pulls it again from the orderers");
        }
        return Result();
    }

    /// <summary>Whether the first transaction is marked valid (a config block takes effect only then, as on the peer).</summary>
    private static bool IsValidFirst(Block block) =>
        block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter] is { Length: > 0 } filter && filter[0] == (byte)TxValidationCode.Valid;

    private static string? CheckFilter(Block block)
    {
        var slots = block.Metadata.Metadata;
        var filter = slots.Count > (int)BlockMetadataIndex.TransactionsFilter ? slots[(int)BlockMetadataIndex.TransactionsFilter] : ByteString.Empty;
        return filter.Length == block.Data.Data.Count
            ? null
            : $"its TRANSACTIONS_FILTER has {filter.Length} entries for {block.Data.Data.Count} transactions";
    }

    /// <summary>The configuration a config block carries; null for other blocks (and <paramref name="problem"/> set when a config block does not parse).</summary>
    private static ChannelConfig? ConfigOf(Block block, out string? problem)
    {
        problem = null;
        if (block.Data.Data.Count != 1)
        {
            return null;
        }
        try
        {
            var envelope = Envelopes.Unpack(block.Data.Data[0]);
            return envelope.Type == HeaderType.Config ? ConfigUpdates.ReadConfig(envelope).Config : null;
        }
        catch (Exception ex) when (ex is MalformedMessageException or InvalidProtocolBufferException)
        {
            if (block.Header.Number == 0)
            {
                problem = $"the genesis block's envelope is not a config envelope: {ex.Message}";
            }
            return null;
        }
    }
}
