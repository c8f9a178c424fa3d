using ZonCoin.Orderer.MsgProcessor;
using ZonCoin.Orderer.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;

namespace ZonCoin.Orderer.Tests.Consensus;

public sealed class SoloChainTests : IDisposable
{
    private readonly TestNetwork _network = new();

    public void Dispose() => _network.Dispose();

    private Envelope Tx() => TestNetwork.Transaction(_network.Org1.Client);

    private static async Task OrderAsync(ChainHarness harness, params Envelope[] envelopes)
    {
        foreach (var envelope in envelopes)
        {
            var sequence = harness.Support.Processor.ProcessNormal(MessageProcessor.Classify(envelope).Envelope, harness.Support.State);
            await harness.Support.Chain.OrderAsync(envelope, sequence, CancellationToken.None);
        }
    }

    private Envelope ConfigEnvelope(ChainHarness harness, ChannelConfig proposed, IEnumerable<Core.Protocol.SigningIdentity> admins)
    {
        var state = harness.Support.State;
        var update = TestNetwork.ConfigUpdate(state.Config, proposed, admins, _network.Org1.Admin);
        return harness.Support.Processor.ProcessConfigUpdate(MessageProcessor.Classify(update).Envelope, state);
    }

    private static IEnumerable<Envelope> EnvelopesOf(Block block) => block.Data.Data.Select(Envelope.Parser.ParseFrom);

    [Fact]
    public async Task Envelopes_are_cut_by_count()
    {
        await using var harness = await ChainHarness.StartSoloAsync(_network.Config(maxMessageCount: 2), _network.OrdererSigner, adaptiveCutting: false);
        var envelopes = Enumerable.Range(0, 4).Select(_ => Tx()).ToArray();

        await OrderAsync(harness, envelopes);
        await harness.WaitForHeightAsync(3);

        Assert.Equal(envelopes[..2], EnvelopesOf(harness.Store.GetBlock(1)));
        Assert.Equal(envelopes[2..], EnvelopesOf(harness.Store.GetBlock(2)));
        Assert.Equal(0, harness.Clock.ArmedTimers);
    }

    [Fact]
    public async Task Without_adaptive_cutting_a_pending_batch_waits_for_the_batch_timeout()
    {
        await using var harness = await ChainHarness.StartSoloAsync(
            _network.Config(maxMessageCount: 10, batchTimeout: TimeSpan.FromSeconds(2)), _network.OrdererSigner, adaptiveCutting: false);
        var envelopes = new[] { Tx(), Tx() };

        await OrderAsync(harness, envelopes);
        await harness.Clock.WhenTimerArmedAsync().WaitAsync(ChainHarness.FailureGuard);
        harness.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1UL, harness.Store.Height);
        harness.Clock.Advance(TimeSpan.FromSeconds(1));
        await harness.WaitForHeightAsync(2);

