namespace ZonCoin.Core.Protocol;

/// <summary>
/// Bytes that do not unpack into the Fabric message expected at that layer (truncated or garbage protobuf,
/// a missing header, a wrong header type). <see cref="Layer"/> names the layer, e.g. <c>Envelope.payload</c>.
/// </summary>
public sealed class MalformedMessageException : Exception
{
    public MalformedMessageException(string layer, string message) : base($"{layer}: {message}")
    {
        Layer = layer;
    }

    public MalformedMessageException(string layer, string message, Exception inner) : base($"{layer}: {message}", inner)
    {
        Layer = layer;
    }

    public string Layer { get; }
}
