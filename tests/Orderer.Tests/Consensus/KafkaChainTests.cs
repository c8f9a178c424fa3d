using Google.Protobuf;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Hosting;
using ZonCoin.Kafka;
using ZonCoin.Orderer.MsgProcessor;
using ZonCoin.Orderer.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;
using ZonCoin.Protos.Kafka;

namespace ZonCoin.Orderer.Tests.Consensus;

/// <summary>
/// <see cref="Orderer.Consensus.Kafka.KafkaChain"/> in-process over the real Kafka protocol (librdkafka's mock
/// cluster): readiness, cuts by count and by TIME_TO_CUT through the log, offsets in block metadata, identical
/// blocks on two orderers, restart from the ledger, re-validation of stale messages, broker health, the lag gauge.
/// Each test has its own channel (topic); the whole-network variant is Integration.Tests' OrdererKafkaTests.
/// </summary>
public sealed class KafkaChainTests : IClassFixture<KafkaClusterFixture>, IDisposable
{
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(2);

    private readonly KafkaClusterFixture _kafka;
    private readonly TestNetwork _network = new();

    public KafkaChainTests(KafkaClusterFixture kafka)
    {
        _kafka = kafka;
    }

    public void Dispose() => _network.Dispose();

    private Envelope Tx(TestOrg? org = null) => TestNetwork.Transaction((org ?? _network.Org1).Client, _channelId!);

    private string? _channelId;

    /// <summary>A fresh kafka channel (its topic created) and its genesis block.</summary>
    private Block NewChannel(uint maxMessageCount = 10, uint preferredMaxBytes = 512 * 1024, string prefix = "kafka")
    {
        _channelId = _kafka.CreateChannel(prefix);
        return KafkaChainHarness.GenesisBlock(_network.Config(maxMessageCount: maxMessageCount, preferredMaxBytes: preferredMaxBytes,
            batchTimeout: BatchTimeout, channelId: _channelId, kafkaBrokers: _kafka.Brokers));
    }

    /// <summary>A second orderer of OrdererMSP, with its own certificate and key.</summary>
    private SigningIdentity SecondOrderer() => _network.OrdererOrg.Issue(new CertificateSpec
    {
        CommonName = "orderer2.ordererorg",
        Organization = _network.OrdererOrg.MspId,
        OrganizationalUnits = [MspConfigs.OrdererOu],
    });

    private static IEnumerable<Envelope> EnvelopesOf(Block block) => block.Data.Data.Select(Envelope.Parser.ParseFrom);

    private static KafkaMessage Regular(Envelope envelope, ulong configSequence, long originalOffset = 0) => new()
    {
        Regular = new KafkaMessageRegular
        {
            Payload = envelope.ToByteString(),
            ConfigSeq = configSequence,
            Class = KafkaMessageRegular.Types.Class.Normal,
            OriginalOffset = originalOffset,
        },
    };

    private static KafkaMessage ConfigMessage(Envelope configEnvelope, ulong configSequence) => new()
    {
        Regular = new KafkaMessageRegular
        {
            Payload = configEnvelope.ToByteString(),
            ConfigSeq = configSequence,
            Class = KafkaMessageRegular.Types.Class.Config,
        },
    };

    private static KafkaMessage TimeToCut(ulong blockNumber) => new() { TimeToCut = new KafkaMessageTimeToCut { BlockNumber = blockNumber } };

    /// <summary>The KafkaMetadata of the ORDERER slot, after checking SIGNATURES' consenter_metadata holds the same.</summary>
    private static KafkaMetadata OffsetsOf(Block block)
    {
        var orderer = Metadata.Parser.ParseFrom(block.Metadata.Metadata[(int)BlockMetadataIndex.Orderer]).Value;
        var signatures = OrdererBlockMetadata.Parser.ParseFrom(Metadata.Parser.ParseFrom(block.Metadata.Metadata[(int)BlockMetadataIndex.Signatures]).Value);
        Assert.Equal(orderer, signatures.ConsenterMetadata);
        return KafkaMetadata.Parser.ParseFrom(orderer);
    }

    /// <summary>The offsets at which each of <paramref name="envelopes"/> was posted as a regular message.</summary>
    private static long[] OffsetsIn(IReadOnlyList<(long Offset, KafkaMessage Message)> topic, params Envelope[] envelopes) =>
    [
        .. envelopes.Select(envelope => topic.Single(m => m.Message.TypeCase == KafkaMessage.TypeOneofCase.Regular
            && m.Message.Regular.Payload == envelope.ToByteString()).Offset),
    ];

