using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.Simulation;
using ZonCoin.Protos.Ledger.QueryResult;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.ChaincodeSupport;

/// <summary>
/// One transaction being executed by a chaincode: answers the chaincode's state requests (Fabric's handler
/// functions) against the proposal's simulator, under the chaincode's namespace. Query iterators are kept by id
/// until the chaincode closes them; results go back in batches of 100 (or a page of the requested size).
/// </summary>
internal sealed class TransactionContext
{
    public const int BatchSize = 100;

    private readonly Dictionary<string, IQueryIterator> _iterators = new(StringComparer.Ordinal);

    public TransactionContext(string channelId, string txId, SignedProposal proposal, TxSimulator simulator, bool readOnly = false)
    {
        ChannelId = channelId;
        TxId = txId;
        Proposal = proposal;
        Simulator = simulator;
        ReadOnly = readOnly;
    }

    public string ChannelId { get; }

    public string TxId { get; }

    public SignedProposal Proposal { get; }

    public TxSimulator Simulator { get; }

    /// <summary>For queries (Evaluate): writes are refused.</summary>
    public bool ReadOnly { get; }

    /// <summary>
    /// Handles one request of the chaincode running as <paramref name="ns"/>; returns the RESPONSE payload or
    /// throws <see cref="ChaincodeRequestException"/> whose message goes back in an ERROR.
    /// </summary>
    public ByteString Handle(string ns, ChaincodeMessage request)
    {
        try
        {
            return Serve(ns, request);
        }
        catch (UnsupportedTransactionException ex)
        {
            // Fabric's simulator words it so (typo included).
            throw new ChaincodeRequestException($"txid [{TxId}]: unsuppored transaction. {ex.Message}");
        }
    }

    private ByteString Serve(string ns, ChaincodeMessage request)
    {
        switch (request.Type)
        {
            case ChaincodeMessage.Types.Type.GetState:
            {
                var get = Parse(GetState.Parser, request.Payload);
                NoCollections(get.Collection);
                var value = Simulator.GetState(ns, get.Key);
                return value is null ? ByteString.Empty : ByteString.CopyFrom(value.Value.Span);
            }
            case ChaincodeMessage.Types.Type.PutState:
            {
                var put = Parse(PutState.Parser, request.Payload);
                NoCollections(put.Collection);
                Writable();
                CheckKey(put.Key);
                Simulator.PutState(ns, put.Key, put.Value.Memory);
                return ByteString.Empty;
            }
            case ChaincodeMessage.Types.Type.DelState:
            {
                var delete = Parse(DelState.Parser, request.Payload);
                NoCollections(delete.Collection);
                Writable();
                CheckKey(delete.Key);
                Simulator.DeleteState(ns, delete.Key);
                return ByteString.Empty;
            }
            case ChaincodeMessage.Types.Type.GetStateByRange:
            {
                var range = Parse(GetStateByRange.Parser, request.Payload);
                NoCollections(range.Collection);
                var page = Pagination(range.Metadata);
                var start = page is { Bookmark.Length: > 0 } ? page.Bookmark : range.StartKey;
                if (page is not null)
                {
                    Simulator.MarkPaginated();
                }
                var iterator = new RangeIterator(ns, Simulator.GetStateRange(ns, start, range.EndKey), page?.PageSize);
                return Open(iterator);
            }
            case ChaincodeMessage.Types.Type.GetQueryResult:
            {
                var query = Parse(GetQueryResult.Parser, request.Payload);
                NoCollections(query.Collection);
                try
                {
                    if (Pagination(query.Metadata) is not { } metadata)
                    {
                        return Open(new RichQueryIterator(ns, Simulator.ExecuteQuery(ns, query.Query)));
                    }
                    var page = Simulator.ExecuteQueryPage(ns, query.Query, metadata.PageSize, metadata.Bookmark);
                    return Open(new QueryPageIterator(ns, page));
                }
                catch (QueryException ex)
                {
                    throw new ChaincodeRequestException(ex.Message);
                }
            }
            case ChaincodeMessage.Types.Type.QueryStateNext:
            {
                var next = Parse(QueryStateNext.Parser, request.Payload);
                if (!_iterators.TryGetValue(next.Id, out var iterator))
                {
                    throw new ChaincodeRequestException($"query iterator {next.Id} does not exist or was closed");
                }
                return Batch(next.Id, iterator);
            }
            case ChaincodeMessage.Types.Type.QueryStateClose:
            {
                var close = Parse(QueryStateClose.Parser, request.Payload);
                if (_iterators.Remove(close.Id, out var iterator))
                {
                    iterator.Dispose();
                }
                return new QueryResponse { HasMore = false, Id = close.Id }.ToByteString();
            }
            case ChaincodeMessage.Types.Type.GetHistoryForKey:
            {
                var history = Parse(GetHistoryForKey.Parser, request.Payload);
                return Open(new HistoryIterator(Simulator.State.History.GetHistory(ns, history.Key)));
            }
            case ChaincodeMessage.Types.Type.GetStateMetadata:
            {
                var get = Parse(GetStateMetadata.Parser, request.Payload);
                NoCollections(get.Collection);
                var value = Simulator.GetState(ns, get.Key); // recorded as a read, as Fabric does
                return value is null || value.Metadata.IsEmpty ? new StateMetadataResult().ToByteString() : ByteString.CopyFrom(value.Metadata.Span);
            }
            case ChaincodeMessage.Types.Type.PutStateMetadata:
            {
                var put = Parse(PutStateMetadata.Parser, request.Payload);
                NoCollections(put.Collection);
                Writable();
                if (put.Metadata is null)
                {
                    throw new ChaincodeRequestException("PUT_STATE_METADATA carries no metadata entry");
                }
                var existing = Simulator.State.Get(ns, put.Key);
                var entries = new Dictionary<string, ByteString>(StringComparer.Ordinal);
                if (existing is { Metadata.IsEmpty: false })
                {
                    foreach (var entry in StateMetadataResult.Parser.ParseFrom(existing.Metadata.Span).Entries)
                    {
                        entries[entry.Metakey] = entry.Value;
                    }
                }
                entries[put.Metadata.Metakey] = put.Metadata.Value;
                Simulator.SetStateMetadata(ns, put.Key, entries);
                return ByteString.Empty;
            }
            case ChaincodeMessage.Types.Type.GetPrivateDataHash:
            case ChaincodeMessage.Types.Type.PurgePrivateData:
                throw new ChaincodeRequestException("private data collections are not supported by this peer");
            default:
                throw new ChaincodeRequestException($"message type {request.Type} is not a chaincode request this peer serves");
        }
    }

