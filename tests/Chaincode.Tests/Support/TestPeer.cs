using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;
using MessageType = ZonCoin.Protos.Peer.ChaincodeMessage.Types.Type;
using WireKeyModification = ZonCoin.Protos.Ledger.QueryResult.KeyModification;
using WireKv = ZonCoin.Protos.Ledger.QueryResult.KV;

namespace ZonCoin.Chaincode.Tests.Support;

/// <summary>
/// A test "peer": dials a chaincode server's <c>/protos.Chaincode/Connect</c> with the real RPC client, completes the
/// handshake, sends transactions and answers the shim's requests from an in-memory state map. Every message the
/// chaincode sends is kept in <see cref="Received"/>. Writes apply at once (a simplification: a real peer applies them at commit).
/// </summary>
internal sealed class TestPeer : IAsyncDisposable
{
    public const string Namespace = "basic";
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private readonly GrpcChannel _channel;
    private readonly AsyncDuplexStreamingCall<ChaincodeMessage, ChaincodeMessage> _call;
    private readonly Dictionary<string, List<WireKv>> _openQueries = new(StringComparer.Ordinal);
    private int _nextQueryId;

    private TestPeer(GrpcChannel channel, AsyncDuplexStreamingCall<ChaincodeMessage, ChaincodeMessage> call)
    {
        _channel = channel;
        _call = call;
    }

    public SortedDictionary<string, byte[]> State { get; } = new(Utf8Comparer.Instance);

    public Dictionary<string, List<WireKeyModification>> History { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Dictionary<string, byte[]>> StateMetadata { get; } = new(StringComparer.Ordinal);

    /// <summary>Answers INVOKE_CHAINCODE: the callee's final message for a ChaincodeSpec.</summary>
    public Func<ChaincodeSpec, ChaincodeMessage>? InvokeChaincode { get; set; }

    /// <summary>When set, a request of this type is answered with ERROR and this text.</summary>
    public (MessageType Type, string Message)? FailRequest { get; set; }

    /// <summary>Results per QueryResponse batch (Fabric uses 100).</summary>
    public int BatchSize { get; set; } = 100;

    public List<ChaincodeMessage> Received { get; } = [];

    public static async Task<TestPeer> ConnectAsync(Uri address, RpcChannelOptions? options = null)
    {
        var channel = RpcChannels.ForAddress(address.ToString().TrimEnd('/'), options);
        var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(ChaincodeService.Connect, null, new CallOptions());
        await Task.CompletedTask;
        return new TestPeer(channel, call);
    }

    /// <summary>Reads REGISTER, answers REGISTERED and READY; returns the REGISTER message (and clears <see cref="Received"/>).</summary>
    public async Task<ChaincodeMessage> HandshakeAsync()
    {
        var register = await ReceiveAsync();
        await SendAsync(new ChaincodeMessage { Type = MessageType.Registered });
        await SendAsync(new ChaincodeMessage { Type = MessageType.Ready });
        Received.Clear();
        return register;
    }

    public Task SendAsync(ChaincodeMessage message) => _call.RequestStream.WriteAsync(message);

    public async Task<ChaincodeMessage> ReceiveAsync()
    {
        using var guard = new CancellationTokenSource(Guard);
        Assert.True(await _call.ResponseStream.MoveNext(guard.Token), "the chaincode ended the stream");
        var message = _call.ResponseStream.Current;
        Received.Add(message);
        return message;
    }

    /// <summary>A TRANSACTION for <paramref name="function"/> with a real signed proposal from <paramref name="signer"/>.</summary>
    public static ChaincodeMessage Transaction(SigningIdentity signer, string channelId, string function, string[] args, IReadOnlyDictionary<string, byte[]>? transient = null)
    {
        var invocation = ChaincodeInvocation.Of(channelId, Namespace, function, args) with { Transient = transient ?? new Dictionary<string, byte[]>() };
        var (proposal, txId) = Proposals.Create(invocation, signer);
        var input = new ChaincodeInput();
        input.Args.AddRange(invocation.Args.Select(ByteString.CopyFrom));
        return new ChaincodeMessage { Type = MessageType.Transaction, Txid = txId, ChannelId = channelId, Payload = input.ToByteString(), Proposal = proposal };
    }

    /// <summary>Sends the transaction and answers its requests until it completes; returns the COMPLETED (or ERROR) message.</summary>
    public async Task<ChaincodeMessage> RunAsync(ChaincodeMessage transaction)
    {
        await SendAsync(transaction);
        return (await ServeAsync(transaction.Txid))[transaction.Txid];
    }

    /// <summary>Answers requests until every listed transaction has sent COMPLETED or ERROR.</summary>
    public async Task<Dictionary<string, ChaincodeMessage>> ServeAsync(params string[] txIds)
    {
        var done = new Dictionary<string, ChaincodeMessage>(StringComparer.Ordinal);
        while (done.Count < txIds.Length)
        {
            var message = await ReceiveAsync();
            if (message.Type is MessageType.Completed or MessageType.Error)
            {
                Assert.Contains(message.Txid, txIds);
                done.Add(message.Txid, message);
                continue;
            }
            await SendAsync(Answer(message));
        }
        return done;
    }

    /// <summary>The reply a peer gives to one chaincode request.</summary>
    public ChaincodeMessage Answer(ChaincodeMessage request)
    {
        if (FailRequest is { } fail && fail.Type == request.Type)
        {
            return Reply(request, MessageType.Error, ByteString.CopyFromUtf8(fail.Message));
        }
        return Reply(request, MessageType.Response, request.Type switch
        {
            MessageType.GetState => State.TryGetValue(GetState.Parser.ParseFrom(request.Payload).Key, out var value) ? ByteString.CopyFrom(value) : ByteString.Empty,
            MessageType.PutState => Put(PutState.Parser.ParseFrom(request.Payload), request.Txid),
            MessageType.DelState => Delete(DelState.Parser.ParseFrom(request.Payload).Key, request.Txid),
            MessageType.GetStateByRange => Range(GetStateByRange.Parser.ParseFrom(request.Payload)),
            MessageType.QueryStateNext => NextBatch(QueryStateNext.Parser.ParseFrom(request.Payload).Id),
            MessageType.QueryStateClose => Close(QueryStateClose.Parser.ParseFrom(request.Payload).Id),
            MessageType.GetHistoryForKey => HistoryOf(GetHistoryForKey.Parser.ParseFrom(request.Payload).Key),
            MessageType.GetStateMetadata => MetadataOf(GetStateMetadata.Parser.ParseFrom(request.Payload).Key),
            MessageType.PutStateMetadata => PutMetadata(PutStateMetadata.Parser.ParseFrom(request.Payload)),
            MessageType.InvokeChaincode => InvokeChaincode!(ChaincodeSpec.Parser.ParseFrom(request.Payload)).ToByteString(),
            _ => throw new InvalidOperationException($"the test peer does not answer {request.Type}"),
        });
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _call.RequestStream.CompleteAsync();
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or Grpc.Core.RpcException or OperationCanceledException)
        {
            // The call already failed (e.g. the TLS refusal test).
        }
        _call.Dispose();
        _channel.Dispose();
    }