    private static void AssertSameBlocks(KafkaChainHarness expected, KafkaChainHarness actual, ulong height)
    {
        for (ulong number = 1; number < height; number++)
        {
            var a = expected.Store.GetBlock(number);
            var b = actual.Store.GetBlock(number);
            Assert.Equal(BlockHashing.HeaderHash(a.Header), BlockHashing.HeaderHash(b.Header));
            Assert.Equal(a.Data, b.Data);
            Assert.Equal(OffsetsOf(a), OffsetsOf(b));
            Assert.Equal(a.Metadata.Metadata[(int)BlockMetadataIndex.Orderer], b.Metadata.Metadata[(int)BlockMetadataIndex.Orderer]);
            Assert.Equal(a.Metadata.Metadata[(int)BlockMetadataIndex.LastConfig], b.Metadata.Metadata[(int)BlockMetadataIndex.LastConfig]);
        }
    }

    /// <summary>
    /// Moves <paramref name="harness"/>'s clock on by the batch timeout, again and again, until its store reaches
    /// <paramref name="height"/>: the chain arms its batch timer on its consume thread, after the block before is
    /// written, so a single advance could fire only a timer about to be replaced.
    /// </summary>
    private static async Task AdvanceUntilHeightAsync(KafkaChainHarness harness, ulong height)
    {
        using var guard = new CancellationTokenSource(KafkaClusterFixture.Timeout);
        while (harness.Store.Height < height)
        {
            Assert.False(guard.IsCancellationRequested, $"no TIME_TO_CUT brought the store to height {height} (it is at {harness.Store.Height})");
            harness.Clock.Advance(BatchTimeout);
            using var step = CancellationTokenSource.CreateLinkedTokenSource(guard.Token);
            step.CancelAfter(TimeSpan.FromMilliseconds(100));
            await harness.Store.WaitForHeightAsync(height, step.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Fact]
    public async Task The_chain_is_faulted_and_refuses_messages_with_503_until_it_has_posted_CONNECT()
    {
        var config = NewChannel();
        await using var harness = KafkaChainHarness.Create(config, _network.OrdererSigner, _kafka.Brokers);

        Assert.NotNull(harness.Chain.Fault);
        var order = await Assert.ThrowsAsync<MessageRejectedException>(async () => await harness.Chain.OrderAsync(Tx(), 0, CancellationToken.None));
        var configure = await Assert.ThrowsAsync<MessageRejectedException>(async () => await harness.Chain.ConfigureAsync(Tx(), 0, CancellationToken.None));
        Assert.Equal(Status.ServiceUnavailable, order.Status);
        Assert.Equal(Status.ServiceUnavailable, configure.Status);

        await harness.Chain.StartAsync(CancellationToken.None);
        await harness.WaitForFaultAsync(fault => fault is null);

        // Ready means CONNECT is in the log (acknowledged), and it is the topic's first message.
        var first = _kafka.Read(_channelId!, 1).Single();
        Assert.Equal(0, first.Offset);
        Assert.Equal(KafkaMessage.TypeOneofCase.Connect, first.Message.TypeCase);
        await harness.OrderAsync(Tx());
    }

    [Fact]
    public async Task Blocks_are_cut_by_count_and_record_the_offset_of_their_last_message()
    {
        await using var harness = await KafkaChainHarness.StartAsync(NewChannel(maxMessageCount: 3), _network.OrdererSigner, _kafka.Brokers, adaptiveCutting: false);
        var envelopes = Enumerable.Range(0, 7).Select(_ => Tx()).ToArray();

        await harness.OrderAsync(envelopes);
        await harness.WaitForHeightAsync(3);

        var topic = _kafka.Read(_channelId!, 8);
        Assert.Equal(KafkaMessage.TypeOneofCase.Connect, topic[0].Message.TypeCase);
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], OffsetsIn(topic, envelopes));
        Assert.All(topic.Skip(1), m => Assert.Equal(0UL, m.Message.Regular.ConfigSeq));
        var first = harness.Store.GetBlock(1);
        var second = harness.Store.GetBlock(2);
        Assert.Equal(envelopes[..3], EnvelopesOf(first));
        Assert.Equal(envelopes[3..6], EnvelopesOf(second));
        Assert.Equal(new KafkaMetadata { LastOffsetPersisted = 3 }, OffsetsOf(first));
        Assert.Equal(new KafkaMetadata { LastOffsetPersisted = 6 }, OffsetsOf(second));
        Assert.Equal(3UL, harness.Store.Height);
        Assert.True(harness.Support.Cutter.HasPending);
    }

