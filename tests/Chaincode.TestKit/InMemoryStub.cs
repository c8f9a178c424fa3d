using System.Runtime.CompilerServices;
using System.Text;
using Google.Protobuf;
using ZonCoin.Chaincode.Shim;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Chaincode.TestKit;

/// <summary>
/// One transaction's <see cref="IChaincodeStub"/> over an <see cref="InMemoryLedger"/>. It records the keys and ranges
/// the transaction read and the writes it made; reads see committed state only (unless the ledger applies writes
/// immediately). There is no signed proposal, transient data, private data, key-level endorsement or chaincode-to-chaincode
/// call: those members throw <see cref="NotSupportedException"/>.
/// </summary>
public sealed class InMemoryStub : IChaincodeStub
{
    private readonly List<string> _reads = [];
    private readonly List<(string Start, string End)> _rangeReads = [];
    private readonly Dictionary<string, byte[]?> _writes = new(StringComparer.Ordinal);

    internal InMemoryStub(InMemoryLedger ledger, string txId, DateTimeOffset timestamp, ReadOnlyMemory<byte> creator, IReadOnlyList<ReadOnlyMemory<byte>> args)
    {
        Ledger = ledger;
        TxId = txId;
        TxTimestamp = timestamp;
        Creator = creator;
        Args = args;
        StringArgs = [.. args.Select(a => Encoding.UTF8.GetString(a.Span))];
    }

    /// <summary>The ledger the transaction runs on.</summary>
    public InMemoryLedger Ledger { get; }

    /// <summary>The keys read with <see cref="GetStateAsync"/>, in order.</summary>
    public IReadOnlyList<string> Reads => _reads;

    /// <summary>The ranges read (range, partial composite key and their paginated forms), empty start as <c>"\u0001"</c>.</summary>
    public IReadOnlyList<(string Start, string End)> RangeReads => _rangeReads;

    /// <summary>The writes, key → new value, null for a delete.</summary>
    public IReadOnlyDictionary<string, byte[]?> Writes => _writes;

    /// <inheritdoc />
    public string ChannelId => Ledger.ChannelId;

    /// <inheritdoc />
    public string TxId { get; }

