using Google.Protobuf;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.Validation;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;
using ZonCoin.Protos.Ledger.Rwset;
using ZonCoin.Protos.Ledger.Rwset.Kvrwset;
using StateVersion = ZonCoin.Ledger.State.Version;

namespace ZonCoin.Peer.Simulation;

/// <summary>
/// Runs one proposal's chaincode calls against committed state and records what it read (with versions), the
/// ranges it read, and what it wrote (Fabric's transaction simulator). There is no read-your-own-writes: reads
/// always see committed state. The result is a <c>TxReadWriteSet</c> with namespaces and keys sorted by UTF-8
/// bytes, so every endorser produces identical bytes.
/// </summary>
internal sealed class TxSimulator
{
    private readonly IStateDatabase _state;
    private readonly SortedDictionary<string, NamespaceRecord> _namespaces = new(Utf8Order.Instance);

    public TxSimulator(IStateDatabase state)
    {
        _state = state;
    }

    public IStateDatabase State => _state;

    /// <summary>True once the transaction wrote anything (paginated queries are for read-only transactions).</summary>
    public bool HasWrites => _namespaces.Values.Any(ns => ns.Writes.Count > 0 || ns.MetadataWrites.Count > 0);

    /// <summary>True once the transaction ran a paginated query (allowed in read-only transactions only, as in Fabric).</summary>
    public bool UsedPagination { get; private set; }

    /// <summary>
    /// Records that a paginated query runs; later writes are then refused. Refused itself, with
    /// <see cref="UnsupportedTransactionException"/>, once the transaction wrote.
    /// </summary>
    public void MarkPaginated()
    {
        if (HasWrites)
        {
            throw new UnsupportedTransactionException("Paginated queries are supported only in a read-only transaction");
        }
        UsedPagination = true;
    }

    public VersionedValue? GetState(string ns, string key)
    {
        var value = _state.Get(ns, key);
        var record = Record(ns);
        record.Reads.TryAdd(key, value?.Version);
        record.Seen.TryAdd(key, value);
        return value;
    }

    /// <exception cref="UnsupportedTransactionException">The transaction ran a paginated query.</exception>
    public void PutState(string ns, string key, ReadOnlyMemory<byte> value)
    {
        EnsureWritable();
        if (value.IsEmpty)
        {
            DeleteState(ns, key);
            return;
        }
        Record(ns).Writes[key] = ByteString.CopyFrom(value.Span);
    }

    /// <exception cref="UnsupportedTransactionException">The transaction ran a paginated query.</exception>
    public void DeleteState(string ns, string key)
    {
        EnsureWritable();
        Record(ns).Writes[key] = null;
    }

    /// <exception cref="UnsupportedTransactionException">The transaction ran a paginated query.</exception>
    public void SetStateMetadata(string ns, string key, IReadOnlyDictionary<string, ByteString> entries)
    {
        EnsureWritable();
        Record(ns).MetadataWrites[key] = entries;
    }

    private void EnsureWritable()
    {
        if (UsedPagination)
        {
            throw new UnsupportedTransactionException("Transaction has already performed a paginated query. Writes are not allowed");
        }
    }

    /// <summary>
    /// Iterates committed keys in [start, end); <see cref="RangeRecorder.Close"/> records what was read so the
    /// committer can detect phantoms.
    /// </summary>
    public RangeRecorder GetStateRange(string ns, string startKey, string endKey)
    {
        var recorder = new RangeRecorder(_state.GetRange(ns, startKey, endKey), new RangeQueryInfo { StartKey = startKey, EndKey = endKey, RawReads = new QueryReads() });
        Record(ns).Ranges.Add(recorder);
        return recorder;
    }

    /// <summary>
    /// Runs a rich query (<c>GetQueryResult</c>) over committed state, lazily. Each record returned to the chaincode
    /// joins the read set with its version, as Fabric's query executor does, so a record changed before commit is an
    /// MVCC conflict; records that start matching later are not detected (rich queries are not re-run at commit).
    /// </summary>
    /// <exception cref="QueryException">The query is invalid, or this state database has no rich queries.</exception>
    public IEnumerable<StateEntry> ExecuteQuery(string ns, string query)
    {
        var reads = Record(ns).Reads;
        foreach (var entry in _state.ExecuteQuery(ns, query))
        {
            reads.TryAdd(entry.Key, entry.Value.Version);
            yield return entry;
        }
    }

    /// <summary>
    /// One page of a rich query (<c>GetQueryResultWithPagination</c>); its records join the read set, and the
    /// transaction becomes read-only (see <see cref="MarkPaginated"/>).
    /// </summary>
    /// <exception cref="QueryException">The query or bookmark is invalid, or this state database has no rich queries.</exception>
    public QueryPage ExecuteQueryPage(string ns, string query, int pageSize, string bookmark)
    {
        MarkPaginated();
        var page = _state.ExecuteQueryPage(ns, query, pageSize, bookmark);
        var reads = Record(ns).Reads;
        foreach (var entry in page.Results)
        {
            reads.TryAdd(entry.Key, entry.Value.Version);
        }
        return page;
    }