    [Fact]
    public async Task A_pending_batch_is_cut_by_the_TIME_TO_CUT_the_chain_posts_when_the_batch_timer_fires()
    {
        await using var harness = await KafkaChainHarness.StartAsync(NewChannel(maxMessageCount: 10), _network.OrdererSigner, _kafka.Brokers, adaptiveCutting: false);
        var envelopes = new[] { Tx(), Tx() };

        await harness.OrderAsync(envelopes);
        await harness.Clock.WhenTimerArmedAsync().WaitAsync(KafkaClusterFixture.Timeout);
        harness.Clock.Advance(BatchTimeout);
        await harness.WaitForHeightAsync(2);

        var topic = _kafka.Read(_channelId!, 4);
        Assert.Equal(TimeToCut(1), topic[3].Message);
        var block = harness.Store.GetBlock(1);
        Assert.Equal(envelopes, EnvelopesOf(block));
        Assert.Equal(new KafkaMetadata { LastOffsetPersisted = 3 }, OffsetsOf(block));
        Assert.Equal(0, harness.Clock.ArmedTimers);
    }

    [Fact]
    public async Task A_lone_message_is_cut_by_an_early_TIME_TO_CUT_posted_when_the_consumer_reaches_the_end_of_the_partition()
    {
        await using var harness = await KafkaChainHarness.StartAsync(NewChannel(maxMessageCount: 10), _network.OrdererSigner, _kafka.Brokers);
        var (a, b) = (Tx(), Tx());

        // The clock never moves, so no batch timer fires: each TIME_TO_CUT is the early one.
        await harness.OrderAsync(a);
        await harness.WaitForHeightAsync(2);
        await harness.OrderAsync(b);
        await harness.WaitForHeightAsync(3);

        // One TIME_TO_CUT per block, right after the message it cuts.
        var topic = _kafka.Read(_channelId!, 5);
        Assert.Equal(KafkaMessage.TypeOneofCase.Connect, topic[0].Message.TypeCase);
        Assert.Equal([1L, 3], OffsetsIn(topic, a, b));
        Assert.Equal(TimeToCut(1), topic[2].Message);
        Assert.Equal(TimeToCut(2), topic[4].Message);
        Assert.Equal([a], EnvelopesOf(harness.Store.GetBlock(1)));
        Assert.Equal([b], EnvelopesOf(harness.Store.GetBlock(2)));
        Assert.Equal(new KafkaMetadata { LastOffsetPersisted = 2 }, OffsetsOf(harness.Store.GetBlock(1)));
        Assert.Equal(new KafkaMetadata { LastOffsetPersisted = 4 }, OffsetsOf(harness.Store.GetBlock(2)));
        Assert.False(harness.Support.Cutter.HasPending);
        Assert.Equal(0, harness.Clock.ArmedTimers);
    }

    [Fact]
    public async Task A_backlog_in_the_log_is_cut_by_count_and_its_remainder_by_an_early_TIME_TO_CUT()
    {
        var config = NewChannel(maxMessageCount: 10);
        var envelopes = Enumerable.Range(0, 25).Select(_ => Tx()).ToArray();
        // Posted before the orderer starts, as a burst it has not read yet: it reaches the end only after the last.
        foreach (var envelope in envelopes)
        {
            await _kafka.PostAsync(_channelId!, Regular(envelope, 0));
        }

        await using var harness = await KafkaChainHarness.StartAsync(config, _network.OrdererSigner, _kafka.Brokers);
        await harness.WaitForHeightAsync(4);

        Assert.Equal(envelopes[..10], EnvelopesOf(harness.Store.GetBlock(1)));
        Assert.Equal(envelopes[10..20], EnvelopesOf(harness.Store.GetBlock(2)));
        Assert.Equal(envelopes[20..], EnvelopesOf(harness.Store.GetBlock(3)));
        Assert.Equal(4UL, harness.Store.Height);
        Assert.Contains(_kafka.Read(_channelId!, 27), m => m.Message.Equals(TimeToCut(3)));
    }

