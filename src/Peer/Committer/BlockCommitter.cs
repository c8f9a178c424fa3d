using Google.Protobuf;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Ledger.History;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.Validation;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.Committer;

/// <summary>A block as committed: the block (with its TRANSACTIONS_FILTER) and each transaction's verdict.</summary>
internal sealed record CommittedBlock(Block Block, IReadOnlyList<TransactionVerdict> Verdicts)
{
    /// <summary>Time spent validating the block (stateless checks in parallel, then duplicates and MVCC).</summary>
    public TimeSpan ValidationDuration { get; init; }

    /// <summary>Time spent writing it: block store append (fsync) and the state database transaction.</summary>
    public TimeSpan CommitDuration { get; init; }

    public ulong Number => Block.Header.Number;
}

/// <summary>
/// Validates and commits a channel's blocks (Fabric's committer): the stateless checks of every transaction in
/// parallel, then duplicate txids, endorsement policies (chaincode and key-level) and MVCC serially in block order;
/// the block goes to the block store with its TRANSACTIONS_FILTER, then the valid writes, their history and the
/// savepoint to the state database in one transaction. On start, <see cref="Recover"/> re-applies blocks stored after the savepoint from their filter.
/// </summary>
internal sealed class BlockCommitter
{
    private readonly BlockStore _blocks;
    private readonly IStateDatabase _state;
    private readonly Func<TransactionValidator> _validator;

    public BlockCommitter(BlockStore blocks, IStateDatabase state, Func<TransactionValidator> validator)
    {
        _blocks = blocks;
        _state = state;
        _validator = validator;
    }

    /// <summary>Validates and commits the next block; returns it with its final filter.</summary>
    public CommittedBlock Commit(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Header.Number != _blocks.Height)
        {
            throw new InvalidOperationException($"block {block.Header.Number} is not the next block (height {_blocks.Height})");
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var data = block.Data.Data;
        var validator = _validator();
        var verdicts = new TransactionVerdict[data.Count];
        Parallel.For(0, data.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i => verdicts[i] = validator.Validate(data[i]));

        var endorsed = verdicts.Where(v => v.IsValid && v.Transaction is { Type: HeaderType.EndorserTransaction }).Select(v => v.Transaction!);
        var policies = validator.EndorsementPolicies(_state, block.Header.Number, endorsed);
        var mvcc = new MvccValidator(_state, block.Header.Number);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < verdicts.Length; i++)
        {
            var verdict = verdicts[i];
            if (!verdict.IsValid || verdict.Transaction is not { } transaction || transaction.Type != HeaderType.EndorserTransaction)
            {
                continue;
            }
            if (!seen.Add(transaction.TxId) || _blocks.FindTransaction(transaction.TxId) is not null)
            {
                verdicts[i] = TransactionVerdict.Invalid(TxValidationCode.DuplicateTxid, $"txid {transaction.TxId} was already used", transaction);
                continue;
            }
            verdicts[i] = policies.Validate(transaction, (ulong)i);
            if (!verdicts[i].IsValid)
            {
                continue;
            }
            var code = mvcc.Validate(transaction, (ulong)i);
            if (code != TxValidationCode.Valid)
            {
                verdicts[i] = TransactionVerdict.Invalid(code, code.ToString(), transaction);
            }
        }
        var filter = verdicts.Select(v => (byte)v.Code).ToArray();
        SetFilter(block, filter);
        var validated = System.Diagnostics.Stopwatch.GetTimestamp();
        _blocks.Append(block);
        _state.ApplyBlock(block.Header.Number, Updates(block.Header.Number, verdicts));
        return new CommittedBlock(block, verdicts)
        {
            ValidationDuration = System.Diagnostics.Stopwatch.GetElapsedTime(started, validated),
            CommitDuration = System.Diagnostics.Stopwatch.GetElapsedTime(validated),
        };
    }

    /// <summary>
    /// Re-applies the blocks stored after the state database's savepoint (a crash between the two writes), using
    /// each block's stored filter. Returns how many blocks it applied.
    /// </summary>
    public int Recover()
    {
        var next = _state.Savepoint is { } savepoint ? savepoint.BlockNumber + 1 : 0;
        var applied = 0;
        var validator = _validator();
        for (var number = next; number < _blocks.Height; number++)
        {
            var block = _blocks.GetBlock(number);
            var filter = block.Metadata.Metadata.Count > (int)BlockMetadataIndex.TransactionsFilter
                ? block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter].Span
                : [];
            var codes = filter.ToArray();
            var data = block.Data.Data;
            var verdicts = new TransactionVerdict[data.Count];
            // The filter is the verdict: valid transactions are parsed, not validated again (the configuration and
            // chaincode definitions in force now may differ from those at commit).
            Parallel.For(0, verdicts.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                var code = i < codes.Length ? (TxValidationCode)codes[i] : TxValidationCode.NotValidated;
                verdicts[i] = code == TxValidationCode.Valid
                    ? validator.ParseRecorded(data[i]) is { } parsed ? TransactionVerdict.Valid(parsed) : TransactionVerdict.Invalid(TxValidationCode.InvalidOtherReason, "unparseable on recovery")
                    : TransactionVerdict.Invalid(code, "as recorded");
            });
            _state.ApplyBlock(number, Updates(number, verdicts));
            applied++;
        }
        return applied;
    }

    /// <summary>The state and history updates of a block's valid transactions, in block order (last write wins).</summary>
    private static UpdateBatch Updates(ulong blockNumber, TransactionVerdict[] verdicts)
    {
        // The savepoint is the block's last transaction (valid or not), as in Fabric, not its last writing one.
        var batch = new UpdateBatch { LastTxNumber = verdicts.Length > 0 ? (ulong)(verdicts.Length - 1) : null };
        for (var i = 0; i < verdicts.Length; i++)
        {
            if (!verdicts[i].IsValid || verdicts[i].Transaction is not { Type: HeaderType.EndorserTransaction } transaction)
            {
                continue;
            }
            var version = new Ledger.State.Version(blockNumber, (ulong)i);
            foreach (var (ns, rwSet) in transaction.RwSets)
            {
                foreach (var write in rwSet.Writes)
                {
                    var isDelete = write.IsDelete || write.Value.IsEmpty;
                    if (isDelete)
                    {
                        batch.Delete(ns, write.Key, version);
                    }
                    else
                    {
                        batch.Put(ns, write.Key, write.Value.Memory, version);
                    }
                    batch.AddHistory(ns, write.Key, new HistoryEntry(transaction.TxId, blockNumber, (ulong)i,
                        isDelete ? ReadOnlyMemory<byte>.Empty : write.Value.Memory, isDelete, transaction.Timestamp));
                }
                foreach (var metadataWrite in rwSet.MetadataWrites)
                {
                    var metadata = new StateMetadataResult();
                    foreach (var entry in metadataWrite.Entries)
                    {
                        metadata.Entries.Add(new StateMetadata { Metakey = entry.Name, Value = entry.Value });
                    }
                    batch.PutMetadata(ns, metadataWrite.Key, metadata.Entries.Count == 0 ? ReadOnlyMemory<byte>.Empty : metadata.ToByteArray(), version);
                }
            }
        }
        return batch;
    }

    private static void SetFilter(Block block, byte[] filter)
    {
        while (block.Metadata.Metadata.Count < 5)
        {
            block.Metadata.Metadata.Add(ByteString.Empty);
        }
        block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter] = ByteString.CopyFrom(filter);
    }
}
