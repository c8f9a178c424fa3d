using ZonCoin.Protos.Common;
using ZonCoin.Protos.Orderer;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Gateway.Nodes;

/// <summary>Sends one transaction envelope to one orderer (<c>/orderer.AtomicBroadcast/Broadcast</c>) and reads its answer.</summary>
internal sealed class OrdererClient
{
    private readonly NodeConnections _connections;
    private readonly TimeSpan _broadcastTimeout;
    private readonly TimeProvider _time;

    public OrdererClient(NodeConnections connections, TimeSpan broadcastTimeout, TimeProvider time)
    {
        _connections = connections;
        _broadcastTimeout = broadcastTimeout;
        _time = time;
    }

    /// <summary>The orderer's answer; throws <see cref="Rpc.RpcException"/> when it cannot be reached or ends the stream.</summary>
    public async Task<BroadcastResponse> BroadcastAsync(string endpoint, Envelope envelope, CancellationToken cancellationToken)
    {
        var channel = _connections.Get(endpoint);
        var deadline = _time.GetUtcNow().UtcDateTime + _broadcastTimeout;
        using var call = channel.AsyncDuplexStreamingCall(AtomicBroadcastService.Broadcast, new CallOptions(Deadline: deadline, CancellationToken: cancellationToken));
        await call.RequestStream.WriteAsync(envelope, cancellationToken).ConfigureAwait(false);
        if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            throw new Rpc.RpcException(Rpc.StatusCode.Unavailable, $"orderer {endpoint} ended the broadcast stream without an answer");
        }
        var response = call.ResponseStream.Current;
        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        return response;
    }

    /// <summary>Fabric's name for an orderer status (FORBIDDEN, SERVICE_UNAVAILABLE, …).</summary>
    public static string StatusName(Status status) => status switch
    {
        Status.Success => "SUCCESS",
        Status.BadRequest => "BAD_REQUEST",
        Status.Forbidden => "FORBIDDEN",
        Status.NotFound => "NOT_FOUND",
        Status.RequestEntityTooLarge => "REQUEST_ENTITY_TOO_LARGE",
        Status.InternalServerError => "INTERNAL_SERVER_ERROR",
        Status.NotImplemented => "NOT_IMPLEMENTED",
        Status.ServiceUnavailable => "SERVICE_UNAVAILABLE",
        _ => ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
