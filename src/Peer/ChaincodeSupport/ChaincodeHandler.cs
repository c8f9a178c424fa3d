using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using ZonCoin.Protos.Peer;
using MessageType = ZonCoin.Protos.Peer.ChaincodeMessage.Types.Type;

namespace ZonCoin.Peer.ChaincodeSupport;

/// <summary>The outcome of running a chaincode for one transaction.</summary>
internal sealed record ChaincodeResult(Response Response, ChaincodeEvent? Event);

/// <summary>Writes messages to a chaincode; one writer per stream.</summary>
internal interface IChaincodeSink
{
    Task SendAsync(ChaincodeMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// One live connection to a chaincode (either transport: the peer dialled a chaincode-as-a-service, or the
/// chaincode dialled in): the REGISTER → REGISTERED → READY handshake, then transactions multiplexed by
/// channel + txid. Chaincode requests are answered by the transaction's <see cref="TransactionContext"/>; a
/// COMPLETED or ERROR ends the transaction. The peer never sends KEEPALIVE (the Node shim exits on it).
/// </summary>
internal sealed partial class ChaincodeHandler : IAsyncDisposable
{
    private readonly IChaincodeSink _sink;
    private readonly IAsyncStreamReader<ChaincodeMessage> _incoming;
    private readonly Func<ChaincodeInvocationRequest, CancellationToken, Task<ChaincodeMessage>> _invoke;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(string Channel, string TxId), Running> _running = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _reader;
    private volatile string? _closedReason;

    private ChaincodeHandler(string chaincodeId, IChaincodeSink sink, IAsyncStreamReader<ChaincodeMessage> incoming,
        Func<ChaincodeInvocationRequest, CancellationToken, Task<ChaincodeMessage>> invoke, TimeProvider time, ILogger logger)
    {
        ChaincodeId = chaincodeId;
        _time = time;
        _sink = sink;
        _incoming = incoming;
        _invoke = invoke;
        _logger = logger;
    }

    /// <summary>The id the chaincode registered with (the package id).</summary>
    public string ChaincodeId { get; }

    /// <summary>Null while the connection serves; otherwise why it ended.</summary>
    public string? ClosedReason => _closedReason;

    /// <summary>Task that completes when the connection ends.</summary>
    public Task Completion => _reader ?? Task.CompletedTask;

    /// <summary>
    /// Runs the handshake on a fresh stream: the chaincode's first message must be REGISTER naming
    /// <paramref name="expectedId"/> (any id when null). Throws <see cref="ChaincodeException"/> otherwise.
    /// </summary>
    public static async Task<ChaincodeHandler> AcceptAsync(
        string? expectedId, IChaincodeSink sink, IAsyncStreamReader<ChaincodeMessage> incoming,
        Func<ChaincodeInvocationRequest, CancellationToken, Task<ChaincodeMessage>> invoke, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        if (!await incoming.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            throw new ChaincodeException("the chaincode closed the stream before registering");
        }
        var register = incoming.Current;
        if (register.Type != MessageType.Register)
        {
            throw new ChaincodeException($"the chaincode's first message is {register.Type}, expected REGISTER");
        }
        ChaincodeID id;
        try
        {
            id = ChaincodeID.Parser.ParseFrom(register.Payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new ChaincodeException($"REGISTER payload is not a ChaincodeID: {ex.Message}");
        }
        if (expectedId is not null && id.Name != expectedId)
        {
            throw new ChaincodeException($"the chaincode registered as '{id.Name}', but the chaincode definition expects package id '{expectedId}'");
        }
        var handler = new ChaincodeHandler(id.Name, sink, incoming, invoke, time, logger);
        await handler.SendAsync(new ChaincodeMessage { Type = MessageType.Registered }, cancellationToken).ConfigureAwait(false);
        await handler.SendAsync(new ChaincodeMessage { Type = MessageType.Ready }, cancellationToken).ConfigureAwait(false);
        handler._reader = Task.Run(handler.ReadLoopAsync, CancellationToken.None);
        LogRegistered(logger, id.Name);
        return handler;
    }

    /// <summary>
    /// Sends TRANSACTION (or INIT) for <paramref name="context"/> under the chaincode namespace
    /// <paramref name="ns"/> and waits for COMPLETED or ERROR, at most <paramref name="timeout"/>.
    /// </summary>
    public async Task<ChaincodeResult> ExecuteAsync(string ns, TransactionContext context, ChaincodeInput input, bool isInit, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_closedReason is { } reason)
        {
            throw new ChaincodeException($"chaincode '{ChaincodeId}' is not connected: {reason}");
        }
        var key = (context.ChannelId, context.TxId);
        var running = new Running(ns, context);
        if (!_running.TryAdd(key, running))
        {
            throw new ChaincodeException($"transaction {context.TxId} is already running on chaincode '{ChaincodeId}'");
        }
        try
        {
            try
            {
                await SendAsync(new ChaincodeMessage
                {
                    Type = isInit ? MessageType.Init : MessageType.Transaction,
                    Txid = context.TxId,
                    ChannelId = context.ChannelId,
                    Payload = input.ToByteString(),
                    Proposal = context.Proposal,
                    Timestamp = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RpcException or IOException or InvalidOperationException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
            {
                // The stream broke before the read loop noticed (e.g. the chaincode host was killed). The failure is the
                // chaincode's, never the status of the call that asked for the endorsement.
                throw new ChaincodeException($"chaincode '{ChaincodeId}' is not connected: {ex.Message}", ex);
            }
            try
            {
                return await running.Completion.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new ChaincodeException($"chaincode '{ChaincodeId}' did not complete transaction {context.TxId} within {timeout.TotalSeconds:0.#} s");
            }
        }
        finally
        {
            _running.TryRemove(key, out _);
            context.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_reader is not null)
        {
            await _reader.ConfigureAwait(false);
        }
        _stopping.Dispose();
        _sendLock.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var reason = "the chaincode closed the stream";
        try
        {
            while (await _incoming.MoveNext(_stopping.Token).ConfigureAwait(false))
            {
                var message = _incoming.Current;
                if (message.Type is MessageType.Keepalive or MessageType.Registered or MessageType.Ready)
                {
                    continue;
                }
                if (!_running.TryGetValue((message.ChannelId, message.Txid), out var running))
                {
                    LogUnknownTransaction(_logger, ChaincodeId, message.Type, message.Txid);
                    continue;
                }
                switch (message.Type)
                {
                    case MessageType.Completed:
                        running.Completion.TrySetResult(Completed(message));
                        break;
                    case MessageType.Error:
                        running.Completion.TrySetResult(new ChaincodeResult(
                            new Response { Status = 500, Message = message.Payload.ToStringUtf8() }, null));
                        break;
                    default:
                        // Requests of one transaction are sequential (the shim waits for each reply), so they are handled
                        // off the read loop to let other transactions' messages through.
                        _ = Task.Run(() => AnswerAsync(running, message));
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            reason = "the peer closed the connection";
        }
        catch (Exception ex) when (ex is RpcException or IOException or InvalidOperationException or HttpRequestException)
        {
            reason = $"the connection failed: {ex.Message}";
        }
        _closedReason = reason;
        LogDisconnected(_logger, ChaincodeId, reason);
        foreach (var running in _running.Values)
        {
            running.Completion.TrySetException(new ChaincodeException($"chaincode '{ChaincodeId}' disconnected during the transaction: {reason}"));
        }
    }

    private async Task AnswerAsync(Running running, ChaincodeMessage request)
    {
        ChaincodeMessage reply;
        try
        {
            var payload = request.Type == MessageType.InvokeChaincode
                ? (await _invoke(new ChaincodeInvocationRequest(running.Context, running.Namespace, Parse(request.Payload)), _stopping.Token).ConfigureAwait(false)).ToByteString()
                : running.Context.Handle(running.Namespace, request);
            reply = new ChaincodeMessage { Type = MessageType.Response, Payload = payload };
        }
        catch (Exception ex) when (ex is ChaincodeRequestException or ChaincodeException or Ledger.State.StateDatabaseException)
        {
            reply = new ChaincodeMessage { Type = MessageType.Error, Payload = ByteString.CopyFromUtf8(RequestFailed(request, ex.Message)) };
        }
        reply.Txid = request.Txid;
        reply.ChannelId = request.ChannelId;
        try
        {
            await SendAsync(reply, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            running.Completion.TrySetException(new ChaincodeException($"cannot answer chaincode '{ChaincodeId}': {ex.Message}"));
        }
    }

    /// <summary>
    /// The text of the ERROR answering a failed request, as Fabric's handler words it: the request's type as the proto
    /// names it, the transaction, then the reason (e.g. <c>GET_STATE failed: transaction ID: 1a2b…: reason</c>).
    /// </summary>
    internal static string RequestFailed(ChaincodeMessage request, string reason)
    {
        var type = ChaincodeMessage.Descriptor.EnumTypes[0].FindValueByNumber((int)request.Type)?.Name ?? request.Type.ToString();
        return $"{type} failed: transaction ID: {request.Txid}: {reason}";
    }

    private static ChaincodeSpec Parse(ByteString payload)
    {
        try
        {
            return ChaincodeSpec.Parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new ChaincodeRequestException($"INVOKE_CHAINCODE payload is not a ChaincodeSpec: {ex.Message}");
        }
    }

    private static ChaincodeResult Completed(ChaincodeMessage message)
    {
        Response response;
        try
        {
            response = Response.Parser.ParseFrom(message.Payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            response = new Response { Status = 500, Message = $"the chaincode's COMPLETED payload is not a Response: {ex.Message}" };
        }
        return new ChaincodeResult(response, message.ChaincodeEvent);
    }

    private async Task SendAsync(ChaincodeMessage message, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _sink.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Chaincode {ChaincodeId} registered")]
    private static partial void LogRegistered(ILogger logger, string chaincodeId);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Chaincode {ChaincodeId} disconnected: {Reason}")]
    private static partial void LogDisconnected(ILogger logger, string chaincodeId, string reason);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Debug, Message = "Chaincode {ChaincodeId} sent {Type} for unknown transaction {TxId}")]
    private static partial void LogUnknownTransaction(ILogger logger, string chaincodeId, MessageType type, string txId);

    private sealed class Running(string ns, TransactionContext context)
    {
        public string Namespace { get; } = ns;

        public TransactionContext Context { get; } = context;

        public TaskCompletionSource<ChaincodeResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A chaincode calling another chaincode on the same transaction.</summary>
internal sealed record ChaincodeInvocationRequest(TransactionContext Context, string CallerNamespace, ChaincodeSpec Spec);

/// <summary>A chaincode that could not run a transaction: not connected, wrong id, crashed or timed out.</summary>
internal sealed class ChaincodeException : Exception
{
    public ChaincodeException()
    {
    }

    public ChaincodeException(string message)
        : base(message)
    {
    }

    public ChaincodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
