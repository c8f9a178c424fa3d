using System.Runtime.CompilerServices;
using System.Text;
using Google.Protobuf;
using ZonCoin.Chaincode.Shim;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Chaincode.Tests.Support;

/// <summary>An in-memory stub for unit tests of the contract layer: state in a sorted map, no proposal.</summary>
internal sealed class FakeStub : IChaincodeStub
{
    public FakeStub(params string[] args)
    {
        StringArgs = args;
        Args = [.. args.Select(a => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(a))];
    }

    public FakeStub(IReadOnlyList<ReadOnlyMemory<byte>> args)
    {
        Args = args;
        StringArgs = [.. args.Select(a => Encoding.UTF8.GetString(a.Span))];
    }

    public SortedDictionary<string, byte[]> State { get; } = new(Utf8Comparer.Instance);

    public string ChannelId => "testchannel";

    public string TxId => "tx1";

    public IReadOnlyList<ReadOnlyMemory<byte>> Args { get; }

    public IReadOnlyList<string> StringArgs { get; }

    public SignedProposal? SignedProposal => null;

    public ReadOnlyMemory<byte> Creator => ReadOnlyMemory<byte>.Empty;

    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Transient { get; } = new Dictionary<string, ReadOnlyMemory<byte>>();

    public DateTimeOffset TxTimestamp => DateTimeOffset.UnixEpoch;

    public ReadOnlyMemory<byte> Binding => ReadOnlyMemory<byte>.Empty;

    public ChaincodeEvent? ChaincodeEvent { get; private set; }

    public (string Function, IReadOnlyList<string> Parameters) GetFunctionAndParameters() => (StringArgs[0], StringArgs.Skip(1).ToArray());

    public Task<ReadOnlyMemory<byte>> GetStateAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(State.TryGetValue(key, out var value) ? (ReadOnlyMemory<byte>)value : ReadOnlyMemory<byte>.Empty);

    public Task PutStateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        State[key] = value.ToArray();
        return Task.CompletedTask;
    }

    public Task DeleteStateAsync(string key, CancellationToken cancellationToken = default)
    {
        State.Remove(key);
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<KeyValue> GetStateByRange(string startKey, string endKey)
    {
        await Task.Yield();
        foreach (var (key, value) in State.Where(p => Utf8Comparer.Instance.Compare(p.Key, startKey.Length == 0 ? "\u0001" : startKey) >= 0
            && (endKey.Length == 0 || Utf8Comparer.Instance.Compare(p.Key, endKey) < 0)).ToList())
        {
            yield return new KeyValue("fake", key, value);
        }
    }

    public Task<QueryPage<KeyValue>> GetStateByRangeWithPaginationAsync(string startKey, string endKey, int pageSize, string bookmark, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public IAsyncEnumerable<KeyValue> GetStateByPartialCompositeKey(string objectType, params IEnumerable<string> attributes)
    {
        var (start, end) = CompositeKeys.PartialRange(objectType, attributes);
        return GetStateByRange(start, end);
    }

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

    public void SetEvent(string name, ReadOnlyMemory<byte> payload) =>
        ChaincodeEvent = new ChaincodeEvent { EventName = name, Payload = ByteString.CopyFrom(payload.Span) };
}
