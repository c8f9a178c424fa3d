using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;

namespace ZonCoin.Rpc.Protocol;

/// <summary>
/// gRPC message framing: a compressed-flag byte, a 4-byte big-endian length, then the message. Only identity
/// encoding is supported; a compressed frame is refused with UNIMPLEMENTED.
/// </summary>
internal static class Framing
{
    public const int HeaderSize = 5;

    /// <summary>Serializes a message with its frame header.</summary>
    public static byte[] Frame(IMessage message, int maxMessageSize)
    {
        var size = message.CalculateSize();
        if (size > maxMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"sending message larger than max ({size} vs. {maxMessageSize})");
        }
        var buffer = new byte[HeaderSize + size];
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(1), (uint)size);
        message.WriteTo(buffer.AsSpan(HeaderSize));
        return buffer;
    }

    /// <summary>
    /// Reads the next message from a pipe; null at a clean end of stream. Throws <see cref="RpcException"/> for a
    /// truncated frame (INTERNAL), a compressed frame (UNIMPLEMENTED), a frame over the limit (RESOURCE_EXHAUSTED)
    /// or bytes that do not parse (INTERNAL).
    /// </summary>
    public static async ValueTask<T?> ReadAsync<T>(PipeReader reader, MessageParser<T> parser, int maxMessageSize, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (TryParseFrame(ref buffer, parser, maxMessageSize, out var message))
            {
                reader.AdvanceTo(buffer.Start);
                return message;
            }
            if (result.IsCompleted)
            {
                var remaining = buffer.Length;
                reader.AdvanceTo(buffer.End);
                if (remaining == 0)
                {
                    return null;
                }
                throw new RpcException(StatusCode.Internal, $"incomplete message: the stream ended inside a frame ({remaining} bytes of a frame received)");
            }
            if (result.IsCanceled)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Reads the next message from a stream; null at a clean end of stream.</summary>
    public static async ValueTask<T?> ReadAsync<T>(Stream stream, MessageParser<T> parser, int maxMessageSize, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        var header = new byte[HeaderSize];
        var read = await ReadAtLeastAsync(stream, header, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }
        if (read < HeaderSize)
        {
            throw new RpcException(StatusCode.Internal, "incomplete message: the stream ended inside a frame header");
        }
        var length = CheckHeader(header, maxMessageSize);
        var body = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            if (await ReadAtLeastAsync(stream, body.AsMemory(0, length), cancellationToken).ConfigureAwait(false) < length)
            {
                throw new RpcException(StatusCode.Internal, $"incomplete message: the stream ended inside a {length}-byte message");
            }
            return Parse(parser, new ReadOnlySequence<byte>(body, 0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    private static bool TryParseFrame<T>(ref ReadOnlySequence<byte> buffer, MessageParser<T> parser, int maxMessageSize, out T? message)
        where T : class, IMessage<T>
    {
        message = null;
        if (buffer.Length < HeaderSize)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        var length = CheckHeader(header, maxMessageSize);
        if (buffer.Length < HeaderSize + (long)length)
        {
            return false;
        }
        message = Parse(parser, buffer.Slice(HeaderSize, length));
        buffer = buffer.Slice(HeaderSize + (long)length);
        return true;
    }

    private static int CheckHeader(ReadOnlySpan<byte> header, int maxMessageSize)
    {
        if (header[0] == 1)
        {
            throw new RpcException(StatusCode.Unimplemented, "compressed messages are not supported: send with identity encoding");
        }
        if (header[0] != 0)
        {
            throw new RpcException(StatusCode.Internal, $"invalid compressed flag {header[0]} in message frame");
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > maxMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"received message larger than max ({length} vs. {maxMessageSize})");
        }
        return (int)length;
    }

    private static T Parse<T>(MessageParser<T> parser, ReadOnlySequence<byte> bytes)
        where T : class, IMessage<T>
    {
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(StatusCode.Internal, $"failed to deserialize {typeof(T).Name}: {ex.Message}");
        }
    }

    private static async ValueTask<int> ReadAtLeastAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken) =>
        await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
}