    [Fact]
    public async Task A_stale_TIME_TO_CUT_is_ignored()
    {
        await using var harness = await KafkaChainHarness.StartAsync(NewChannel(maxMessageCount: 2), _network.OrdererSigner, _kafka.Brokers, adaptiveCutting: false);
        var (a, b, c, d) = (Tx(), Tx(), Tx(), Tx());

        await harness.OrderAsync(a, b);
        await harness.WaitForHeightAsync(2);
        await harness.OrderAsync(c);
        // Another orderer's late TIME_TO_CUTs for blocks already cut: c stays pending.
        await _kafka.PostAsync(_channelId!, TimeToCut(1));
        await _kafka.PostAsync(_channelId!, TimeToCut(0));
        await harness.OrderAsync(d);
        await harness.WaitForHeightAsync(3);

        Assert.Equal([c, d], EnvelopesOf(harness.Store.GetBlock(2)));
        Assert.Equal(new KafkaMetadata { LastOffsetPersisted = 6 }, OffsetsOf(harness.Store.GetBlock(2)));
        Assert.Null(harness.Chain.Fault);
    }

    [Fact]
    public async Task A_TIME_TO_CUT_beyond_the_next_block_halts_the_chain()
    {
        await using var harness = await KafkaChainHarness.StartAsync(NewChannel(maxMessageCount: 10), _network.OrdererSigner, _kafka.Brokers, adaptiveCutting: false);

        await harness.OrderAsync(Tx());
        await _kafka.PostAsync(_channelId!, TimeToCut(2));
        await harness.WaitForFaultAsync(fault => fault is not null);

        Assert.Contains("TIME_TO_CUT for block 2", harness.Chain.Fault, StringComparison.Ordinal);
        var ex = await Assert.ThrowsAsync<MessageRejectedException>(async () => await harness.Chain.OrderAsync(Tx(), 0, CancellationToken.None));
        Assert.Equal(Status.ServiceUnavailable, ex.Status);
        Assert.Equal(1UL, harness.Store.Height);
    }

    [Fact]
    public async Task The_batch_timer_restarts_for_a_message_left_pending_by_a_size_cut()
    {
        NewChannel();
        var probe = Tx(); // the size of every Tx() on this channel, give or take a byte of signature
        var config = KafkaChainHarness.GenesisBlock(_network.Config(maxMessageCount: 10, preferredMaxBytes: (uint)(probe.CalculateSize() * 2 + 10),
            batchTimeout: BatchTimeout, channelId: _channelId!, kafkaBrokers: _kafka.Brokers));
        await using var harness = await KafkaChainHarness.StartAsync(config, _network.OrdererSigner, _kafka.Brokers, adaptiveCutting: false);
        var (a, b, c) = (Tx(), Tx(), Tx());

        // a starts the timer for block 1; c does not fit with a and b, so a+b are cut as block 1 and c waits.
        await harness.OrderAsync(a, b, c);
        await harness.WaitForHeightAsync(2);
        Assert.Equal([a, b], EnvelopesOf(harness.Store.GetBlock(1)));
        Assert.Equal(new KafkaMetadata { LastOffsetPersisted = 2 }, OffsetsOf(harness.Store.GetBlock(1)));

        // The timer must now be for block 2: move time on until c is cut (a timer for block 1 would post a stale
        // TIME_TO_CUT and leave c pending for ever).
        await AdvanceUntilHeightAsync(harness, 3);
        Assert.Equal([c], EnvelopesOf(harness.Store.GetBlock(2)));
        Assert.Contains(_kafka.Read(_channelId!, 5), m => m.Message.Equals(TimeToCut(2)));
    }

    [Fact]
    public async Task Two_orderers_on_one_topic_build_identical_blocks()
    {
        var config = NewChannel(maxMessageCount: 3);
        await using var first = await KafkaChainHarness.StartAsync(config, _network.OrdererSigner, _kafka.Brokers, adaptiveCutting: false);
        await using var second = await KafkaChainHarness.StartAsync(config, SecondOrderer(), _kafka.Brokers, adaptiveCutting: false);

        // Through both orderers: two count cuts, then a batch cut by the first orderer's timer.
        foreach (var i in Enumerable.Range(0, 8))
        {
            await (i % 2 == 0 ? first : second).OrderAsync(Tx(i % 3 == 0 ? _network.Org2 : _network.Org1));
        }
        await first.WaitForHeightAsync(3);
        await AdvanceUntilHeightAsync(first, 4);
        await second.WaitForHeightAsync(4);

        AssertSameBlocks(first, second, 4);
        Assert.Equal(2, first.Store.GetBlock(3).Data.Data.Count);
        // Signed by each orderer itself.
        Assert.NotEqual(first.Store.GetBlock(1).Metadata.Metadata[(int)BlockMetadataIndex.Signatures],
            second.Store.GetBlock(1).Metadata.Metadata[(int)BlockMetadataIndex.Signatures]);
    }

