using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;
using MessageType = ZonCoin.Protos.Peer.ChaincodeMessage.Types.Type;
using WireKeyModification = ZonCoin.Protos.Ledger.QueryResult.KeyModification;
using WireKv = ZonCoin.Protos.Ledger.QueryResult.KV;

namespace ZonCoin.Chaincode.Shim;

/// <summary>Sends one transaction's requests to the peer and returns the <c>RESPONSE</c> payloads.</summary>
internal interface ITransactionChannel
{
    /// <summary>Sends a request and waits for its reply; an <c>ERROR</c> reply throws <see cref="ChaincodeStubException"/>.</summary>
    Task<ByteString> AskAsync(MessageType type, IMessage payload, CancellationToken cancellationToken);
}

/// <summary>The shim's <see cref="IChaincodeStub"/>: requests travel as ChaincodeMessages on the transaction's stream.</summary>
internal sealed class ChaincodeStub : IChaincodeStub
{
    /// <summary>Fabric substitutes this for an empty range start so that composite keys (starting U+0000) are skipped.</summary>
    internal const string EmptyKeySubstitute = "\u0001";

    /// <summary>The state metadata key holding a key-level endorsement policy.</summary>
    internal const string ValidationParameter = "VALIDATION_PARAMETER";

    private readonly ITransactionChannel _channel;

    public ChaincodeStub(ITransactionChannel channel, string channelId, string txId, ChaincodeInput input, SignedProposal? signedProposal)
    {
        _channel = channel;
        ChannelId = channelId;
        TxId = txId;
        Args = [.. input.Args.Select(arg => (ReadOnlyMemory<byte>)arg.ToByteArray())];
        StringArgs = [.. input.Args.Select(arg => arg.ToStringUtf8())];
        SignedProposal = signedProposal;
        if (signedProposal is null || signedProposal.ProposalBytes.IsEmpty)
        {
            return;
        }
        var proposal = Proposal.Parser.ParseFrom(signedProposal.ProposalBytes);
        var header = Header.Parser.ParseFrom(proposal.Header);
        var channelHeader = ChannelHeader.Parser.ParseFrom(header.ChannelHeader);
        var signatureHeader = SignatureHeader.Parser.ParseFrom(header.SignatureHeader);
        var payload = ChaincodeProposalPayload.Parser.ParseFrom(proposal.Payload);
        Creator = signatureHeader.Creator.ToByteArray();
        Transient = payload.TransientMap.ToDictionary(pair => pair.Key, pair => (ReadOnlyMemory<byte>)pair.Value.ToByteArray(), StringComparer.Ordinal);
        TxTimestamp = channelHeader.Timestamp?.ToDateTimeOffset() ?? default;
        Span<byte> epoch = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(epoch, channelHeader.Epoch);
        Binding = SHA256.HashData([.. signatureHeader.Nonce.Span, .. signatureHeader.Creator.Span, .. epoch]);
    }

    public string ChannelId { get; }

    public string TxId { get; }

    public IReadOnlyList<ReadOnlyMemory<byte>> Args { get; }

    public IReadOnlyList<string> StringArgs { get; }

    public SignedProposal? SignedProposal { get; }

    public ReadOnlyMemory<byte> Creator { get; }

    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Transient { get; } = new Dictionary<string, ReadOnlyMemory<byte>>();

    public DateTimeOffset TxTimestamp { get; }

    public ReadOnlyMemory<byte> Binding { get; }

    public ChaincodeEvent? ChaincodeEvent { get; private set; }

    public (string Function, IReadOnlyList<string> Parameters) GetFunctionAndParameters() =>
        StringArgs.Count == 0 ? ("", []) : (StringArgs[0], StringArgs.Skip(1).ToArray());