        Assert.Equal(envelopes, EnvelopesOf(harness.Store.GetBlock(1)));
    }

    [Fact]
    public async Task A_lone_message_is_cut_at_once_without_waiting_for_the_batch_timeout()
    {
        await using var harness = await ChainHarness.StartSoloAsync(
            _network.Config(maxMessageCount: 10, batchTimeout: TimeSpan.FromSeconds(2)), _network.OrdererSigner);
        var (first, second) = (Tx(), Tx());

        // The clock never moves: only an empty queue can have cut these.
        await OrderAsync(harness, first);
        await harness.WaitForHeightAsync(2);
        await OrderAsync(harness, second);
        await harness.WaitForHeightAsync(3);

        Assert.Equal([first], EnvelopesOf(harness.Store.GetBlock(1)));
        Assert.Equal([second], EnvelopesOf(harness.Store.GetBlock(2)));
        Assert.False(harness.Support.Cutter.HasPending);
        Assert.Equal(0, harness.Clock.ArmedTimers);
    }

    [Fact]
    public async Task Under_a_burst_blocks_hold_several_messages_up_to_the_count_limit()
    {
        await using var harness = ChainHarness.CreateSolo(_network.Config(maxMessageCount: 10, batchTimeout: TimeSpan.FromSeconds(2)), _network.OrdererSigner);
        var envelopes = Enumerable.Range(0, 25).Select(_ => Tx()).ToArray();

        // All queued before the loop runs, as when Broadcast outpaces the loop: the queue empties only after the last.
        await OrderAsync(harness, envelopes);
        await harness.Support.Chain.StartAsync(CancellationToken.None);
        await harness.WaitForHeightAsync(4);

        Assert.Equal(envelopes[..10], EnvelopesOf(harness.Store.GetBlock(1)));
        Assert.Equal(envelopes[10..20], EnvelopesOf(harness.Store.GetBlock(2)));
        Assert.Equal(envelopes[20..], EnvelopesOf(harness.Store.GetBlock(3)));
        Assert.False(harness.Support.Cutter.HasPending);
    }

    [Fact]
    public async Task The_timer_restarts_for_the_next_batch()
    {
        await using var harness = await ChainHarness.StartSoloAsync(
            _network.Config(maxMessageCount: 10, batchTimeout: TimeSpan.FromSeconds(2)), _network.OrdererSigner, adaptiveCutting: false);

        await OrderAsync(harness, Tx());
        await harness.Clock.WhenTimerArmedAsync().WaitAsync(ChainHarness.FailureGuard);
        harness.Clock.Advance(TimeSpan.FromSeconds(2));
        await harness.WaitForHeightAsync(2);
        var second = Tx();
        await OrderAsync(harness, second);
        await harness.Clock.WhenTimerArmedAsync().WaitAsync(ChainHarness.FailureGuard);
        harness.Clock.Advance(TimeSpan.FromSeconds(2));
        await harness.WaitForHeightAsync(3);

        Assert.Equal([second], EnvelopesOf(harness.Store.GetBlock(2)));
    }

    [Fact]
    public async Task A_config_message_cuts_the_pending_batch_and_forms_its_own_block()
    {
        await using var harness = await ChainHarness.StartSoloAsync(_network.Config(maxMessageCount: 10), _network.OrdererSigner, adaptiveCutting: false);
        var envelopes = new[] { Tx(), Tx() };
        var proposed = harness.Support.State.Config.Clone();
        proposed.Orderer.BatchSize.MaxMessageCount = 1;
        var config = ConfigEnvelope(harness, proposed, [_network.OrdererOrg.Admin]);

        await OrderAsync(harness, envelopes);
        await harness.Support.Chain.ConfigureAsync(config, 0, CancellationToken.None);
        await harness.WaitForHeightAsync(3);

        Assert.Equal(envelopes, EnvelopesOf(harness.Store.GetBlock(1)));
        Assert.Equal([config], EnvelopesOf(harness.Store.GetBlock(2)));
        Assert.Equal(1UL, harness.Support.State.Sequence);
        Assert.Equal(2UL, harness.Support.LastConfigBlock);
        // The new batch size is in force: a single message is a block now.
        var next = Tx();
        await OrderAsync(harness, next);
        await harness.WaitForHeightAsync(4);
        Assert.Equal([next], EnvelopesOf(harness.Store.GetBlock(3)));
    }

    [Fact]
    public async Task A_stale_message_from_a_removed_org_is_dropped_and_a_valid_one_kept()
    {
        await using var harness = await ChainHarness.StartSoloAsync(_network.Config(maxMessageCount: 1), _network.OrdererSigner);
        var proposed = harness.Support.State.Config.Clone();
        proposed.Application.Organizations.RemoveAt(2);
        var config = ConfigEnvelope(harness, proposed, [_network.Org1.Admin, _network.Org2.Admin]);
        // Both were validated at sequence 0, before the config that removes Org3 is ordered.
        var fromOrg3 = TestNetwork.Transaction(_network.Org3.Client);
        var fromOrg1 = Tx();

        await harness.Support.Chain.ConfigureAsync(config, 0, CancellationToken.None);
        await harness.Support.Chain.OrderAsync(fromOrg3, 0, CancellationToken.None);
        await harness.Support.Chain.OrderAsync(fromOrg1, 0, CancellationToken.None);
        await harness.WaitForHeightAsync(3);

        Assert.Equal([config], EnvelopesOf(harness.Store.GetBlock(1)));
        Assert.Equal([fromOrg1], EnvelopesOf(harness.Store.GetBlock(2)));
        // Nothing else is pending or written for the dropped message.
        var marker = Tx();
        await harness.Support.Chain.OrderAsync(marker, 1, CancellationToken.None);
        await harness.WaitForHeightAsync(4);
        Assert.Equal([marker], EnvelopesOf(harness.Store.GetBlock(3)));
    }

    [Fact]
    public async Task A_stale_config_message_is_revalidated_and_dropped_when_no_longer_valid()
    {
        await using var harness = await ChainHarness.StartSoloAsync(_network.Config(maxMessageCount: 1), _network.OrdererSigner, adaptiveCutting: false);
        var first = harness.Support.State.Config.Clone();
        first.Orderer.BatchSize.MaxMessageCount = 2;
        var second = harness.Support.State.Config.Clone();
        second.Orderer.BatchSize.MaxMessageCount = 3;
        var firstConfig = ConfigEnvelope(harness, first, [_network.OrdererOrg.Admin]);
        var secondConfig = ConfigEnvelope(harness, second, [_network.OrdererOrg.Admin]);

        await harness.Support.Chain.ConfigureAsync(firstConfig, 0, CancellationToken.None);
        // Computed against sequence 0; re-validation finds the base sequence stale and drops it.
        await harness.Support.Chain.ConfigureAsync(secondConfig, 0, CancellationToken.None);
        var marker = Tx();
        var marker2 = Tx();
        await harness.Support.Chain.OrderAsync(marker, 1, CancellationToken.None);
        await harness.Support.Chain.OrderAsync(marker2, 1, CancellationToken.None);
        await harness.WaitForHeightAsync(3);

        Assert.Equal([firstConfig], EnvelopesOf(harness.Store.GetBlock(1)));
        Assert.Equal([marker, marker2], EnvelopesOf(harness.Store.GetBlock(2)));
        Assert.Equal(2U, harness.Support.Cutter.Settings.MaxMessageCount);
    }

    [Fact]
    public async Task OrderAsync_after_dispose_is_rejected_with_503()
    {
        var harness = await ChainHarness.StartSoloAsync(_network.Config(), _network.OrdererSigner);
        var chain = harness.Support.Chain;
        await harness.DisposeAsync();

        var ex = await Assert.ThrowsAsync<MessageRejectedException>(async () => await chain.OrderAsync(Tx(), 0, CancellationToken.None));
        var config = await Assert.ThrowsAsync<MessageRejectedException>(async () => await chain.ConfigureAsync(Tx(), 0, CancellationToken.None));

        Assert.Equal(Status.ServiceUnavailable, ex.Status);
        Assert.Equal(Status.ServiceUnavailable, config.Status);
        Assert.Null(chain.Fault);
    }
}