    [Fact]
    public async Task Two_orderers_cutting_adaptively_on_one_topic_build_identical_blocks()
    {
        var config = NewChannel(maxMessageCount: 3);
        await using var first = await KafkaChainHarness.StartAsync(config, _network.OrdererSigner, _kafka.Brokers);
        await using var second = await KafkaChainHarness.StartAsync(config, SecondOrderer(), _kafka.Brokers);
        var envelopes = Enumerable.Range(0, 12).Select(i => Tx(i % 3 == 0 ? _network.Org2 : _network.Org1)).ToArray();

        // Both orderers post early TIME_TO_CUTs for the blocks they fill (the clock never moves); some pairs go in
        // concurrently, so where each cut falls depends on timing, but it is the same for both.
        await Task.WhenAll(envelopes.Select((envelope, i) => Task.Run(() => (i % 2 == 0 ? first : second).OrderAsync(envelope))));
        await KafkaChainHarness.WaitUntilAsync(() => TransactionsIn(first) == envelopes.Length, () => $"the first orderer's blocks hold {TransactionsIn(first)} transactions");
        var height = first.Store.Height;
        await second.WaitForHeightAsync(height);

        AssertSameBlocks(first, second, height);
        Assert.Equal(height, second.Store.Height);
        Assert.Equal(envelopes.Length, TransactionsIn(second));
        Assert.All(Enumerable.Range(1, (int)height - 1), n => Assert.InRange(first.Store.GetBlock((ulong)n).Data.Data.Count, 1, 3));
        Assert.False(first.Support.Cutter.HasPending);
        Assert.False(second.Support.Cutter.HasPending);
    }

    private static int TransactionsIn(KafkaChainHarness harness)
    {
        var height = harness.Store.Height;
        var count = 0;
        for (ulong number = 1; number < height; number++)
        {
            count += harness.Store.GetBlock(number).Data.Data.Count;
        }
        return count;
    }

    [Fact]
    public async Task A_restarted_orderer_resumes_from_its_ledger_and_builds_the_blocks_of_one_that_never_stopped()
    {
        var config = NewChannel(maxMessageCount: 2);
        await using var restarted = await KafkaChainHarness.StartAsync(config, _network.OrdererSigner, _kafka.Brokers, adaptiveCutting: false);
        await using var steady = await KafkaChainHarness.StartAsync(config, SecondOrderer(), _kafka.Brokers, adaptiveCutting: false);
        var envelopes = Enumerable.Range(0, 6).Select(_ => Tx()).ToArray();

        // Block 1 = [0, 1]; 2 is pending when the first orderer stops.
        await restarted.OrderAsync(envelopes[..3]);
        await restarted.WaitForHeightAsync(2);
        await steady.WaitForHeightAsync(2);
        await restarted.StopAsync();
        // While it is down: block 2 = [2, 3], then 4 pending.
        await steady.OrderAsync(envelopes[3..5]);
        await steady.WaitForHeightAsync(3);

        await using var resumed = await KafkaChainHarness.StartAsync(config, _network.OrdererSigner, _kafka.Brokers, restarted.Directory, adaptiveCutting: false);
        await resumed.WaitForHeightAsync(3);
        await resumed.OrderAsync(envelopes[5]);
        await resumed.WaitForHeightAsync(4);
        await steady.WaitForHeightAsync(4);

        AssertSameBlocks(steady, resumed, 4);
        Assert.Equal(envelopes[2..4], EnvelopesOf(resumed.Store.GetBlock(2)));
        Assert.Equal(envelopes[4..6], EnvelopesOf(resumed.Store.GetBlock(3)));
        // Nothing was consumed twice: the topic holds each envelope once, and each block only what follows the previous one.
        var topic = _kafka.ReadUntil(_channelId!, read => read.Count(m => m.Message.TypeCase == KafkaMessage.TypeOneofCase.Regular) == 6);
        var offsets = OffsetsIn(topic, envelopes);
        Assert.Equal(offsets[1], OffsetsOf(resumed.Store.GetBlock(1)).LastOffsetPersisted);
        Assert.Equal(offsets[3], OffsetsOf(resumed.Store.GetBlock(2)).LastOffsetPersisted);
        Assert.Equal(offsets[5], OffsetsOf(resumed.Store.GetBlock(3)).LastOffsetPersisted);
    }