    /// <summary>The simulation results: a serialized <c>TxReadWriteSet</c>.</summary>
    public ByteString Results()
    {
        var txRwSet = new TxReadWriteSet { DataModel = TxReadWriteSet.Types.DataModel.Kv };
        foreach (var (ns, record) in _namespaces)
        {
            var kv = new KVRWSet();
            foreach (var (key, version) in record.Reads.OrderBy(pair => pair.Key, Utf8Order.Instance))
            {
                kv.Reads.Add(new KVRead
                {
                    Key = key,
                    Version = version is { } v ? new Protos.Ledger.Rwset.Kvrwset.Version { BlockNum = v.BlockNumber, TxNum = v.TxNumber } : null,
                });
            }
            foreach (var range in record.Ranges)
            {
                kv.RangeQueriesInfo.Add(range.Info());
            }
            foreach (var (key, value) in record.Writes.OrderBy(pair => pair.Key, Utf8Order.Instance))
            {
                kv.Writes.Add(new KVWrite { Key = key, IsDelete = value is null, Value = value ?? ByteString.Empty });
            }
            foreach (var (key, entries) in record.MetadataWrites.OrderBy(pair => pair.Key, Utf8Order.Instance))
            {
                var write = new KVMetadataWrite { Key = key };
                foreach (var (name, value) in entries.OrderBy(pair => pair.Key, Utf8Order.Instance))
                {
                    write.Entries.Add(new KVMetadataEntry { Name = name, Value = value });
                }
                kv.MetadataWrites.Add(write);
            }
            txRwSet.NsRwset.Add(new NsReadWriteSet { Namespace = ns, Rwset = kv.ToByteString() });
        }
        return txRwSet.ToByteString();
    }

    /// <summary>
    /// What the endorsement of these results needs, for the gateway to plan endorsers (Fabric's <c>ChaincodeInterest</c>):
    /// one call per application namespace read or written; the committed key-level policies of the keys it writes
    /// (or whose metadata it writes); and <c>disregard_namespace_policy</c> when every written key has one, so the
    /// chaincode's own policy is not needed.
    /// </summary>
    public ChaincodeInterest Interest()
    {
        var interest = new ChaincodeInterest();
        foreach (var (ns, record) in _namespaces)
        {
            if (ValidationParameters.IsSystemNamespace(ns))
            {
                continue;
            }
            var call = new ChaincodeCall { Name = ns };
            var written = record.Writes.Keys.Concat(record.MetadataWrites.Keys).Distinct(StringComparer.Ordinal).ToList();
            var needsNamespacePolicy = written.Count == 0;
            // Keys the chaincode read are known already; the others are read now (one query).
            var unseen = written.Where(key => !record.Seen.ContainsKey(key)).ToList();
            var committed = unseen.Count > 0 ? _state.GetMany(ns, unseen) : null;
            foreach (var key in written)
            {
                var value = record.Seen.TryGetValue(key, out var seen) ? seen : committed?.GetValueOrDefault(key);
                if (ValidationParameters.Of(value) is not { } parameter)
                {
                    needsNamespacePolicy = true;
                    continue;
                }
                try
                {
                    call.KeyPolicies.Add(SignaturePolicyEnvelope.Parser.ParseFrom(parameter.Span));
                }
                catch (InvalidProtocolBufferException)
                {
                    needsNamespacePolicy = true; // unusable: validation will fail the key whatever endorses it
                }
            }
            call.DisregardNamespacePolicy = !needsNamespacePolicy;
            interest.Chaincodes.Add(call);
        }
        return interest;
    }

    private NamespaceRecord Record(string ns)
    {
        if (!_namespaces.TryGetValue(ns, out var record))
        {
            record = new NamespaceRecord();
            _namespaces.Add(ns, record);
        }
        return record;
    }

    private sealed class NamespaceRecord
    {
        public Dictionary<string, StateVersion?> Reads { get; } = new(StringComparer.Ordinal);

        /// <summary>The committed values read by <see cref="GetState"/> (null: absent), with their metadata.</summary>
        public Dictionary<string, VersionedValue?> Seen { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, ByteString?> Writes { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, IReadOnlyDictionary<string, ByteString>> MetadataWrites { get; } = new(StringComparer.Ordinal);

        public List<RangeRecorder> Ranges { get; } = [];
    }
}

/// <summary>A range query being read by chaincode; records each key read and whether the range was exhausted.</summary>
internal sealed class RangeRecorder : IDisposable
{
    private readonly IEnumerator<StateEntry> _entries;
    private readonly RangeQueryInfo _info;
    private bool _exhausted;
    private bool _closed;

    public RangeRecorder(IEnumerable<StateEntry> entries, RangeQueryInfo info)
    {
        _entries = entries.GetEnumerator();
        _info = info;
    }

    /// <summary>The next entry, or null at the end of the range.</summary>
    public StateEntry? Next()
    {
        if (_closed || _exhausted)
        {
            return null;
        }
        if (!_entries.MoveNext())
        {
            _exhausted = true;
            return null;
        }
        var entry = _entries.Current;
        _info.RawReads.KvReads.Add(new KVRead
        {
            Key = entry.Key,
            Version = new Protos.Ledger.Rwset.Kvrwset.Version { BlockNum = entry.Value.Version.BlockNumber, TxNum = entry.Value.Version.TxNumber },
        });
        return entry;
    }

    public RangeQueryInfo Info()
    {
        var info = _info.Clone();
        info.ItrExhausted = _exhausted;
        return info;
    }

    public void Close()
    {
        _closed = true;
        _entries.Dispose();
    }

    public void Dispose() => Close();
}
