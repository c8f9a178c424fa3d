using System.Text;
using System.Text.Json;
using ZonCoin.Chaincode.Contracts;
using ZonCoin.Chaincode.Shim;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Chaincode.SupplyChain.Tests.Support;

/// <summary>
/// A one-peer ledger in memory for the contract: committed state in UTF-8 key order, a clock that gives every
/// transaction its timestamp (one minute apart), committed events. A transaction's writes and event are applied only
/// when it succeeds; a failed transaction leaves nothing behind. Rich queries either fail as a SQLite peer does or
/// evaluate the few selectors the contract uses.
/// </summary>
internal sealed class FakeLedger
{
    public const string SqliteQueryError = "ExecuteQuery not supported for sqlite (state database has no JSON query support)";

    private readonly ContractChaincode _chaincode = new(new SupplyChainContract());
    private int _transactions;

    public SortedDictionary<string, byte[]> State { get; } = new(Utf8Comparer.Instance);

    public List<ChaincodeEvent> Events { get; } = [];

    /// <summary>The rich queries transactions sent, in order.</summary>
    public List<string> Queries { get; } = [];

    public DateTimeOffset Now { get; set; } = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    /// <summary>False: the state database is SQLite and rich queries fail with <see cref="QueryError"/>.</summary>
    public bool RichQueries { get; set; }

    /// <summary>The peer's error text for a rich query when <see cref="RichQueries"/> is false.</summary>
    public string QueryError { get; set; } = SqliteQueryError;

    /// <summary>Runs a transaction as <paramref name="caller"/>, commits it when it succeeds, and advances the clock.</summary>
    public async Task<(ChaincodeResponse Response, ChaincodeEvent? Event)> Submit(TestIdentity caller, string function, params string[] args)
    {
        var stub = new TxStub(this, caller, $"tx{++_transactions:D4}", Now, [function, .. args]);
        var response = await _chaincode.InvokeAsync(stub, CancellationToken.None);
        if (response.IsSuccess)
        {
            foreach (var (key, value) in stub.Writes)
            {
                if (value is null)
                {
                    State.Remove(key);
                }
                else
                {
                    State[key] = value;
                }
            }
            if (stub.ChaincodeEvent is { } committed)
            {
                Events.Add(committed);
            }
        }
        Now = Now.AddMinutes(1);
        return (response, response.IsSuccess ? stub.ChaincodeEvent : null);
    }

    /// <summary>Runs a transaction that must succeed; returns its result parsed as JSON.</summary>
    public async Task<JsonElement> Ok(TestIdentity caller, string function, params string[] args)
    {
        var (response, _) = await Submit(caller, function, args);
        Assert.True(response.IsSuccess, $"{function} failed: {response.Message}");
        using var document = JsonDocument.Parse(response.Payload);
        return document.RootElement.Clone();
    }

    /// <summary>Runs a transaction that must fail without changing state; returns its message.</summary>
    public async Task<string> Fails(TestIdentity caller, string function, params string[] args)
    {
        var before = Snapshot();
        var events = Events.Count;
        var (response, _) = await Submit(caller, function, args);
        Assert.False(response.IsSuccess, $"{function} succeeded but should have failed");
        Assert.Equal(before, Snapshot());
        Assert.Equal(events, Events.Count);
        return response.Message;
    }

    public string Snapshot() => string.Join("\n", State.Select(p => $"{p.Key}={Convert.ToHexString(p.Value)}"));

    /// <summary>Rich query evaluation for the selectors the contract sends: equality, <c>$lt</c> and <c>$gte</c> on strings, one ascending sort field.</summary>
    internal List<KeyValue> Evaluate(string query)
    {
        Queries.Add(query);
        if (!RichQueries)
        {
            throw new ChaincodeStubException(QueryError);
        }
        using var document = JsonDocument.Parse(query);
        var selector = document.RootElement.GetProperty("selector");
        var matches = new List<(string Key, byte[] Value, JsonElement Doc)>();
        foreach (var (key, value) in State)
        {
            if (value.Length == 0 || value[0] != (byte)'{')
            {
                continue;
            }
            using var parsed = JsonDocument.Parse(value);
            var doc = parsed.RootElement.Clone();
            if (selector.EnumerateObject().All(condition => Matches(doc, condition)))
            {
                matches.Add((key, value, doc));
            }
        }
        if (document.RootElement.TryGetProperty("sort", out var sort))
        {
            var field = Assert.Single(sort.EnumerateArray()).EnumerateObject().Single();
            Assert.Equal("asc", field.Value.GetString());
            matches = [.. matches.OrderBy(m => m.Doc.GetProperty(field.Name).GetString(), StringComparer.Ordinal)];
        }
        return [.. matches.Select(m => new KeyValue("supplychain", m.Key, m.Value))];
    }