    [Fact]
    public async Task A_stale_message_is_revalidated_and_reposted_once_per_orderer_and_ordered_once_and_an_invalid_one_is_dropped()
    {
        var genesis = NewChannel(maxMessageCount: 1);
        await using var first = await KafkaChainHarness.StartAsync(genesis, _network.OrdererSigner, _kafka.Brokers);
        await using var second = await KafkaChainHarness.StartAsync(genesis, SecondOrderer(), _kafka.Brokers);
        var proposed = first.Support.State.Config.Clone();
        proposed.Application.Organizations.RemoveAt(2); // Org3
        var removeOrg3 = first.ConfigEnvelope(proposed, [_network.Org1.Admin, _network.Org2.Admin], _network.Org1.Admin);

        await first.Chain.ConfigureAsync(removeOrg3, 0, CancellationToken.None);
        await first.WaitForHeightAsync(2);
        await second.WaitForHeightAsync(2);
        Assert.Equal(1UL, first.Support.State.Sequence);
        Assert.Equal(1UL, second.Support.State.Sequence);

        // Validated at sequence 0 by some orderer before the config block: one still valid, one from the removed org.
        var fromOrg1 = Tx(_network.Org1);
        var fromOrg3 = Tx(_network.Org3);
        var staleOffset = await _kafka.PostAsync(_channelId!, Regular(fromOrg1, 0));
        var invalidOffset = await _kafka.PostAsync(_channelId!, Regular(fromOrg3, 0));
        var topic = _kafka.ReadUntil(_channelId!, read => read.Count(m => m.Message.Regular?.OriginalOffset == staleOffset) == 2);
        var marker = Tx();
        await first.OrderAsync(marker);
        await first.WaitForHeightAsync(4);
        await second.WaitForHeightAsync(4);

        // Each orderer re-posted the valid one at the new sequence; the first copy is ordered, the second dropped.
        var copies = topic.Where(m => m.Message.Regular?.OriginalOffset == staleOffset).ToList();
        Assert.All(copies, m => Assert.Equal(Regular(fromOrg1, 1, staleOffset), m.Message));
        Assert.DoesNotContain(topic, m => m.Message.Regular?.OriginalOffset == invalidOffset);
        foreach (var orderer in new[] { first, second })
        {
            Assert.Equal([removeOrg3], EnvelopesOf(orderer.Store.GetBlock(1)));
            Assert.Equal([fromOrg1], EnvelopesOf(orderer.Store.GetBlock(2)));
            Assert.Equal([marker], EnvelopesOf(orderer.Store.GetBlock(3)));
            Assert.Equal(copies[0].Offset, OffsetsOf(orderer.Store.GetBlock(2)).LastOffsetPersisted);
            Assert.Equal(staleOffset, OffsetsOf(orderer.Store.GetBlock(2)).LastOriginalOffsetProcessed);
            Assert.Equal(4UL, orderer.Store.Height);
        }
        AssertSameBlocks(first, second, 4);
    }