    public async Task<ReadOnlyMemory<byte>> GetStateAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var reply = await _channel.AskAsync(MessageType.GetState, new GetState { Key = key }, cancellationToken).ConfigureAwait(false);
        return reply.ToByteArray();
    }

    public Task PutStateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return _channel.AskAsync(MessageType.PutState, new PutState { Key = key, Value = ByteString.CopyFrom(value.Span) }, cancellationToken);
    }

    public Task DeleteStateAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return _channel.AskAsync(MessageType.DelState, new DelState { Key = key }, cancellationToken);
    }

    public IAsyncEnumerable<KeyValue> GetStateByRange(string startKey, string endKey)
    {
        var request = RangeRequest(startKey, endKey, validateSimple: true);
        return Iterate(MessageType.GetStateByRange, request, ParseKv);
    }

    public Task<QueryPage<KeyValue>> GetStateByRangeWithPaginationAsync(string startKey, string endKey, int pageSize, string bookmark, CancellationToken cancellationToken = default)
    {
        var request = RangeRequest(startKey, endKey, validateSimple: true);
        request.Metadata = PageMetadata(pageSize, bookmark);
        return PageAsync(MessageType.GetStateByRange, request, cancellationToken);
    }

    public IAsyncEnumerable<KeyValue> GetStateByPartialCompositeKey(string objectType, params IEnumerable<string> attributes)
    {
        var (start, end) = CompositeKeys.PartialRange(objectType, attributes);
        return Iterate(MessageType.GetStateByRange, new GetStateByRange { StartKey = start, EndKey = end }, ParseKv);
    }

    public Task<QueryPage<KeyValue>> GetStateByPartialCompositeKeyWithPaginationAsync(string objectType, IEnumerable<string> attributes, int pageSize, string bookmark, CancellationToken cancellationToken = default)
    {
        var (start, end) = CompositeKeys.PartialRange(objectType, attributes);
        var request = new GetStateByRange { StartKey = start, EndKey = end, Metadata = PageMetadata(pageSize, bookmark) };
        return PageAsync(MessageType.GetStateByRange, request, cancellationToken);
    }

    public IAsyncEnumerable<KeyValue> GetQueryResult(string query)
    {
        ArgumentException.ThrowIfNullOrEmpty(query);
        return Iterate(MessageType.GetQueryResult, new GetQueryResult { Query = query }, ParseKv);
    }

    public Task<QueryPage<KeyValue>> GetQueryResultWithPaginationAsync(string query, int pageSize, string bookmark, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(query);
        return PageAsync(MessageType.GetQueryResult, new GetQueryResult { Query = query, Metadata = PageMetadata(pageSize, bookmark) }, cancellationToken);
    }

    public IAsyncEnumerable<KeyModification> GetHistoryForKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return Iterate(MessageType.GetHistoryForKey, new GetHistoryForKey { Key = key }, ParseKeyModification);
    }

    public async Task<ReadOnlyMemory<byte>> GetStateValidationParameterAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var reply = await _channel.AskAsync(MessageType.GetStateMetadata, new GetStateMetadata { Key = key }, cancellationToken).ConfigureAwait(false);
        var result = StateMetadataResult.Parser.ParseFrom(reply);
        var entry = result.Entries.FirstOrDefault(e => e.Metakey == ValidationParameter);
        return entry is null ? ReadOnlyMemory<byte>.Empty : entry.Value.ToByteArray();
    }

    public Task SetStateValidationParameterAsync(string key, ReadOnlyMemory<byte> endorsementPolicy, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var request = new PutStateMetadata
        {
            Key = key,
            Metadata = new StateMetadata { Metakey = ValidationParameter, Value = ByteString.CopyFrom(endorsementPolicy.Span) },
        };
        return _channel.AskAsync(MessageType.PutStateMetadata, request, cancellationToken);
    }

    public async Task<ReadOnlyMemory<byte>> GetPrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        ArgumentNullException.ThrowIfNull(key);
        var reply = await _channel.AskAsync(MessageType.GetState, new GetState { Key = key, Collection = collection }, cancellationToken).ConfigureAwait(false);
        return reply.ToByteArray();
    }

    public async Task<ReadOnlyMemory<byte>> GetPrivateDataHashAsync(string collection, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        ArgumentNullException.ThrowIfNull(key);
        var reply = await _channel.AskAsync(MessageType.GetPrivateDataHash, new GetState { Key = key, Collection = collection }, cancellationToken).ConfigureAwait(false);
        return reply.ToByteArray();
    }

    public Task PutPrivateDataAsync(string collection, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (value.IsEmpty)
        {
            throw new ArgumentException("private data value must not be empty", nameof(value));
        }
        return _channel.AskAsync(MessageType.PutState, new PutState { Key = key, Value = ByteString.CopyFrom(value.Span), Collection = collection }, cancellationToken);
    }

    public Task DeletePrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        ArgumentException.ThrowIfNullOrEmpty(key);
        return _channel.AskAsync(MessageType.DelState, new DelState { Key = key, Collection = collection }, cancellationToken);
    }

    public Task PurgePrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        ArgumentException.ThrowIfNullOrEmpty(key);
        return _channel.AskAsync(MessageType.PurgePrivateData, new PurgePrivateState { Key = key, Collection = collection }, cancellationToken);
    }

    public async Task<ChaincodeResponse> InvokeChaincodeAsync(string chaincodeName, IEnumerable<ReadOnlyMemory<byte>> args, string? channel = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(chaincodeName);
        ArgumentNullException.ThrowIfNull(args);
        var input = new ChaincodeInput();
        input.Args.AddRange(args.Select(arg => ByteString.CopyFrom(arg.Span)));
        var spec = new ChaincodeSpec
        {
            ChaincodeId = new ChaincodeID { Name = string.IsNullOrEmpty(channel) ? chaincodeName : $"{chaincodeName}/{channel}" },
            Input = input,
        };
        var reply = await _channel.AskAsync(MessageType.InvokeChaincode, spec, cancellationToken).ConfigureAwait(false);
        var callee = ChaincodeMessage.Parser.ParseFrom(reply);
        if (callee.Type != MessageType.Completed)
        {
            throw new ChaincodeStubException(callee.Payload.ToStringUtf8());
        }
        var response = Response.Parser.ParseFrom(callee.Payload);
        return new ChaincodeResponse(response.Status, response.Message, response.Payload.ToByteArray());
    }

    public void SetEvent(string name, ReadOnlyMemory<byte> payload)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("Event name must be a non-empty string", nameof(name));
        }
        ChaincodeEvent = new ChaincodeEvent { EventName = name, Payload = ByteString.CopyFrom(payload.Span) };
    }

    private static GetStateByRange RangeRequest(string startKey, string endKey, bool validateSimple)
    {
        ArgumentNullException.ThrowIfNull(startKey);
        ArgumentNullException.ThrowIfNull(endKey);
        if (validateSimple)
        {
            foreach (var key in new[] { startKey, endKey })
            {
                if (key.Length > 0 && key[0] == CompositeKeys.Separator)
                {
                    throw new ArgumentException($"first character of the key [{key}] contains a null character which is not allowed");
                }
            }
        }
        return new GetStateByRange { StartKey = startKey.Length == 0 ? EmptyKeySubstitute : startKey, EndKey = endKey };
    }

    private static ByteString PageMetadata(int pageSize, string bookmark)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        return new QueryMetadata { PageSize = pageSize, Bookmark = bookmark ?? "" }.ToByteString();
    }

    private static KeyValue ParseKv(QueryResultBytes result)
    {
        var kv = WireKv.Parser.ParseFrom(result.ResultBytes);
        return new KeyValue(kv.Namespace, kv.Key, kv.Value.ToByteArray());
    }

    private static KeyModification ParseKeyModification(QueryResultBytes result)
    {
        var modification = WireKeyModification.Parser.ParseFrom(result.ResultBytes);
        return new KeyModification(modification.TxId, modification.Value.ToByteArray(),
            modification.Timestamp?.ToDateTimeOffset() ?? default, modification.IsDelete);
    }

    private async Task<QueryPage<KeyValue>> PageAsync(MessageType type, IMessage request, CancellationToken cancellationToken)
    {
        var response = QueryResponse.Parser.ParseFrom(await _channel.AskAsync(type, request, cancellationToken).ConfigureAwait(false));
        var metadata = response.Metadata.IsEmpty ? new QueryResponseMetadata() : QueryResponseMetadata.Parser.ParseFrom(response.Metadata);
        var results = new List<KeyValue>();
        try
        {
            while (true)
            {
                results.AddRange(response.Results.Select(ParseKv));
                if (!response.HasMore)
                {
                    break;
                }
                response = await NextAsync(response.Id, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await CloseAsync(response.Id, CancellationToken.None).ConfigureAwait(false);
        }
        return new QueryPage<KeyValue>(results, metadata.FetchedRecordsCount, metadata.Bookmark);
    }

    private async IAsyncEnumerable<T> Iterate<T>(MessageType type, IMessage request, Func<QueryResultBytes, T> parse, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = QueryResponse.Parser.ParseFrom(await _channel.AskAsync(type, request, cancellationToken).ConfigureAwait(false));
        try
        {
            while (true)
            {
                foreach (var result in response.Results)
                {
                    yield return parse(result);
                }
                if (!response.HasMore)
                {
                    break;
                }
                response = await NextAsync(response.Id, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Node closes after exhaustion too; the peer treats closing a finished query as a no-op.
            await CloseAsync(response.Id, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<QueryResponse> NextAsync(string id, CancellationToken cancellationToken) =>
        QueryResponse.Parser.ParseFrom(await _channel.AskAsync(MessageType.QueryStateNext, new QueryStateNext { Id = id }, cancellationToken).ConfigureAwait(false));

    private Task<ByteString> CloseAsync(string id, CancellationToken cancellationToken) =>
        _channel.AskAsync(MessageType.QueryStateClose, new QueryStateClose { Id = id }, cancellationToken);

    public override string ToString() => $"[{ChannelId}-{TxId[..Math.Min(8, TxId.Length)]}] {Encoding.UTF8.GetString(Args.Count > 0 ? Args[0].Span : [])}";
}