    /// <summary>Closes every iterator the chaincode left open.</summary>
    public void Close()
    {
        foreach (var iterator in _iterators.Values)
        {
            iterator.Dispose();
        }
        _iterators.Clear();
    }

    private ByteString Open(IQueryIterator iterator)
    {
        var id = Guid.NewGuid().ToString("N");
        _iterators[id] = iterator;
        return Batch(id, iterator);
    }

    /// <summary>
    /// The next response of an iterator. As Fabric's handler does, a paginated query answers with its whole page in
    /// one response carrying <c>QueryResponseMetadata</c> (records fetched, bookmark) and is then closed; other
    /// queries answer in batches of <see cref="BatchSize"/> with <c>has_more</c>.
    /// </summary>
    private ByteString Batch(string id, IQueryIterator iterator)
    {
        var response = new QueryResponse { Id = id };
        var limit = iterator.Paginated ? (iterator.PageSize > 0 ? iterator.PageSize : int.MaxValue) : BatchSize;
        while (response.Results.Count < limit && iterator.Next() is { } result)
        {
            response.Results.Add(new QueryResultBytes { ResultBytes = result });
        }
        if (iterator.Paginated)
        {
            response.Metadata = new QueryResponseMetadata { FetchedRecordsCount = iterator.Fetched, Bookmark = iterator.Bookmark() }.ToByteString();
        }
        else
        {
            response.HasMore = iterator.HasMore();
        }
        if (!response.HasMore)
        {
            _iterators.Remove(id);
            iterator.Dispose();
        }
        return response.ToByteString();
    }

    /// <summary>
    /// A query's paging request, or null when it asks for none: as Fabric's handler, metadata with neither a page size
    /// nor a bookmark is an ordinary query.
    /// </summary>
    private static QueryMetadata? Pagination(ByteString metadata)
    {
        if (metadata.IsEmpty)
        {
            return null;
        }
        var parsed = Parse(QueryMetadata.Parser, metadata);
        return parsed.PageSize == 0 && parsed.Bookmark.Length == 0 ? null : parsed;
    }

    private void Writable()
    {
        if (ReadOnly)
        {
            throw new ChaincodeRequestException("this is a query (evaluate): it cannot change state");
        }
    }

