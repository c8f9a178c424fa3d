using System.Collections.Concurrent;
using Grpc.Core;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Orderer;
using ZonCoin.Rpc.Services;
using Status = ZonCoin.Protos.Common.Status;

namespace ZonCoin.Gateway.Nodes;

/// <summary>
/// Sends transaction envelopes to orderers (<c>/orderer.AtomicBroadcast/Broadcast</c>) over a few long-lived,
/// pipelined Broadcast streams per orderer, shared by all requests in turn (an orderer answers each stream in order),
/// instead of a stream per transaction. Several streams keep envelopes flowing in parallel where the orderer answers
/// only once consensus has them (Kafka acks). A stream that fails is replaced, and the envelope is sent once more on
/// a new one.
/// </summary>
internal sealed class OrdererClient : IAsyncDisposable
{
    private readonly NodeConnections _connections;
    private readonly TimeSpan _broadcastTimeout;
    private const int StreamsPerOrderer = 8;

    private readonly ConcurrentDictionary<(string Endpoint, int Slot), Lazy<BroadcastSession>> _sessions = new();
    private int _next;

    public OrdererClient(NodeConnections connections, TimeSpan broadcastTimeout)
    {
        _connections = connections;
        _broadcastTimeout = broadcastTimeout;
    }

    /// <summary>
    /// The orderer's answer to the envelope; throws <see cref="RpcException"/> (UNAVAILABLE or DEADLINE_EXCEEDED)
    /// when the orderer cannot be reached or does not answer within the broadcast timeout.
    /// </summary>
    public async Task<BroadcastResponse> BroadcastAsync(string endpoint, Envelope envelope, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var slot = (endpoint, (int)((uint)Interlocked.Increment(ref _next) % StreamsPerOrderer));
            var entry = _sessions.GetOrAdd(slot, s => new Lazy<BroadcastSession>(() => new BroadcastSession(_connections.Get(s.Endpoint).CreateCallInvoker())));
            var session = entry.Value;
            try
            {
                return await session.SendAsync(envelope, cancellationToken).WaitAsync(_broadcastTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RpcException or IOException or InvalidOperationException or ObjectDisposedException or TimeoutException
                && !cancellationToken.IsCancellationRequested)
            {
                if (_sessions.TryRemove(new KeyValuePair<(string, int), Lazy<BroadcastSession>>(slot, entry)))
                {
                    _ = CloseAsync(session);
                }
                if (attempt >= 2 || ex is TimeoutException)
                {
                    throw ex is TimeoutException
                        ? new RpcException(new Grpc.Core.Status(StatusCode.DeadlineExceeded, $"orderer {endpoint} did not answer within {_broadcastTimeout.TotalSeconds:0.#} s"))
                        : ex as RpcException ?? new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, $"orderer {endpoint}: {ex.Message}"));
                }
            }
        }
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

    public async ValueTask DisposeAsync()
    {
        foreach (var session in _sessions.Values.Where(s => s.IsValueCreated))
        {
            await CloseAsync(session.Value).ConfigureAwait(false);
        }
        _sessions.Clear();
    }

    private static async Task CloseAsync(BroadcastSession session)
    {
        try
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }
}