    [Fact]
    public async Task A_message_that_is_stale_again_after_its_repost_is_not_lost_behind_a_later_reposted_message()
    {
        await using var harness = await KafkaChainHarness.StartAsync(NewChannel(maxMessageCount: 1), _network.OrdererSigner, _kafka.Brokers);
        var genesis = harness.Support.State;
        var first = genesis.Config.Clone();
        first.Orderer.BatchSize.PreferredMaxBytes = 256 * 1024;
        var firstConfig = harness.ConfigEnvelope(first, [_network.OrdererOrg.Admin], _network.Org1.Admin);
        var afterFirst = Orderer.Channels.ChannelState.Create(MessageProcessor.ReadConfig(firstConfig));
        var second = afterFirst.Config.Clone();
        second.Orderer.BatchSize.PreferredMaxBytes = 128 * 1024;
        var update = TestNetwork.ConfigUpdate(afterFirst.Config, second, [_network.OrdererOrg.Admin], _network.Org1.Admin);
        var secondConfig = harness.Support.Processor.ProcessConfigUpdate(MessageProcessor.Classify(update).Envelope, afterFirst);
        var (early, late) = (Tx(), Tx());

        // As other orderers could have posted them: early was validated at sequence 0 and lands after config 1, so
        // its re-posted copy (sequence 1) lands after config 2 and is stale again; late, also validated at 0,
        // lands after config 2 and its copy (sequence 2) is ordered before early's second copy.
        await _kafka.PostAsync(_channelId!, ConfigMessage(firstConfig, 0));
        await _kafka.PostAsync(_channelId!, Regular(early, 0));
        await _kafka.PostAsync(_channelId!, ConfigMessage(secondConfig, 1));
        await _kafka.PostAsync(_channelId!, Regular(late, 0));
        await harness.WaitForHeightAsync(5);

        Assert.Equal([firstConfig], EnvelopesOf(harness.Store.GetBlock(1)));
        Assert.Equal([secondConfig], EnvelopesOf(harness.Store.GetBlock(2)));
        Assert.Equal([late], EnvelopesOf(harness.Store.GetBlock(3)));
        Assert.Equal([early], EnvelopesOf(harness.Store.GetBlock(4)));
    }

    [Fact]
    public async Task The_chain_reports_a_fault_while_all_brokers_are_down_and_recovers_when_they_are_back()
    {
        using var cluster = MockKafkaCluster.Start(1);
        var channelId = KafkaClusterFixture.CreateChannel(cluster, "health");
        var brokers = cluster.BootstrapServers.Split(',');
        var config = KafkaChainHarness.GenesisBlock(_network.Config(maxMessageCount: 1, channelId: channelId, kafkaBrokers: brokers));
        await using var harness = await KafkaChainHarness.StartAsync(config, _network.OrdererSigner, brokers);
        _channelId = channelId;
        await harness.OrderAsync(Tx());
        await harness.WaitForHeightAsync(2);

        cluster.SetBrokerDown(1);
        await harness.WaitForFaultAsync(fault => fault is not null);
        var ex = await Assert.ThrowsAsync<MessageRejectedException>(async () => await harness.Chain.OrderAsync(Tx(), 1, CancellationToken.None));
        Assert.Equal(Status.ServiceUnavailable, ex.Status);

        cluster.SetBrokerUp(1);
        await harness.WaitForFaultAsync(fault => fault is null);
        await harness.OrderAsync(Tx());
        await harness.WaitForHeightAsync(3);
    }

    [Fact]
    public async Task The_consumer_lag_gauge_is_reported_while_the_chain_runs_and_removed_when_it_stops()
    {
        using var exporter = new PrometheusExporter(OrdererMetrics.MeterName);
        var harness = await KafkaChainHarness.StartAsync(NewChannel(maxMessageCount: 1), _network.OrdererSigner, _kafka.Brokers);
        var series = $"orderer_kafka_consumer_lag{{channel=\"{_channelId}\"}}";
        try
        {
            await harness.OrderAsync(Tx());
            await harness.WaitForHeightAsync(2);
            await KafkaChainHarness.WaitUntilAsync(() => exporter.Scrape().Contains($"{series} 0", StringComparison.Ordinal), exporter.Scrape);
        }
        finally
        {
            await harness.StopAsync();
        }

        Assert.DoesNotContain(series, exporter.Scrape(), StringComparison.Ordinal);
        await harness.DisposeAsync();
    }

    [Fact]
    public async Task OrderAsync_after_dispose_is_rejected_with_503()
    {
        var harness = await KafkaChainHarness.StartAsync(NewChannel(), _network.OrdererSigner, _kafka.Brokers);
        var chain = harness.Chain;
        await harness.DisposeAsync();

        var ex = await Assert.ThrowsAsync<MessageRejectedException>(async () => await chain.OrderAsync(Tx(), 0, CancellationToken.None));
        var config = await Assert.ThrowsAsync<MessageRejectedException>(async () => await chain.ConfigureAsync(Tx(), 0, CancellationToken.None));

        Assert.Equal(Status.ServiceUnavailable, ex.Status);
        Assert.Equal(Status.ServiceUnavailable, config.Status);
    }
}
