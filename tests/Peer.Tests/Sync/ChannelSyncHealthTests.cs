using Microsoft.Extensions.Time.Testing;
using ZonCoin.Peer.Sync;

namespace ZonCoin.Peer.Tests.Sync;

public sealed class ChannelSyncHealthTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero));
    private readonly ChannelSyncHealth _health;

    public ChannelSyncHealthTests()
    {
        _health = new ChannelSyncHealth(_clock);
    }

    [Fact]
    public void A_channel_is_healthy_until_every_orderer_has_failed_for_the_grace_period()
    {
        _health.StreamFailed("o1:7050", "connection refused");
        Assert.Null(_health.Problem(orderers: 2));

        _health.StreamFailed("o2:7050", "connection refused");
        Assert.Null(_health.Problem(orderers: 2));

        _clock.Advance(ChannelSyncHealth.DisconnectedGrace);
        var problem = _health.Problem(orderers: 2);
        Assert.NotNull(problem);
        Assert.StartsWith("lost every orderer: 2 attempts in a row failed", problem, StringComparison.Ordinal);
        Assert.EndsWith("the last o2:7050: connection refused", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_open_stream_on_an_idle_channel_is_healthy_and_a_block_starts_the_count_again()
    {
        _health.StreamFailed("o1:7050", "connection refused");
        _clock.Advance(ChannelSyncHealth.DisconnectedGrace);
        Assert.NotNull(_health.Problem(orderers: 1));

        _health.StreamOpened();
        Assert.Null(_health.Problem(orderers: 1));

        _health.BlockReceived();
        _health.StreamFailed("o1:7050", "stream ended");
        Assert.Null(_health.Problem(orderers: 1));
        _clock.Advance(ChannelSyncHealth.DisconnectedGrace);
        Assert.NotNull(_health.Problem(orderers: 1));
    }

    [Fact]
    public void Orderers_that_accept_the_stream_then_refuse_the_request_are_lost_too()
    {
        for (var i = 0; i < 3; i++)
        {
            _health.StreamOpened();
            _health.StreamFailed("o1:7050", "orderer o1:7050 ended the stream with status 403 Forbidden");
            _clock.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.Contains("403 Forbidden", _health.Problem(orderers: 1), StringComparison.Ordinal);
    }

    [Fact]
    public void A_failing_commit_is_unhealthy_until_a_block_commits()
    {
        _health.CommitFailed("disk full");
        Assert.Equal("cannot commit blocks: disk full", _health.Problem(orderers: 1));

        _health.Committed();
        Assert.Null(_health.Problem(orderers: 1));
    }
}
