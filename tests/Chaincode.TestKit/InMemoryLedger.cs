using System.Globalization;
using System.Text;
using ZonCoin.Chaincode.Shim;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Chaincode.TestKit;

/// <summary>
/// The committed state of one chaincode on one channel, in memory: values in UTF-8 key order, each key's history,
/// the events of committed transactions and a clock. Each transaction gets its own <see cref="InMemoryStub"/> that
/// reads committed state only (as on a peer) and buffers its writes; <see cref="Commit"/> applies them.
/// </summary>
/// <remarks>
/// Derive from it to add a project's helpers, or override <see cref="EvaluateRichQuery"/> to answer rich queries
/// differently.
/// </remarks>
public class InMemoryLedger
{
    /// <summary>The error a peer whose state database is SQLite gives for a rich query.</summary>
    public const string SqliteQueryError = "ExecuteQuery not supported for sqlite (state database has no JSON query support)";

    private readonly Dictionary<string, List<KeyModification>> _history = new(StringComparer.Ordinal);
    private readonly List<ChaincodeEvent> _events = [];
    private readonly List<string> _queries = [];
    private int _transactions;

    /// <summary>The channel the transactions run on.</summary>
    public string ChannelId { get; init; } = "testchannel";

    /// <summary>The chaincode whose state this is: the namespace of the <see cref="KeyValue"/> results.</summary>
    public string ChaincodeName { get; init; } = "testcc";

    /// <summary>
    /// False (the default): a transaction's writes are buffered and applied only by <see cref="Commit"/>, so a failed
    /// transaction leaves nothing behind. True: writes apply to <see cref="State"/> as they are made and later reads
    /// see them, as a bare unit-test stub does.
    /// </summary>
    public bool ApplyWritesImmediately { get; init; }

    /// <summary>How far <see cref="Now"/> moves after each <see cref="SubmitAsync"/>; zero keeps the clock still.</summary>
    public TimeSpan ClockStep { get; init; }

    /// <summary>The committed values, in UTF-8 key order. Tests may read and change it directly.</summary>
    public SortedDictionary<string, byte[]> State { get; } = new(Utf8Comparer.Instance);

    /// <summary>The events of committed transactions, in commit order.</summary>
    public IReadOnlyList<ChaincodeEvent> Events => _events;

    /// <summary>The rich queries transactions sent, in order (whether or not they were answered).</summary>
    public IReadOnlyList<string> Queries => _queries;

    /// <summary>The timestamp of the next transactions.</summary>
    public DateTimeOffset Now { get; set; } = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    /// <summary>False (the default): the state database has no JSON queries and rich queries fail with <see cref="QueryError"/>.</summary>
    public bool RichQueries { get; set; }

    /// <summary>The peer's error text for a rich query while <see cref="RichQueries"/> is false.</summary>
    public string QueryError { get; set; } = SqliteQueryError;

    /// <summary>Starts a transaction: a stub with the next transaction id, <see cref="Now"/> as its timestamp and the given creator and arguments.</summary>
    /// <param name="creator">The proposal creator (<c>msp.SerializedIdentity</c> bytes), or empty for none.</param>
    /// <param name="args">The arguments, function name first.</param>
    public InMemoryStub CreateStub(ReadOnlyMemory<byte> creator, IReadOnlyList<ReadOnlyMemory<byte>> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var txId = string.Create(CultureInfo.InvariantCulture, $"tx{++_transactions:D6}");
        return new InMemoryStub(this, txId, Now, creator, args);
    }

    /// <summary>Starts a transaction with UTF-8 string arguments (see <see cref="CreateStub(ReadOnlyMemory{byte}, IReadOnlyList{ReadOnlyMemory{byte}})"/>).</summary>
    /// <param name="creator">The proposal creator, or empty for none.</param>
    /// <param name="args">The arguments, function name first.</param>
    public InMemoryStub CreateStub(ReadOnlyMemory<byte> creator, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return CreateStub(creator, [.. args.Select(a => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(a))]);
    }