    private static void CheckKey(string key)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new ChaincodeRequestException("key must not be an empty string");
        }
    }

    private static void NoCollections(string collection)
    {
        if (!string.IsNullOrEmpty(collection))
        {
            throw new ChaincodeRequestException($"private data collection '{collection}' is not supported by this peer");
        }
    }

    private static T Parse<T>(MessageParser<T> parser, ByteString bytes)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new ChaincodeRequestException($"request payload does not parse as {typeof(T).Name}: {ex.Message}");
        }
    }

    private interface IQueryIterator : IDisposable
    {
        /// <summary>Results at most (the page size of a paginated range query); 0 for no limit.</summary>
        int PageSize { get; }

        /// <summary>True when the chaincode asked for a page: responses carry <c>QueryResponseMetadata</c>.</summary>
        bool Paginated { get; }

        int Fetched { get; }

        ByteString? Next();

        bool HasMore();

        string Bookmark();
    }

    private sealed class RangeIterator : IQueryIterator
    {
        private readonly string _ns;
        private readonly RangeRecorder _range;
        private StateEntry? _lookahead;
        private bool _peeked;

        public RangeIterator(string ns, RangeRecorder range, int? pageSize)
        {
            _ns = ns;
            _range = range;
            PageSize = pageSize ?? 0;
            Paginated = pageSize is not null;
        }

        public int PageSize { get; }

        public bool Paginated { get; }

        public int Fetched { get; private set; }

        public ByteString? Next()
        {
            var entry = Take();
            if (entry is null)
            {
                return null;
            }
            Fetched++;
            return Kv(_ns, entry);
        }

        public bool HasMore() => Peek() is not null;

        /// <summary>The key the next page starts at; empty when the range is exhausted.</summary>
        public string Bookmark() => Peek()?.Key ?? "";

        public void Dispose() => _range.Dispose();

        private StateEntry? Peek()
        {
            if (!_peeked)
            {
                _lookahead = _range.Next();
                _peeked = true;
            }
            return _lookahead;
        }

        private StateEntry? Take()
        {
            var entry = Peek();
            _peeked = false;
            _lookahead = null;
            return entry;
        }
    }

    /// <summary>
    /// Results read lazily from an enumeration (one look-ahead for <c>has_more</c>), each written as the query's result
    /// message; no pages. A rich query's error while reading is the chaincode's error, not the peer's.
    /// </summary>
    private abstract class LazyIterator<T> : IQueryIterator
        where T : class
    {
        private readonly IEnumerator<T> _entries;
        private T? _lookahead;
        private bool _peeked;

        protected LazyIterator(IEnumerable<T> entries)
        {
            _entries = entries.GetEnumerator();
        }

        public int PageSize => 0;

        public bool Paginated => false;

        public int Fetched { get; private set; }

        public ByteString? Next()
        {
            var entry = Peek();
            _peeked = false;
            if (entry is null)
            {
                return null;
            }
            Fetched++;
            return Result(entry);
        }

        public bool HasMore() => Peek() is not null;

        public string Bookmark() => "";

        public void Dispose() => _entries.Dispose();

        protected abstract ByteString Result(T entry);

        private T? Peek()
        {
            if (!_peeked)
            {
                try
                {
                    _lookahead = _entries.MoveNext() ? _entries.Current : null;
                }
                catch (QueryException ex)
                {
                    throw new ChaincodeRequestException(ex.Message);
                }
                _peeked = true;
            }
            return _lookahead;
        }
    }

    /// <summary>A rich query's results, read lazily from the state database (<c>GetQueryResult</c>).</summary>
    private sealed class RichQueryIterator(string ns, IEnumerable<StateEntry> entries) : LazyIterator<StateEntry>(entries)
    {
        protected override ByteString Result(StateEntry entry) => Kv(ns, entry);
    }

    /// <summary>One page of a rich query (<c>GetQueryResultWithPagination</c>), already read, with its bookmark.</summary>
    private sealed class QueryPageIterator : IQueryIterator
    {
        private readonly string _ns;
        private readonly QueryPage _page;

        public QueryPageIterator(string ns, QueryPage page)
        {
            _ns = ns;
            _page = page;
        }

        public int PageSize => 0;

        public bool Paginated => true;

        public int Fetched { get; private set; }

        public ByteString? Next() => Fetched < _page.Results.Count ? Kv(_ns, _page.Results[Fetched++]) : null;

        public bool HasMore() => Fetched < _page.Results.Count;

        public string Bookmark() => _page.Bookmark;

        public void Dispose()
        {
        }
    }

    private static ByteString Kv(string ns, StateEntry entry) =>
        new KV { Namespace = ns, Key = entry.Key, Value = ByteString.CopyFrom(entry.Value.Value.Span) }.ToByteString();

    /// <summary>A key's history, newest first (<c>GetHistoryForKey</c>).</summary>
    private sealed class HistoryIterator(IEnumerable<Ledger.History.HistoryEntry> entries) : LazyIterator<Ledger.History.HistoryEntry>(entries)
    {
        protected override ByteString Result(Ledger.History.HistoryEntry entry) => new KeyModification
        {
            TxId = entry.TxId,
            Value = ByteString.CopyFrom(entry.Value.Span),
            Timestamp = Timestamp.FromDateTimeOffset(entry.Timestamp),
            IsDelete = entry.IsDelete,
        }.ToByteString();
    }
}

/// <summary>A chaincode request the peer refuses; the message goes back to the chaincode in an ERROR.</summary>
internal sealed class ChaincodeRequestException : Exception
{
    public ChaincodeRequestException()
    {
    }

    public ChaincodeRequestException(string message)
        : base(message)
    {
    }

    public ChaincodeRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
