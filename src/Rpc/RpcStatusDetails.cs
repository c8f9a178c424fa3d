using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RpcStatus = ZonCoin.Protos.Rpc.Status;

namespace ZonCoin.Rpc;

/// <summary>
/// The richer error model Fabric's gateway uses: a <c>google.rpc.Status</c> in the <c>grpc-status-details-bin</c>
/// trailer whose details are, for Fabric, <c>gateway.ErrorDetail</c> messages naming each peer that failed.
/// </summary>
public static class RpcStatusDetails
{
    public const string TrailerName = "grpc-status-details-bin";

    /// <summary>An error ending a call with <paramref name="code"/> and <paramref name="message"/>, carrying the details.</summary>
    public static RpcException Create(StatusCode code, string message, params IEnumerable<Any> details)
    {
        ArgumentNullException.ThrowIfNull(details);
        var packed = details.ToList();
        var trailers = new Metadata();
        if (packed.Count > 0)
        {
            var status = new RpcStatus { Code = (int)code, Message = message };
            status.Details.AddRange(packed);
            trailers.Add(TrailerName, status.ToByteArray());
        }
        return new RpcException(new Status(code, message), trailers);
    }

    /// <summary>The details a server sent with the error; none when it sent none or they do not decode.</summary>
    public static IReadOnlyList<Any> GetDetails(this RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var bytes = exception.Trailers.GetValueBytes(TrailerName);
        if (bytes is null)
        {
            return [];
        }
        try
        {
            return RpcStatus.Parser.ParseFrom(bytes).Details;
        }
        catch (InvalidProtocolBufferException)
        {
            return [];
        }
    }
}
