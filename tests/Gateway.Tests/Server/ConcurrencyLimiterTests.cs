using Grpc.Core;
using ZonCoin.Gateway.Server;

namespace ZonCoin.Gateway.Tests.Server;

public sealed class ConcurrencyLimiterTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Requests_beyond_the_limit_are_refused_with_resource_exhausted(int limit)
    {
        var limiter = new ConcurrencyLimiter(limit);
        var slots = Enumerable.Range(0, limit).Select(_ => limiter.Enter()).ToList();
        Assert.Equal(limit, limiter.InFlight);

        var refused = Assert.Throws<RpcException>(() => limiter.Enter());

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        // Fabric's text: "too many requests for /gateway.Gateway, exceeding concurrency limit (N)".
        Assert.StartsWith($"too many requests for /gateway.Gateway, exceeding concurrency limit ({limit})", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(limit, limiter.InFlight);
        foreach (var slot in slots)
        {
            slot.Dispose();
        }
        Assert.Equal(0, limiter.InFlight);
    }

    [Fact]
    public void A_released_slot_can_be_taken_again()
    {
        var limiter = new ConcurrencyLimiter(1);
        var first = limiter.Enter();
        Assert.Throws<RpcException>(() => limiter.Enter());
        Assert.Throws<RpcException>(() => limiter.Enter());

        first.Dispose();
        using (limiter.Enter())
        {
            Assert.Equal(1, limiter.InFlight);
        }

        Assert.Equal(0, limiter.InFlight);
    }

    [Fact]
    public void Concurrent_requests_never_exceed_the_limit_and_release_every_slot()
    {
        const int limit = 3;
        var limiter = new ConcurrencyLimiter(limit);
        var highest = 0;
        var served = 0;
        var refused = 0;

        Parallel.For(0, 20_000, _ =>
        {
            try
            {
                using var slot = limiter.Enter();
                var now = limiter.InFlight;
                int seen;
                while (now > (seen = Volatile.Read(ref highest)) && Interlocked.CompareExchange(ref highest, now, seen) != seen)
                {
                }
                Interlocked.Increment(ref served);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
            {
                Interlocked.Increment(ref refused);
            }
        });

        Assert.InRange(highest, 1, limit);
        Assert.Equal(20_000, served + refused);
        Assert.Equal(0, limiter.InFlight);
    }
}
