using Google.Protobuf;
using ZonCoin.Orderer.BlockCutting;
using ZonCoin.Protos.Common;

namespace ZonCoin.Orderer.Tests.BlockCutting;

public sealed class BlockCutterTests
{
    private static BatchSettings Settings(uint maxMessageCount = 10, uint preferredMaxBytes = 100, uint absoluteMaxBytes = 1000) =>
        new(maxMessageCount, absoluteMaxBytes, preferredMaxBytes, TimeSpan.FromSeconds(1));

    /// <summary>An envelope of exactly <paramref name="size"/> bytes as the cutter counts them, tagged by its first byte.</summary>
    private static Envelope Message(int size, byte tag = 0, int signatureBytes = 4)
    {
        var payload = new byte[size - signatureBytes];
        if (payload.Length > 0)
        {
            payload[0] = tag;
        }
        return new Envelope { Payload = ByteString.CopyFrom(payload), Signature = ByteString.CopyFrom(new byte[signatureBytes]) };
    }

    [Fact]
    public void SizeOf_is_payload_plus_signature_length()
    {
        var envelope = new Envelope { Payload = ByteString.CopyFrom(new byte[37]), Signature = ByteString.CopyFrom(new byte[71]) };

        Assert.Equal(108, BlockCutter.SizeOf(envelope));
        // The protobuf framing is not counted.
        Assert.NotEqual(envelope.CalculateSize(), BlockCutter.SizeOf(envelope));
    }

    [Fact]
    public void Cuts_when_max_message_count_is_reached()
    {
        var cutter = new BlockCutter(Settings(maxMessageCount: 3));
        var messages = Enumerable.Range(0, 3).Select(i => Message(10, (byte)i)).ToArray();

        Assert.Empty(cutter.Ordered(messages[0]));
        Assert.Empty(cutter.Ordered(messages[1]));
        var batches = cutter.Ordered(messages[2]);

        var batch = Assert.Single(batches);
        Assert.Equal(messages, batch);
        Assert.False(cutter.HasPending);
        Assert.Equal(0, cutter.PendingCount);
    }

    [Fact]
    public void A_message_that_would_overflow_preferred_bytes_cuts_the_pending_batch_first()
    {
        var cutter = new BlockCutter(Settings(preferredMaxBytes: 100));
        var first = Message(40, 1);
        var second = Message(40, 2);
        var third = Message(40, 3);

        Assert.Empty(cutter.Ordered(first));
        Assert.Empty(cutter.Ordered(second));
        var batches = cutter.Ordered(third);

        Assert.Equal([first, second], Assert.Single(batches));
        Assert.Equal(1, cutter.PendingCount);
        Assert.Equal([third], cutter.Cut());
    }

    [Fact]
    public void A_message_exactly_filling_preferred_bytes_stays_pending()
    {
        var cutter = new BlockCutter(Settings(preferredMaxBytes: 100));

        Assert.Empty(cutter.Ordered(Message(60)));
        Assert.Empty(cutter.Ordered(Message(40)));

        Assert.Equal(2, cutter.PendingCount);
    }

    [Fact]
    public void An_oversized_message_without_pending_gets_a_batch_of_its_own()
    {
        var cutter = new BlockCutter(Settings(preferredMaxBytes: 100));
        var big = Message(101);

        var batches = cutter.Ordered(big);

        Assert.Equal([big], Assert.Single(batches));
        Assert.False(cutter.HasPending);
    }

    [Fact]
    public void An_oversized_message_with_pending_cuts_pending_then_gets_its_own_batch()
    {
        var cutter = new BlockCutter(Settings(preferredMaxBytes: 100));
        var small = Message(10, 1);
        var big = Message(500, 2);

        Assert.Empty(cutter.Ordered(small));
        var batches = cutter.Ordered(big);

        Assert.Equal(2, batches.Count);
        Assert.Equal([small], batches[0]);
        Assert.Equal([big], batches[1]);
        Assert.False(cutter.HasPending);
    }

    [Fact]
    public void Overflow_and_count_can_cut_two_batches_for_one_message()
    {
        var cutter = new BlockCutter(Settings(maxMessageCount: 1, preferredMaxBytes: 100));

        var batches = cutter.Ordered(Message(50));

        Assert.Single(batches);
        Assert.False(cutter.HasPending);
    }

    [Fact]
    public void Cut_returns_pending_and_empties_it()
    {
        var cutter = new BlockCutter(Settings());
        var first = Message(10, 1);
        var second = Message(10, 2);
        cutter.Ordered(first);
        cutter.Ordered(second);

        Assert.True(cutter.HasPending);
        Assert.Equal([first, second], cutter.Cut());
        Assert.False(cutter.HasPending);
        Assert.Empty(cutter.Cut());
    }

    [Fact]
    public void Cutting_resets_the_byte_count()
    {
        var cutter = new BlockCutter(Settings(preferredMaxBytes: 100));
        cutter.Ordered(Message(90));
        cutter.Cut();

        // Had the 90 bytes stayed counted, this would cut an empty batch or overflow.
        Assert.Empty(cutter.Ordered(Message(90)));
        Assert.Equal(1, cutter.PendingCount);
    }

    [Fact]
    public void The_same_input_gives_the_same_batches()
    {
        var random = new Random(1234);
        var messages = Enumerable.Range(0, 500).Select(i => Message(random.Next(5, 150), (byte)i)).ToArray();

        static List<IReadOnlyList<Envelope>> Run(IEnumerable<Envelope> input)
        {
            var cutter = new BlockCutter(new BatchSettings(7, 1000, 300, TimeSpan.FromSeconds(1)));
            var batches = new List<IReadOnlyList<Envelope>>();
            foreach (var message in input)
            {
                batches.AddRange(cutter.Ordered(message));
            }
            batches.Add(cutter.Cut());
            return batches;
        }

        var first = Run(messages);
        var second = Run(messages.Select(message => message.Clone()));

        Assert.Equal(first.Count, second.Count);
        for (var i = 0; i < first.Count; i++)
        {
            Assert.Equal(first[i], second[i]);
        }
        // Nothing was lost or reordered, and every batch respects the limits.
        Assert.Equal(messages, first.SelectMany(batch => batch));
        Assert.All(first, batch => Assert.True(batch.Count <= 7));
        Assert.All(first.Where(batch => batch.Count > 1), batch => Assert.True(batch.Sum(BlockCutter.SizeOf) <= 300));
    }

    [Fact]
    public void New_settings_apply_to_later_messages()
    {
        var cutter = new BlockCutter(Settings(maxMessageCount: 10));
        cutter.Settings = Settings(maxMessageCount: 1);

        Assert.Single(cutter.Ordered(Message(10)));
    }
}