    private static bool Matches(JsonElement doc, JsonProperty condition)
    {
        if (!doc.TryGetProperty(condition.Name, out var actual))
        {
            return false;
        }
        if (condition.Value.ValueKind != JsonValueKind.Object)
        {
            return actual.GetRawText() == condition.Value.GetRawText();
        }
        return condition.Value.EnumerateObject().All(op => op.Name switch
        {
            "$lt" => string.CompareOrdinal(actual.GetString(), op.Value.GetString()) < 0,
            "$gte" => string.CompareOrdinal(actual.GetString(), op.Value.GetString()) >= 0,
            _ => throw new NotSupportedException($"the fake evaluates no {op.Name}"),
        });
    }

    /// <summary>One transaction: reads see committed state only (as on a peer); writes are buffered.</summary>
    private sealed class TxStub(FakeLedger ledger, TestIdentity caller, string txId, DateTimeOffset timestamp, string[] args) : IChaincodeStub
    {
        public Dictionary<string, byte[]?> Writes { get; } = new(StringComparer.Ordinal);

        public string ChannelId => "supplychain";

        public string TxId => txId;

        public IReadOnlyList<ReadOnlyMemory<byte>> Args { get; } = [.. args.Select(a => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(a))];

        public IReadOnlyList<string> StringArgs => args;

        public SignedProposal? SignedProposal => null;

        public ReadOnlyMemory<byte> Creator => caller.Creator;

        public IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Transient { get; } = new Dictionary<string, ReadOnlyMemory<byte>>();

        public DateTimeOffset TxTimestamp => timestamp;

        public ReadOnlyMemory<byte> Binding => ReadOnlyMemory<byte>.Empty;

        public ChaincodeEvent? ChaincodeEvent { get; private set; }

        public (string Function, IReadOnlyList<string> Parameters) GetFunctionAndParameters() => (args[0], args[1..]);

        public Task<ReadOnlyMemory<byte>> GetStateAsync(string key, CancellationToken cancellationToken = default) =>
            Task.FromResult(ledger.State.TryGetValue(key, out var value) ? (ReadOnlyMemory<byte>)value : ReadOnlyMemory<byte>.Empty);

        public Task PutStateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
        {
            Assert.False(string.IsNullOrEmpty(key));
            Assert.False(value.IsEmpty, $"empty value for {key}");
            Writes[key] = value.ToArray();
            return Task.CompletedTask;
        }

        public Task DeleteStateAsync(string key, CancellationToken cancellationToken = default)
        {
            Writes[key] = null;
            return Task.CompletedTask;
        }

        public async IAsyncEnumerable<KeyValue> GetStateByRange(string startKey, string endKey)
        {
            await Task.Yield();
            var start = startKey.Length == 0 ? "\u0001" : startKey;
            foreach (var (key, value) in ledger.State.Where(p => Utf8Comparer.Instance.Compare(p.Key, start) >= 0
                && (endKey.Length == 0 || Utf8Comparer.Instance.Compare(p.Key, endKey) < 0)).ToList())
            {
                yield return new KeyValue("supplychain", key, value);
            }
        }

        public IAsyncEnumerable<KeyValue> GetStateByPartialCompositeKey(string objectType, params IEnumerable<string> attributes)
        {
            var (start, end) = CompositeKeys.PartialRange(objectType, attributes);
            return GetStateByRange(start, end);
        }

        public async IAsyncEnumerable<KeyValue> GetQueryResult(string query)
        {
            await Task.Yield();
            foreach (var kv in ledger.Evaluate(query))
            {
                yield return kv;
            }
        }

        public Task<QueryPage<KeyValue>> GetQueryResultWithPaginationAsync(string query, int pageSize, string bookmark, CancellationToken cancellationToken = default)
        {
            var all = ledger.Evaluate(query);
            var start = bookmark.Length == 0 ? 0 : all.FindIndex(kv => kv.Key == bookmark) + 1;
            var page = all.Skip(start).Take(pageSize).ToList();
            var more = start + page.Count < all.Count;
            return Task.FromResult(new QueryPage<KeyValue>(page, page.Count, more ? page[^1].Key : ""));
        }

        public void SetEvent(string name, ReadOnlyMemory<byte> payload) =>
            ChaincodeEvent = new ChaincodeEvent { EventName = name, Payload = Google.Protobuf.ByteString.CopyFrom(payload.Span) };

        public Task<QueryPage<KeyValue>> GetStateByRangeWithPaginationAsync(string startKey, string endKey, int pageSize, string bookmark, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<QueryPage<KeyValue>> GetStateByPartialCompositeKeyWithPaginationAsync(string objectType, IEnumerable<string> attributes, int pageSize, string bookmark, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<KeyModification> GetHistoryForKey(string key) => throw new NotSupportedException();

        public Task<ReadOnlyMemory<byte>> GetStateValidationParameterAsync(string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task SetStateValidationParameterAsync(string key, ReadOnlyMemory<byte> endorsementPolicy, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ReadOnlyMemory<byte>> GetPrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ReadOnlyMemory<byte>> GetPrivateDataHashAsync(string collection, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task PutPrivateDataAsync(string collection, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task DeletePrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task PurgePrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ChaincodeResponse> InvokeChaincodeAsync(string chaincodeName, IEnumerable<ReadOnlyMemory<byte>> args, string? channel = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
