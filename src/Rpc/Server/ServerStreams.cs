using System.IO.Pipelines;
using Google.Protobuf;
using ZonCoin.Rpc.Protocol;

namespace ZonCoin.Rpc.Server;

/// <summary>Reads framed request messages from the HTTP/2 request body.</summary>
internal sealed class RequestStreamReader<T> : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private readonly PipeReader _body;
    private readonly MessageParser<T> _parser;
    private readonly int _maxMessageSize;
    private readonly CancellationToken _callToken;
    private T? _current;

    public RequestStreamReader(PipeReader body, MessageParser<T> parser, int maxMessageSize, CancellationToken callToken)
    {
        _body = body;
        _parser = parser;
        _maxMessageSize = maxMessageSize;
        _callToken = callToken;
    }

    public T Current => _current ?? throw new InvalidOperationException("no current message: call MoveNext first");

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_callToken, cancellationToken);
        _current = await Framing.ReadAsync(_body, _parser, _maxMessageSize, linked.Token).ConfigureAwait(false);
        return _current is not null;
    }
}

/// <summary>Writes framed response messages.</summary>
internal sealed class ResponseStreamWriter<T> : IServerStreamWriter<T>
    where T : class, IMessage<T>
{
    private readonly ResponseWriter _writer;
    private readonly CancellationToken _callToken;

    public ResponseStreamWriter(ResponseWriter writer, CancellationToken callToken)
    {
        _writer = writer;
        _callToken = callToken;
    }

    public async Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_callToken, cancellationToken);
        await _writer.WriteMessageAsync(message, linked.Token).ConfigureAwait(false);
    }
}
