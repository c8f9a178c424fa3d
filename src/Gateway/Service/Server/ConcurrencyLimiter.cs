using Grpc.Core;

namespace ZonCoin.Gateway.Server;

/// <summary>
/// Caps the gateway requests served at once (Fabric's <c>peer.limits.concurrency.gatewayService</c>): a request
/// beyond the limit is refused at once with RESOURCE_EXHAUSTED rather than queued without bound.
/// </summary>
internal sealed class ConcurrencyLimiter
{
    private readonly int _limit;
    private int _inFlight;

    public ConcurrencyLimiter(int limit)
    {
        _limit = limit;
    }

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Takes a slot for the length of a request; throws RESOURCE_EXHAUSTED when none is free.</summary>
    public Slot Enter()
    {
        if (Interlocked.Increment(ref _inFlight) > _limit)
        {
            Interlocked.Decrement(ref _inFlight);
            throw GatewayErrors.Create(StatusCode.ResourceExhausted,
                $"too many requests for /gateway.Gateway, exceeding concurrency limit ({_limit}); retry later or raise Gateway:ConcurrencyLimit");
        }
        return new Slot(this);
    }

    /// <summary>A held slot; disposing it frees the slot.</summary>
    internal readonly struct Slot(ConcurrencyLimiter owner) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref owner._inFlight);
    }
}
