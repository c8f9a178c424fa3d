using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using ZonCoin.Protos.Peer;
using MessageType = ZonCoin.Protos.Peer.ChaincodeMessage.Types.Type;

namespace ZonCoin.Chaincode.Shim;

/// <summary>
/// One ChaincodeMessage stream between the chaincode and a peer, whichever side dialled. It registers
/// (<c>REGISTER</c> → <c>REGISTERED</c> → <c>READY</c>), then runs every <c>TRANSACTION</c>/<c>INIT</c>
/// concurrently, routing the peer's <c>RESPONSE</c>/<c>ERROR</c> replies back to the transaction that asked,
/// by channel id + txid. It never sends <c>KEEPALIVE</c> and ignores the ones it receives.
/// </summary>
internal sealed partial class ChaincodeSession : IDisposable
{
    private readonly IChaincode _chaincode;
    private readonly string _chaincodeId;
    private readonly IAsyncStreamWriter<ChaincodeMessage> _outgoing;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<string, TransactionChannel> _transactions = new(StringComparer.Ordinal);

    public ChaincodeSession(IChaincode chaincode, string chaincodeId, IAsyncStreamWriter<ChaincodeMessage> outgoing, ILogger logger)
    {
        _chaincode = chaincode;
        _chaincodeId = chaincodeId;
        _outgoing = outgoing;
        _logger = logger;
    }

    private enum State
    {
        Created,
        Established,
        Ready,
    }

    /// <summary>Registers and serves transactions until the peer ends the stream or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(IAsyncStreamReader<ChaincodeMessage> incoming, CancellationToken cancellationToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new ConcurrentDictionary<Task, byte>();
        try
        {
            await SendAsync(new ChaincodeMessage { Type = MessageType.Register, Payload = new ChaincodeID { Name = _chaincodeId }.ToByteString() }, stopping.Token)
                .ConfigureAwait(false);
            LogRegistering(_logger, _chaincodeId);
            var state = State.Created;
            while (await incoming.MoveNext(stopping.Token).ConfigureAwait(false))
            {
                var message = incoming.Current;
                switch (message.Type)
                {
                    case MessageType.Keepalive:
                        break;
                    case MessageType.Registered when state == State.Created:
                        state = State.Established;
                        break;
                    case MessageType.Ready when state == State.Established:
                        state = State.Ready;
                        LogReady(_logger, _chaincodeId);
                        break;
                    case MessageType.Registered or MessageType.Ready:
                        break;
                    case MessageType.Error when state != State.Ready:
                        throw new ChaincodeStubException($"the peer refused to register chaincode '{_chaincodeId}': {message.Payload.ToStringUtf8()}");
                    case MessageType.Response or MessageType.Error:
                        if (_transactions.TryGetValue(Key(message.ChannelId, message.Txid), out var transaction))
                        {
                            transaction.Deliver(message);
                        }
                        else
                        {
                            LogUnexpectedReply(_logger, message.Type, message.ChannelId, message.Txid);
                        }
                        break;
                    case MessageType.Transaction or MessageType.Init when state == State.Ready:
                        var task = Task.Run(() => HandleTransactionAsync(message, stopping.Token), CancellationToken.None);
                        running.TryAdd(task, 0);
                        _ = task.ContinueWith(done => running.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                        break;
                    default:
                        LogUnexpectedMessage(_logger, message.Type, state.ToString());
                        break;
                }
            }
            LogStreamEnded(_logger, _chaincodeId);
        }
        finally
        {
            await stopping.CancelAsync().ConfigureAwait(false);
            foreach (var transaction in _transactions.Values)
            {
                transaction.Fail(new ChaincodeStubException("the stream to the peer has ended"));
            }
            await Task.WhenAll(running.Keys).ConfigureAwait(false);
        }
    }

    /// <summary>Releases the write lock.</summary>
    public void Dispose() => _writeLock.Dispose();

    private static string Key(string channelId, string txId) => channelId + "\u0000" + txId;