    /// <inheritdoc />
    public IReadOnlyList<ReadOnlyMemory<byte>> Args { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> StringArgs { get; }

    /// <inheritdoc />
    public SignedProposal? SignedProposal => null;

    /// <inheritdoc />
    public ReadOnlyMemory<byte> Creator { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Transient { get; } = new Dictionary<string, ReadOnlyMemory<byte>>();

    /// <inheritdoc />
    public DateTimeOffset TxTimestamp { get; }

    /// <inheritdoc />
    public ReadOnlyMemory<byte> Binding => ReadOnlyMemory<byte>.Empty;

    /// <inheritdoc />
    public ChaincodeEvent? ChaincodeEvent { get; private set; }

    /// <summary>
    /// A stub over a fresh ledger of its own whose writes apply at once (<see cref="InMemoryLedger.ApplyWritesImmediately"/>),
    /// with no creator: for unit tests that call a chaincode directly and then look at <c>Ledger.State</c>.
    /// </summary>
    /// <param name="args">The arguments, function name first.</param>
    public static InMemoryStub Standalone(params string[] args) =>
        new InMemoryLedger { ApplyWritesImmediately = true }.CreateStub(ReadOnlyMemory<byte>.Empty, args);

    /// <summary>A standalone stub (see <see cref="Standalone(string[])"/>) with raw arguments.</summary>
    /// <param name="args">The arguments, function name first.</param>
    public static InMemoryStub Standalone(IReadOnlyList<ReadOnlyMemory<byte>> args) =>
        new InMemoryLedger { ApplyWritesImmediately = true }.CreateStub(ReadOnlyMemory<byte>.Empty, args);

    /// <inheritdoc />
    public (string Function, IReadOnlyList<string> Parameters) GetFunctionAndParameters() => (StringArgs[0], StringArgs.Skip(1).ToArray());

    /// <inheritdoc />
    public Task<ReadOnlyMemory<byte>> GetStateAsync(string key, CancellationToken cancellationToken = default)
    {
        _reads.Add(key);
        return Task.FromResult(Ledger.State.TryGetValue(key, out var value) ? (ReadOnlyMemory<byte>)value : ReadOnlyMemory<byte>.Empty);
    }

    /// <inheritdoc />
    public Task PutStateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(key) || value.IsEmpty)
        {
            throw new ArgumentException($"empty key or value (key '{key}')");
        }
        Write(key, value.ToArray());
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeleteStateAsync(string key, CancellationToken cancellationToken = default)
    {
        Write(key, null);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public IAsyncEnumerable<KeyValue> GetStateByRange(string startKey, string endKey) => ToAsync(() => Range(startKey, endKey));

    /// <inheritdoc />
    public Task<QueryPage<KeyValue>> GetStateByRangeWithPaginationAsync(string startKey, string endKey, int pageSize, string bookmark, CancellationToken cancellationToken = default) =>
        Task.FromResult(Page(Range(startKey, endKey), pageSize, bookmark));

    /// <inheritdoc />
    public IAsyncEnumerable<KeyValue> GetStateByPartialCompositeKey(string objectType, params IEnumerable<string> attributes)
    {
        var (start, end) = CompositeKeys.PartialRange(objectType, attributes);
        return ToAsync(() => Range(start, end));
    }

    /// <inheritdoc />
    public Task<QueryPage<KeyValue>> GetStateByPartialCompositeKeyWithPaginationAsync(string objectType, IEnumerable<string> attributes, int pageSize, string bookmark, CancellationToken cancellationToken = default)
    {
        var (start, end) = CompositeKeys.PartialRange(objectType, attributes);
        return Task.FromResult(Page(Range(start, end), pageSize, bookmark));
    }

    /// <inheritdoc />
    public IAsyncEnumerable<KeyValue> GetQueryResult(string query) => ToAsync(() => Ledger.ExecuteQuery(query));

    /// <inheritdoc />
    public Task<QueryPage<KeyValue>> GetQueryResultWithPaginationAsync(string query, int pageSize, string bookmark, CancellationToken cancellationToken = default) =>
        Task.FromResult(Page(Ledger.ExecuteQuery(query), pageSize, bookmark));

    /// <inheritdoc />
    public IAsyncEnumerable<KeyModification> GetHistoryForKey(string key) => ToAsync(() => Ledger.History(key));

    /// <inheritdoc />
    public void SetEvent(string name, ReadOnlyMemory<byte> payload) =>
        ChaincodeEvent = new ChaincodeEvent { EventName = name, Payload = ByteString.CopyFrom(payload.Span) };

    /// <inheritdoc />
    public Task<ReadOnlyMemory<byte>> GetStateValidationParameterAsync(string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <inheritdoc />
    public Task SetStateValidationParameterAsync(string key, ReadOnlyMemory<byte> endorsementPolicy, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <inheritdoc />
    public Task<ReadOnlyMemory<byte>> GetPrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <inheritdoc />
    public Task<ReadOnlyMemory<byte>> GetPrivateDataHashAsync(string collection, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <inheritdoc />
    public Task PutPrivateDataAsync(string collection, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <inheritdoc />
    public Task DeletePrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <inheritdoc />
    public Task PurgePrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <inheritdoc />
    public Task<ChaincodeResponse> InvokeChaincodeAsync(string chaincodeName, IEnumerable<ReadOnlyMemory<byte>> args, string? channel = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    private static QueryPage<KeyValue> Page(IReadOnlyList<KeyValue> all, int pageSize, string bookmark)
    {
        var start = bookmark.Length == 0 ? 0 : all.ToList().FindIndex(kv => kv.Key == bookmark) + 1;
        var page = all.Skip(start).Take(pageSize).ToList();
        var more = start + page.Count < all.Count;
        return new QueryPage<KeyValue>(page, page.Count, more ? page[^1].Key : "");
    }

    private static async IAsyncEnumerable<T> ToAsync<T>(Func<IReadOnlyList<T>> results, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        foreach (var item in results())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
    }

    private void Write(string key, byte[]? value)
    {
        _writes[key] = value;
        if (Ledger.ApplyWritesImmediately)
        {
            Ledger.Apply(this, key, value);
        }
    }

    /// <summary>Records the range read and takes the committed entries in [start, end) (empty start: from the first simple key).</summary>
    private List<KeyValue> Range(string startKey, string endKey)
    {
        var start = startKey.Length == 0 ? "\u0001" : startKey;
        _rangeReads.Add((start, endKey));
        return [.. Ledger.State.Where(p => Utf8Comparer.Instance.InRange(p.Key, start, endKey)).Select(p => new KeyValue(Ledger.ChaincodeName, p.Key, p.Value))];
    }
}
