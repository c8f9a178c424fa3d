using Google.Protobuf.WellKnownTypes;

namespace ZonCoin.Rpc;

/// <summary>
/// A call that ended with a non-OK status (Grpc.Core.RpcException). Servers throw it to choose the status,
/// message and <c>grpc-status-details-bin</c> details; clients receive it with what the server sent.
/// </summary>
public sealed class RpcException : Exception
{
    public RpcException(Status status)
        : this(status, new Metadata(), [])
    {
    }

    public RpcException(Status status, string message)
        : this(status, new Metadata(), [], message)
    {
    }

    public RpcException(Status status, Metadata trailers, IReadOnlyList<Any> details, string? message = null)
        : base(message ?? $"Status(StatusCode=\"{status.StatusCode}\", Detail=\"{status.Detail}\")")
    {
        ArgumentNullException.ThrowIfNull(trailers);
        ArgumentNullException.ThrowIfNull(details);
        Status = status;
        Trailers = trailers;
        Details = details;
    }

    /// <summary>Convenience: a status code, a detail message and optional typed details.</summary>
    public RpcException(StatusCode code, string detail, params Any[] details)
        : this(new Status(code, detail), new Metadata(), details)
    {
    }

    public Status Status { get; }

    public StatusCode StatusCode => Status.StatusCode;

    /// <summary>Trailers received (client side) or to send (server side).</summary>
    public Metadata Trailers { get; }

    /// <summary>The <c>google.rpc.Status.details</c> entries, e.g. Fabric's <c>gateway.ErrorDetail</c>.</summary>
    public IReadOnlyList<Any> Details { get; }
}
