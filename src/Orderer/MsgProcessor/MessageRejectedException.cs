using ZonCoin.Protos.Common;

namespace ZonCoin.Orderer.MsgProcessor;

/// <summary>
/// Why the orderer refused a message, with the Fabric status Broadcast answers with (400, 403, 404, 413, 503).
/// </summary>
public sealed class MessageRejectedException : Exception
{
    public MessageRejectedException()
        : this(Status.BadRequest, "message rejected")
    {
    }

    public MessageRejectedException(string message)
        : this(Status.BadRequest, message)
    {
    }

    public MessageRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = Status.BadRequest;
    }

    public MessageRejectedException(Status status, string message)
        : base(message)
    {
        Status = status;
    }

    /// <summary>The status code for the BroadcastResponse.</summary>
    public Status Status { get; }
}
