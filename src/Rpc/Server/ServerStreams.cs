using System.IO.Pipelines;
using Google.Protobuf;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using ZonCoin.Rpc.Protocol;

namespace ZonCoin.Rpc.Server;

/// <summary>Reads framed request messages from the HTTP/2 request body.</summary>
internal sealed class RequestStreamReader<T> : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private readonly PipeReader _body;
    private readonly MessageParser<T> _parser;
    private readonly int _maxMessageSize;
    private readonly CancellationTokenSource _call;
    private readonly CancellationToken _callToken;
    private T? _current;

    /// <param name="call">The call's cancellation: cancelled here when the client aborts the request stream.</param>
    public RequestStreamReader(PipeReader body, MessageParser<T> parser, int maxMessageSize, CancellationTokenSource call)
    {
        _body = body;
        _parser = parser;
        _maxMessageSize = maxMessageSize;
        _call = call;
        _callToken = call.Token;
    }

    public T Current => _current ?? throw new InvalidOperationException("no current message: call MoveNext first");

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_callToken, cancellationToken);
        try
        {
            _current = await Framing.ReadAsync(_body, _parser, _maxMessageSize, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClientGone.IsTransportError(ex))
        {
            throw await ClientGone.CancelCallAsync(_call, ex).ConfigureAwait(false);
        }
        return _current is not null;
    }
}

/// <summary>Writes framed response messages.</summary>
internal sealed class ResponseStreamWriter<T> : IServerStreamWriter<T>
    where T : class, IMessage<T>
{
    private readonly ResponseWriter _writer;
    private readonly CancellationTokenSource _call;

    /// <param name="call">The call's cancellation: cancelled here when the client is found gone on a write.</param>
    public ResponseStreamWriter(ResponseWriter writer, CancellationTokenSource call)
    {
        _writer = writer;
        _call = call;
    }

    public async Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_call.Token, cancellationToken);
        bool delivered;
        try
        {
            delivered = await _writer.WriteMessageAsync(message, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClientGone.IsTransportError(ex))
        {
            throw await ClientGone.CancelCallAsync(_call, ex).ConfigureAwait(false);
        }
        if (!delivered)
        {
            throw await ClientGone.CancelCallAsync(_call, null).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// The client reset the stream (RST_STREAM, e.g. a cancelled call) or dropped the connection. Kestrel fails reads
/// (and completes writes) at once but cancels RequestAborted later, from the thread pool, so the call's token may
/// not be cancelled yet. Cancel it now: the handler must see its call cancelled, not an I/O error or silently
/// discarded writes on a call that still looks alive.
/// </summary>
internal static class ClientGone
{
    public static bool IsTransportError(Exception error) =>
        error is (IOException or ConnectionAbortedException) and not BadHttpRequestException;

    public static async Task<OperationCanceledException> CancelCallAsync(CancellationTokenSource call, Exception? cause)
    {
        try
        {
            await call.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The call has already ended.
        }
        return new OperationCanceledException("the client cancelled the call or disconnected", cause, call.Token);
    }
}