    private async Task HandleTransactionAsync(ChaincodeMessage message, CancellationToken cancellationToken)
    {
        var key = Key(message.ChannelId, message.Txid);
        var channel = new TransactionChannel(this, message.ChannelId, message.Txid);
        if (!_transactions.TryAdd(key, channel))
        {
            await TrySendAsync(Reply(message, MessageType.Error, ByteString.CopyFromUtf8($"transaction {message.Txid} on channel {message.ChannelId} is already running")), cancellationToken)
                .ConfigureAwait(false);
            return;
        }
        ChaincodeMessage reply;
        try
        {
            LogTransaction(_logger, message.Type, message.ChannelId, message.Txid);
            var input = ChaincodeInput.Parser.ParseFrom(message.Payload);
            var stub = new ChaincodeStub(channel, message.ChannelId, message.Txid, input, message.Proposal);
            var response = message.Type == MessageType.Init
                ? await _chaincode.InitAsync(stub, cancellationToken).ConfigureAwait(false)
                : await _chaincode.InvokeAsync(stub, cancellationToken).ConfigureAwait(false);
            var payload = new Response { Status = response.Status, Message = response.Message ?? "", Payload = ByteString.CopyFrom(response.Payload.Span) };
            reply = Reply(message, MessageType.Completed, payload.ToByteString());
            reply.ChaincodeEvent = stub.ChaincodeEvent;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            LogTransactionFailed(_logger, message.ChannelId, message.Txid, ex);
            reply = Reply(message, MessageType.Error, ByteString.CopyFromUtf8(ex.Message));
        }
        finally
        {
            _transactions.TryRemove(key, out _);
            channel.Dispose();
        }
        await TrySendAsync(reply, cancellationToken).ConfigureAwait(false);
    }

    private static ChaincodeMessage Reply(ChaincodeMessage request, MessageType type, ByteString payload) =>
        new() { Type = type, Payload = payload, Txid = request.Txid, ChannelId = request.ChannelId };

    private async Task TrySendAsync(ChaincodeMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or RpcException)
        {
            LogSendFailed(_logger, message.Type, message.Txid, ex);
        }
    }

    private async Task SendAsync(ChaincodeMessage message, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _outgoing.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>One transaction's side of the stream: one request in flight at a time, its reply delivered by the read loop.</summary>
    private sealed class TransactionChannel : ITransactionChannel, IDisposable
    {
        private readonly ChaincodeSession _session;
        private readonly string _channelId;
        private readonly string _txId;
        private readonly SemaphoreSlim _oneAtATime = new(1, 1);
        private TaskCompletionSource<ChaincodeMessage>? _pending;
        private Exception? _failure;

        public TransactionChannel(ChaincodeSession session, string channelId, string txId)
        {
            _session = session;
            _channelId = channelId;
            _txId = txId;
        }

        public async Task<ByteString> AskAsync(MessageType type, IMessage payload, CancellationToken cancellationToken)
        {
            await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var reply = new TaskCompletionSource<ChaincodeMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref _pending, reply);
                if (Volatile.Read(ref _failure) is { } failure)
                {
                    throw failure;
                }
                await _session.SendAsync(new ChaincodeMessage { Type = type, Payload = payload.ToByteString(), Txid = _txId, ChannelId = _channelId }, cancellationToken)
                    .ConfigureAwait(false);
                var message = await reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                return message.Type switch
                {
                    MessageType.Response => message.Payload,
                    MessageType.Error => throw new ChaincodeStubException(message.Payload.ToStringUtf8()),
                    _ => throw new ChaincodeStubException($"the peer answered {type} with {message.Type}"),
                };
            }
            finally
            {
                Volatile.Write(ref _pending, null);
                _oneAtATime.Release();
            }
        }

        public void Dispose() => _oneAtATime.Dispose();

        public void Deliver(ChaincodeMessage message) => Volatile.Read(ref _pending)?.TrySetResult(message);

        public void Fail(Exception error)
        {
            Volatile.Write(ref _failure, error);
            Volatile.Read(ref _pending)?.TrySetException(error);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Registering chaincode '{ChaincodeId}' with the peer")]
    private static partial void LogRegistering(ILogger logger, string chaincodeId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Chaincode '{ChaincodeId}' is registered and ready")]
    private static partial void LogReady(ILogger logger, string chaincodeId);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "The peer ended the stream of chaincode '{ChaincodeId}'")]
    private static partial void LogStreamEnded(ILogger logger, string chaincodeId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Ignoring a {Type} for channel {ChannelId} tx {TxId}: no request of that transaction is waiting")]
    private static partial void LogUnexpectedReply(ILogger logger, MessageType type, string channelId, string txId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Ignoring an unexpected {Type} message in state {State}")]
    private static partial void LogUnexpectedMessage(ILogger logger, MessageType type, string state);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "{Type} on channel {ChannelId} tx {TxId}")]
    private static partial void LogTransaction(ILogger logger, MessageType type, string channelId, string txId);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Transaction on channel {ChannelId} tx {TxId} failed; answering ERROR")]
    private static partial void LogTransactionFailed(ILogger logger, string channelId, string txId, Exception exception);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "Could not send {Type} for tx {TxId}: the stream has ended")]
    private static partial void LogSendFailed(ILogger logger, MessageType type, string txId, Exception exception);
}
