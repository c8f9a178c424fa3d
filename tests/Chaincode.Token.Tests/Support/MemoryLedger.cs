using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Google.Protobuf;
using ZonCoin.Chaincode.Contracts;
using ZonCoin.Chaincode.Shim;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Chaincode.Token.Tests.Support;

/// <summary>
/// Committed state for contract tests. Each <see cref="Invoke"/> runs one transaction through the contract dispatcher
/// with a fresh stub that reads committed state only (as Fabric does), records its reads, range reads and writes, and
/// commits the writes only when the transaction succeeds.
/// </summary>
internal sealed class MemoryLedger
{
    private readonly ContractChaincode _chaincode;
    private int _txCount;

    public MemoryLedger(params Contract[] contracts)
    {
        _chaincode = new ContractChaincode(contracts);
    }

    public SortedDictionary<string, byte[]> State { get; } = new(Utf8Comparer.Instance);

    /// <summary>The transaction timestamp of the next transactions.</summary>
    public DateTimeOffset Now { get; set; } = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    public TxResult Invoke(TestUser caller, string function, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var txId = $"tx{++_txCount:D6}";
        var stub = new TxStub(this, txId, caller.Creator, [function, .. args]);
        var response = _chaincode.InvokeAsync(stub, CancellationToken.None).GetAwaiter().GetResult();
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
        }
        return new TxResult(txId, response, response.IsSuccess ? stub.ChaincodeEvent : null, stub.Reads, stub.RangeReads, stub.Writes);
    }

    public Dictionary<string, string> Snapshot() => State.ToDictionary(p => p.Key, p => Convert.ToHexString(p.Value), StringComparer.Ordinal);

    private sealed class TxStub : IChaincodeStub
    {
        private readonly MemoryLedger _ledger;

        public TxStub(MemoryLedger ledger, string txId, byte[] creator, string[] args)
        {
            _ledger = ledger;
            TxId = txId;
            Creator = creator;
            StringArgs = args;
            Args = [.. args.Select(a => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(a))];
            TxTimestamp = ledger.Now;
        }

        public List<string> Reads { get; } = [];

        public List<(string Start, string End)> RangeReads { get; } = [];

        public Dictionary<string, byte[]?> Writes { get; } = new(StringComparer.Ordinal);

        public string ChannelId => "zoncoin";

        public string TxId { get; }

        public IReadOnlyList<ReadOnlyMemory<byte>> Args { get; }

        public IReadOnlyList<string> StringArgs { get; }

        public SignedProposal? SignedProposal => null;

        public ReadOnlyMemory<byte> Creator { get; }

        public IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Transient { get; } = new Dictionary<string, ReadOnlyMemory<byte>>();

        public DateTimeOffset TxTimestamp { get; }

        public ReadOnlyMemory<byte> Binding => ReadOnlyMemory<byte>.Empty;

        public ChaincodeEvent? ChaincodeEvent { get; private set; }

        public (string Function, IReadOnlyList<string> Parameters) GetFunctionAndParameters() => (StringArgs[0], StringArgs.Skip(1).ToArray());

        public Task<ReadOnlyMemory<byte>> GetStateAsync(string key, CancellationToken cancellationToken = default)
        {
            Reads.Add(key);
            return Task.FromResult(_ledger.State.TryGetValue(key, out var value) ? (ReadOnlyMemory<byte>)value : ReadOnlyMemory<byte>.Empty);
        }

        public Task PutStateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
        {
            if (string.IsNullOrEmpty(key) || value.IsEmpty)
            {
                throw new ArgumentException("empty key or value");
            }
            Writes[key] = value.ToArray();
            return Task.CompletedTask;
        }

        public Task DeleteStateAsync(string key, CancellationToken cancellationToken = default)
        {
            Writes[key] = null;
            return Task.CompletedTask;
        }

        public IAsyncEnumerable<KeyValue> GetStateByRange(string startKey, string endKey) => Range(startKey.Length == 0 ? "\u0001" : startKey, endKey);

        public IAsyncEnumerable<KeyValue> GetStateByPartialCompositeKey(string objectType, params IEnumerable<string> attributes)
        {
            var (start, end) = CompositeKeys.PartialRange(objectType, attributes);
            return Range(start, end);
        }

        public void SetEvent(string name, ReadOnlyMemory<byte> payload) =>
            ChaincodeEvent = new ChaincodeEvent { EventName = name, Payload = ByteString.CopyFrom(payload.Span) };

        public Task<QueryPage<KeyValue>> GetStateByRangeWithPaginationAsync(string startKey, string endKey, int pageSize, string bookmark, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<QueryPage<KeyValue>> GetStateByPartialCompositeKeyWithPaginationAsync(string objectType, IEnumerable<string> attributes, int pageSize, string bookmark, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<KeyValue> GetQueryResult(string query) => throw new NotSupportedException();

        public Task<QueryPage<KeyValue>> GetQueryResultWithPaginationAsync(string query, int pageSize, string bookmark, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<KeyModification> GetHistoryForKey(string key) => throw new NotSupportedException();

        public Task<ReadOnlyMemory<byte>> GetStateValidationParameterAsync(string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task SetStateValidationParameterAsync(string key, ReadOnlyMemory<byte> endorsementPolicy, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ReadOnlyMemory<byte>> GetPrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ReadOnlyMemory<byte>> GetPrivateDataHashAsync(string collection, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task PutPrivateDataAsync(string collection, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task DeletePrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task PurgePrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ChaincodeResponse> InvokeChaincodeAsync(string chaincodeName, IEnumerable<ReadOnlyMemory<byte>> args, string? channel = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        private async IAsyncEnumerable<KeyValue> Range(string start, string end, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            RangeReads.Add((start, end));
            await Task.Yield();
            var comparer = Utf8Comparer.Instance;
            foreach (var (key, value) in _ledger.State.Where(p => comparer.Compare(p.Key, start) >= 0 && (end.Length == 0 || comparer.Compare(p.Key, end) < 0)).ToList())
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return new KeyValue("zoncoin", key, value);
            }
        }
    }
}

/// <summary>What one transaction did.</summary>
internal sealed record TxResult(
    string TxId,
    ChaincodeResponse Response,
    ChaincodeEvent? Event,
    IReadOnlyList<string> Reads,
    IReadOnlyList<(string Start, string End)> RangeReads,
    IReadOnlyDictionary<string, byte[]?> Writes)
{
    public bool Ok => Response.IsSuccess;

    public string Text => Encoding.UTF8.GetString(Response.Payload.Span);

    public string Message => Response.Message;

    public string EventName => Event?.EventName ?? "";

    public string EventJson => Event?.Payload.ToStringUtf8() ?? "";

    /// <summary>True when the transaction read <paramref name="key"/>, directly or through a range.</summary>
    public bool ReadCovers(string key) =>
        Reads.Contains(key) || RangeReads.Any(r => Utf8Comparer.Instance.Compare(key, r.Start) >= 0 && (r.End.Length == 0 || Utf8Comparer.Instance.Compare(key, r.End) < 0));

    public override string ToString() => Ok ? $"{TxId} ok {Text}" : $"{TxId} failed: {Message}";

    public static long Parse(string text) => long.Parse(text, CultureInfo.InvariantCulture);
}
