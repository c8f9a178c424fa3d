using ZonCoin.Ledger.State;
using ZonCoin.Protos.Ledger.Rwset.Kvrwset;
using ZonCoin.Protos.Peer;
using Version = ZonCoin.Ledger.State.Version;

namespace ZonCoin.Peer.Validation;

/// <summary>
/// Multi-version concurrency control for one block, run serially over its transactions in order (Fabric's
/// state-based validator): every key a transaction read must still have the version it read, counting the
/// writes of earlier valid transactions of the same block, and every range it read must yield the same keys and
/// versions again (otherwise PHANTOM_READ_CONFLICT). Valid transactions' writes are added to the block's updates.
/// </summary>
internal sealed class MvccValidator
{
    private readonly IStateDatabase _state;
    private readonly ulong _blockNumber;
    private readonly Dictionary<(string Namespace, string Key), PendingWrite> _blockWrites = [];

    public MvccValidator(IStateDatabase state, ulong blockNumber)
    {
        _state = state;
        _blockNumber = blockNumber;
    }

    /// <summary>The writes of the valid transactions so far, last write per key.</summary>
    public IReadOnlyDictionary<(string Namespace, string Key), PendingWrite> Writes => _blockWrites;

    /// <summary>Checks a transaction that passed the stateless checks; when valid, records its writes.</summary>
    public TxValidationCode Validate(ParsedTransaction transaction, ulong txNumber)
    {
        foreach (var (ns, rwSet) in transaction.RwSets)
        {
            if (!ReadsAreCurrent(ns, rwSet))
            {
                return TxValidationCode.MvccReadConflict;
            }
            if (!RangesAreUnchanged(ns, rwSet))
            {
                return TxValidationCode.PhantomReadConflict;
            }
        }
        var version = new Version(_blockNumber, txNumber);
        foreach (var (ns, rwSet) in transaction.RwSets)
        {
            foreach (var write in rwSet.Writes)
            {
                _blockWrites[(ns, write.Key)] = new PendingWrite(write.IsDelete || write.Value.IsEmpty ? null : write.Value.ToByteArray(), version, transaction);
            }
            // A metadata write gives an existing key a new version (Fabric adds it to the block's updates), so a later
            // read of the key in this block conflicts; on a missing or deleted key it does nothing.
            foreach (var metadataWrite in rwSet.MetadataWrites)
            {
                if (_blockWrites.TryGetValue((ns, metadataWrite.Key), out var earlier))
                {
                    if (earlier.Value is not null)
                    {
                        _blockWrites[(ns, metadataWrite.Key)] = earlier with { Version = version, Transaction = transaction };
                    }
                }
                else if (_state.Get(ns, metadataWrite.Key) is { } committed)
                {
                    _blockWrites[(ns, metadataWrite.Key)] = new PendingWrite(committed.Value.ToArray(), version, transaction);
                }
            }
        }
        return TxValidationCode.Valid;
    }

    private bool ReadsAreCurrent(string ns, KVRWSet rwSet)
    {
        if (rwSet.Reads.Count == 0)
        {
            return true;
        }
        var committed = _state.GetMany(ns, [.. rwSet.Reads.Select(read => read.Key)]);
        foreach (var read in rwSet.Reads)
        {
            if (_blockWrites.ContainsKey((ns, read.Key)))
            {
                return false; // an earlier transaction of this block changed it
            }
            var current = committed.TryGetValue(read.Key, out var value) ? value.Version : (Version?)null;
            var expected = read.Version is null ? (Version?)null : new Version(read.Version.BlockNum, read.Version.TxNum);
            if (current != expected)
            {
                return false;
            }
        }
        return true;
    }

    private bool RangesAreUnchanged(string ns, KVRWSet rwSet)
    {
        foreach (var range in rwSet.RangeQueriesInfo)
        {
            if (range.ReadsInfoCase != RangeQueryInfo.ReadsInfoOneofCase.RawReads)
            {
                return false; // Merkle summaries are not produced by our endorsers; treat as unverifiable
            }
            var reads = range.RawReads.KvReads;
            if (!range.ItrExhausted && reads.Count == 0)
            {
                continue; // opened but never advanced: it observed nothing
            }
            // A range not read to its end covers only up to (and including) its last key.
            var end = range.ItrExhausted ? range.EndKey : null;
            var last = reads.Count > 0 ? reads[^1].Key : null;
            var current = CurrentRange(ns, range.StartKey, end ?? range.EndKey, last, range.ItrExhausted);
            if (current.Count != reads.Count)
            {
                return false;
            }
            for (var i = 0; i < reads.Count; i++)
            {
                var expected = reads[i].Version is null ? (Version?)null : new Version(reads[i].Version.BlockNum, reads[i].Version.TxNum);
                if (current[i].Key != reads[i].Key || current[i].Version != expected)
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>The range as it stands now: committed state overlaid with this block's earlier writes.</summary>
    private List<(string Key, Version Version)> CurrentRange(string ns, string start, string end, string? last, bool exhausted)
    {
        var merged = new SortedDictionary<string, Version?>(Utf8Order.Instance);
        bool Within(string key) => Utf8Order.InRange(key, start, end) && (exhausted || last is null || Utf8Order.Instance.Compare(key, last) <= 0);
        foreach (var entry in _state.GetRange(ns, start, end))
        {
            if (!exhausted && (last is null || Utf8Order.Instance.Compare(entry.Key, last) > 0))
            {
                break;
            }
            merged[entry.Key] = entry.Value.Version;
        }
        foreach (var ((writeNs, key), write) in _blockWrites)
        {
            if (writeNs == ns && Within(key))
            {
                merged[key] = write.Value is null ? null : write.Version;
            }
        }
        return [.. merged.Where(pair => pair.Value is not null).Select(pair => (pair.Key, pair.Value!.Value))];
    }
}

/// <summary>A write of a valid transaction of the block being committed; a null value deletes the key.</summary>
internal sealed record PendingWrite(byte[]? Value, Version Version, ParsedTransaction Transaction);