    /// <summary>Commits a transaction: applies its buffered writes (recording history) and keeps its event.</summary>
    /// <param name="stub">A stub this ledger created.</param>
    public void Commit(InMemoryStub stub)
    {
        ArgumentNullException.ThrowIfNull(stub);
        if (!ReferenceEquals(stub.Ledger, this))
        {
            throw new ArgumentException("the stub belongs to another ledger", nameof(stub));
        }
        if (!ApplyWritesImmediately)
        {
            foreach (var (key, value) in stub.Writes)
            {
                Apply(stub, key, value);
            }
        }
        if (stub.ChaincodeEvent is { } committed)
        {
            _events.Add(committed);
        }
    }

    /// <summary>
    /// Runs one transaction of <paramref name="chaincode"/>, commits it when it succeeds, and moves the clock on by
    /// <see cref="ClockStep"/>.
    /// </summary>
    /// <param name="chaincode">The chaincode to invoke.</param>
    /// <param name="creator">The caller's serialized identity, or empty for none.</param>
    /// <param name="function">The function name.</param>
    /// <param name="args">The remaining arguments.</param>
    public async Task<TransactionResult> SubmitAsync(IChaincode chaincode, ReadOnlyMemory<byte> creator, string function, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(chaincode);
        ArgumentNullException.ThrowIfNull(args);
        var stub = CreateStub(creator, [function, .. args]);
        var response = await chaincode.InvokeAsync(stub, CancellationToken.None).ConfigureAwait(false);
        if (response.IsSuccess)
        {
            Commit(stub);
        }
        Now += ClockStep;
        return new TransactionResult(stub.TxId, response, response.IsSuccess ? stub.ChaincodeEvent : null, stub.Reads, stub.RangeReads, stub.Writes);
    }

    /// <summary>Every committed change of <paramref name="key"/>, newest first.</summary>
    /// <param name="key">The key.</param>
    public IReadOnlyList<KeyModification> History(string key) =>
        _history.TryGetValue(key, out var changes) ? [.. Enumerable.Reverse(changes)] : [];

    /// <summary>The committed state as key → hex value, for comparing before and after.</summary>
    public Dictionary<string, string> Snapshot() => State.ToDictionary(p => p.Key, p => Convert.ToHexString(p.Value), StringComparer.Ordinal);

    /// <summary>Answers a rich query sent by a transaction: records it, then fails unless <see cref="RichQueries"/> is on.</summary>
    /// <param name="query">The query string.</param>
    internal IReadOnlyList<KeyValue> ExecuteQuery(string query)
    {
        _queries.Add(query);
        if (!RichQueries)
        {
            throw new ChaincodeStubException(QueryError);
        }
        return [.. EvaluateRichQuery(query).Select(p => new KeyValue(ChaincodeName, p.Key, p.Value))];
    }

    /// <summary>Writes or deletes one key in committed state and records the change in its history.</summary>
    /// <param name="stub">The transaction that made the change.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The new value, or null to delete.</param>
    internal void Apply(InMemoryStub stub, string key, byte[]? value)
    {
        if (value is null)
        {
            State.Remove(key);
        }
        else
        {
            State[key] = value;
        }
        if (!_history.TryGetValue(key, out var changes))
        {
            _history[key] = changes = [];
        }
        changes.Add(new KeyModification(stub.TxId, value ?? ReadOnlyMemory<byte>.Empty, stub.TxTimestamp, value is null));
    }

    /// <summary>
    /// The committed entries that match a rich query, in result order. By default a CouchDB-style selector of the
    /// forms contracts commonly send (see <see cref="SelectorQuery"/>).
    /// </summary>
    /// <param name="query">The query string.</param>
    protected virtual IEnumerable<KeyValuePair<string, byte[]>> EvaluateRichQuery(string query) => SelectorQuery.Evaluate(State, query);
}