    private static ChaincodeMessage Reply(ChaincodeMessage request, MessageType type, ByteString payload) =>
        new() { Type = type, Payload = payload, Txid = request.Txid, ChannelId = request.ChannelId };

    private ByteString Put(PutState put, string txId)
    {
        State[put.Key] = put.Value.ToByteArray();
        Record(put.Key, new WireKeyModification { TxId = txId, Value = put.Value, Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch) });
        return ByteString.Empty;
    }

    private ByteString Delete(string key, string txId)
    {
        State.Remove(key);
        Record(key, new WireKeyModification { TxId = txId, IsDelete = true, Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch) });
        return ByteString.Empty;
    }

    private void Record(string key, WireKeyModification modification)
    {
        if (!History.TryGetValue(key, out var list))
        {
            History[key] = list = [];
        }
        list.Insert(0, modification);
    }

    private ByteString Range(GetStateByRange request)
    {
        var keys = State.Where(pair => Utf8Comparer.Instance.Compare(pair.Key, request.StartKey) >= 0
            && (request.EndKey.Length == 0 || Utf8Comparer.Instance.Compare(pair.Key, request.EndKey) < 0))
            .Select(pair => new WireKv { Namespace = Namespace, Key = pair.Key, Value = ByteString.CopyFrom(pair.Value) })
            .ToList();
        QueryResponseMetadata? metadata = null;
        if (!request.Metadata.IsEmpty)
        {
            var page = QueryMetadata.Parser.ParseFrom(request.Metadata);
            if (page.Bookmark.Length > 0)
            {
                keys = [.. keys.SkipWhile(kv => Utf8Comparer.Instance.Compare(kv.Key, page.Bookmark) < 0)];
            }
            var bookmark = keys.Count > page.PageSize ? keys[page.PageSize].Key : "";
            keys = [.. keys.Take(page.PageSize)];
            metadata = new QueryResponseMetadata { FetchedRecordsCount = keys.Count, Bookmark = bookmark };
        }
        var id = $"query-{++_nextQueryId}";
        _openQueries[id] = keys;
        var response = Batch(id);
        if (metadata is not null)
        {
            response.Metadata = metadata.ToByteString();
        }
        return response.ToByteString();
    }

    private QueryResponse Batch(string id)
    {
        var remaining = _openQueries[id];
        var batch = remaining.Take(BatchSize).ToList();
        remaining.RemoveRange(0, batch.Count);
        var response = new QueryResponse { Id = id, HasMore = remaining.Count > 0 };
        response.Results.AddRange(batch.Select(kv => new QueryResultBytes { ResultBytes = kv.ToByteString() }));
        return response;
    }

    private ByteString NextBatch(string id) => Batch(id).ToByteString();

    private ByteString Close(string id)
    {
        _openQueries.Remove(id);
        return new QueryResponse { Id = id, HasMore = false }.ToByteString();
    }

    private ByteString HistoryOf(string key)
    {
        var response = new QueryResponse { Id = $"history-{++_nextQueryId}" };
        response.Results.AddRange((History.GetValueOrDefault(key) ?? []).Select(m => new QueryResultBytes { ResultBytes = m.ToByteString() }));
        return response.ToByteString();
    }

    private ByteString MetadataOf(string key)
    {
        var result = new StateMetadataResult();
        foreach (var (metakey, value) in StateMetadata.GetValueOrDefault(key) ?? [])
        {
            result.Entries.Add(new StateMetadata { Metakey = metakey, Value = ByteString.CopyFrom(value) });
        }
        return result.ToByteString();
    }

    private ByteString PutMetadata(PutStateMetadata request)
    {
        if (!StateMetadata.TryGetValue(request.Key, out var entries))
        {
            StateMetadata[request.Key] = entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        }
        entries[request.Metadata.Metakey] = request.Metadata.Value.ToByteArray();
        return ByteString.Empty;
    }
}
