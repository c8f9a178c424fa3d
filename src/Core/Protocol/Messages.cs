using Google.Protobuf;

namespace ZonCoin.Core.Protocol;

/// <summary>Parses protobuf bytes, turning any decoding failure into a <see cref="MalformedMessageException"/>.</summary>
public static class Messages
{
    public static T Parse<T>(MessageParser<T> parser, ByteString bytes, string layer)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new MalformedMessageException(layer, $"not a valid {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    public static T Parse<T>(MessageParser<T> parser, ReadOnlySpan<byte> bytes, string layer)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(parser);
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new MalformedMessageException(layer, $"not a valid {typeof(T).Name}: {ex.Message}", ex);
        }
    }
}
