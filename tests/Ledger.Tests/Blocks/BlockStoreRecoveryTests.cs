using Google.Protobuf;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Ledger.Tests.Support;

namespace ZonCoin.Ledger.Tests.Blocks;

public sealed class BlockStoreRecoveryTests : IDisposable
{
    private const int FrameHeader = 24;
    private static readonly BlockStoreOptions NoFsync = new() { Fsync = false };

    private readonly TempDirectory _dir = new();
    private readonly TestChain _chain = new();

    public void Dispose() => _dir.Dispose();

    private string Segment(int n) => _dir.File($"blockfile_{n:D6}");

    private string IndexFile => _dir.File("blockindex");

    private long FrameLength(int block) => FrameHeader + _chain.Blocks[block].CalculateSize();

    private void CreateStore(int blocks, BlockStoreOptions? options = null)
    {
        using var store = BlockStore.Open(_dir.Path, options ?? NoFsync);
        foreach (var block in _chain.Generate(blocks, padding: 40))
        {
            store.Append(block);
        }
    }

    private static void Truncate(string path, long bytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.SetLength(stream.Length - bytes);
    }

    private static void AppendBytes(string path, byte[] bytes)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write);
        stream.Write(bytes);
    }

    private static void FlipByte(string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        var value = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(value ^ 0x5A));
    }

    /// <summary>The store holds exactly the first <paramref name="height"/> blocks of the chain and takes the next.</summary>
    private void AssertRecoveredTo(BlockStore store, int height)
    {
        Assert.Equal((ulong)height, store.Height);
        Assert.Equal(BlockHashingOf(height - 1), store.LastHeaderHash);
        for (var n = 0; n < height; n++)
        {
            Assert.Equal(_chain.Blocks[n].ToByteArray(), store.GetBlockBytes((ulong)n));
            Assert.Equal(new TransactionLocation((ulong)n, 1), store.FindTransaction($"tx-{n}-1"));
            Assert.Equal((ulong)n, store.FindBlockNumber(BlockHashingOf(n)));
        }
        Assert.Null(store.FindTransaction($"tx-{height}-0"));
        if (_chain.Blocks.Count > height)
        {
            Assert.Null(store.FindBlockNumber(BlockHashingOf(height)));
        }

        // The next block (the one that was lost, or a new one) is accepted.
        if (_chain.Blocks.Count == height)
        {
            _chain.Generate(1, padding: 40);
        }
        store.Append(_chain.Blocks[height]);
        Assert.Equal((ulong)height + 1, store.Height);
        Assert.Equal((ulong)height, store.FindBlockNumber(BlockHashingOf(height)));
        Assert.Equal(new TransactionLocation((ulong)height, 0), store.FindTransaction($"tx-{height}-0"));
    }

    private byte[]? BlockHashingOf(int block) => block < 0 ? null : ZonCoin.Core.Protocol.BlockHashing.HeaderHash(_chain.Blocks[block].Header);

    [Theory]
    [InlineData(1, false)]
    [InlineData(5, false)]
    [InlineData(23, false)]
    [InlineData(24, false)]
    [InlineData(25, false)]
    [InlineData(-1, false)] // all but one byte of the last frame
    [InlineData(1, true)]
    [InlineData(25, true)]
    [InlineData(-1, true)]
    public void A_torn_last_frame_is_truncated_and_the_store_continues(int cut, bool deleteIndex)
    {
        CreateStore(6);
        var last = FrameLength(5);
        var bytes = cut > 0 ? cut : last - 1;
        Truncate(Segment(0), bytes);
        if (deleteIndex)
        {
            File.Delete(IndexFile);
        }

        using var store = BlockStore.Open(_dir.Path, NoFsync);

        Assert.Equal(5UL, store.Recovery.BlocksFound);
        Assert.Equal(last - bytes, store.Recovery.TruncatedBytes);
        Assert.True(store.Recovery.IndexRebuilt);
        Assert.Equal(deleteIndex ? 5UL : 0UL, store.Recovery.BlocksReindexed);
        AssertRecoveredTo(store, 5);
    }

    [Fact]
    public void Cutting_exactly_the_last_frame_or_more_loses_only_those_blocks()
    {
        CreateStore(6);
        Truncate(Segment(0), FrameLength(5) + FrameLength(4) + 7);

        using var store = BlockStore.Open(_dir.Path, NoFsync);

        Assert.Equal(3UL, store.Recovery.BlocksFound);
        Assert.Equal(FrameLength(3) - 7, store.Recovery.TruncatedBytes);
        AssertRecoveredTo(store, 3);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(24)]
    [InlineData(500)]
    public void Garbage_after_the_last_frame_is_truncated(int length)
    {
        CreateStore(4);
        var garbage = Enumerable.Range(0, length).Select(i => (byte)(i * 31 + 7)).ToArray();
        AppendBytes(Segment(0), garbage);

        using var store = BlockStore.Open(_dir.Path, NoFsync);

        Assert.Equal(new RecoveryReport(4, length, false, 0), store.Recovery);
        AssertRecoveredTo(store, 4);
    }

    [Fact]
    public void A_zero_filled_tail_is_truncated()
    {
        CreateStore(3);
        AppendBytes(Segment(0), new byte[4096]);

        using var store = BlockStore.Open(_dir.Path, NoFsync);

        Assert.Equal(4096, store.Recovery.TruncatedBytes);
        AssertRecoveredTo(store, 3);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(false, 30)]
    [InlineData(true, 30)]
    [InlineData(false, -1)]
    public void A_flipped_byte_in_the_last_block_drops_that_block(bool deleteIndex, int payloadOffset)
    {
        CreateStore(5);
        var length = new FileInfo(Segment(0)).Length;
        var lastFrame = FrameLength(4);
        var offset = length - lastFrame + FrameHeader + (payloadOffset >= 0 ? payloadOffset : lastFrame - FrameHeader - 1);
        FlipByte(Segment(0), offset);
        if (deleteIndex)
        {
            File.Delete(IndexFile);
        }

        using var store = BlockStore.Open(_dir.Path, NoFsync);

        Assert.Equal(4UL, store.Recovery.BlocksFound);
        Assert.Equal(lastFrame, store.Recovery.TruncatedBytes);
        Assert.True(store.Recovery.IndexRebuilt);
        AssertRecoveredTo(store, 4);
    }

    [Fact]
    public void A_flipped_byte_in_the_last_frame_header_drops_that_block()
    {
        CreateStore(5);
        var length = new FileInfo(Segment(0)).Length;
        FlipByte(Segment(0), length - FrameLength(4) + 9); // payload length field

        using var store = BlockStore.Open(_dir.Path, NoFsync);

        Assert.Equal(FrameLength(4), store.Recovery.TruncatedBytes);
        AssertRecoveredTo(store, 4);
    }

    [Fact]
    public void Torn_tail_in_the_last_of_several_segments_is_truncated()
    {
        var options = new BlockStoreOptions { MaxSegmentBytes = 1_000, Fsync = false };
        CreateStore(20, options);
        var segments = Directory.GetFiles(_dir.Path, "blockfile_*").Length;
        Assert.True(segments > 2);
        Truncate(Segment(segments - 1), 3);

        using var store = BlockStore.Open(_dir.Path, options);

        Assert.Equal(19UL, store.Recovery.BlocksFound);
        Assert.Equal(FrameLength(19) - 3, store.Recovery.TruncatedBytes);
        AssertRecoveredTo(store, 19);
    }

    [Fact]
    public void A_deleted_index_is_rebuilt_with_the_same_answers()
    {
        var options = new BlockStoreOptions { MaxSegmentBytes = 1_500, Fsync = false };
        CreateStore(25, options);
        File.Delete(IndexFile);

        using var store = BlockStore.Open(_dir.Path, options);

        Assert.Equal(new RecoveryReport(25, 0, true, 25), store.Recovery);
        AssertRecoveredTo(store, 25);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(100)]
    [InlineData(-8)] // everything but the file header
    [InlineData(-4)] // half the file header
    public void A_truncated_index_is_rebuilt_with_the_same_answers(int cut)
    {
        CreateStore(10);
        var length = new FileInfo(IndexFile).Length;
        Truncate(IndexFile, cut > 0 ? cut : length + cut);

        using var store = BlockStore.Open(_dir.Path, NoFsync);

        Assert.Equal(10UL, store.Recovery.BlocksFound);
        Assert.Equal(0, store.Recovery.TruncatedBytes);
        Assert.True(store.Recovery.IndexRebuilt);
        Assert.InRange(store.Recovery.BlocksReindexed, 1UL, 10UL);
        AssertRecoveredTo(store, 10);
    }

    [Fact]
    public void A_damaged_or_garbage_index_is_repaired()
    {
        CreateStore(8);
        AppendBytes(IndexFile, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

        using (var store = BlockStore.Open(_dir.Path, NoFsync))
        {
            Assert.Equal(new RecoveryReport(8, 0, true, 0), store.Recovery);
        }

        FlipByte(IndexFile, 100);
        using var repaired = BlockStore.Open(_dir.Path, NoFsync);
        Assert.True(repaired.Recovery.IndexRebuilt);
        AssertRecoveredTo(repaired, 8);
    }

    [Fact]
    public void A_version_1_index_without_header_hashes_is_rebuilt()
    {
        CreateStore(7);
        using (var stream = new FileStream(IndexFile, FileMode.Open, FileAccess.Write))
        {
            stream.Position = 4;
            stream.Write(BitConverter.GetBytes(1u));
        }

        using var store = BlockStore.Open(_dir.Path, NoFsync);

        Assert.Equal(new RecoveryReport(7, 0, true, 7), store.Recovery);
        AssertRecoveredTo(store, 7);
    }

    [Fact]
    public void An_index_that_is_ahead_of_the_segments_is_cut_back()
    {
        CreateStore(6);
        // Lose the last two frames but keep their index records (as if the segment were restored from an older copy).
        Truncate(Segment(0), FrameLength(5) + FrameLength(4));

        using var store = BlockStore.Open(_dir.Path, NoFsync);

        Assert.Equal(new RecoveryReport(4, 0, true, 0), store.Recovery);
        AssertRecoveredTo(store, 4);
    }

    [Fact]
    public void A_block_written_but_not_indexed_is_reindexed_not_lost()
    {
        CreateStore(5);
        using (var store = BlockStore.Open(_dir.Path, NoFsync))
        {
            store.Append(_chain.Next("late-1", "late-2"));
        }
        // Remove the last index record: the crash came after the block's fsync but before the index's.
        var record = 4 + (8 + 4 + 8 + 4 + 4 + 4) + ((4 + 2 + 6) * 2) + 4;
        Truncate(IndexFile, record);

        using var reopened = BlockStore.Open(_dir.Path, NoFsync);

        Assert.Equal(new RecoveryReport(6, 0, true, 1), reopened.Recovery);
        Assert.Equal(6UL, reopened.Height);
        Assert.Equal(new TransactionLocation(5, 1), reopened.FindTransaction("late-2"));
        Assert.Equal(_chain.Blocks[5].ToByteArray(), reopened.GetBlockBytes(5));

        // The repaired index is complete: the next open is clean.
        reopened.Dispose();
        using var again = BlockStore.Open(_dir.Path, NoFsync);
        Assert.True(again.Recovery.WasClean);
        Assert.Equal(new TransactionLocation(5, 0), again.FindTransaction("late-1"));
    }

    [Fact]
    public void Corruption_in_a_middle_segment_is_an_error_not_a_truncation()
    {
        var options = new BlockStoreOptions { MaxSegmentBytes = 1_000, Fsync = false };
        CreateStore(20, options);
        var sizeBefore = new FileInfo(Segment(0)).Length;
        FlipByte(Segment(0), FrameHeader + 10);

        // With the index, open trusts it; reading the damaged block reports where it is.
        using (var store = BlockStore.Open(_dir.Path, options))
        {
            Assert.Equal(20UL, store.Height);
            var read = Assert.Throws<BlockStoreException>(() => store.GetBlockBytes(0));
            Assert.Equal("blockfile_000000", read.Segment);
            Assert.Equal(0L, read.Offset);
            Assert.Contains("blockfile_000000", read.Message, StringComparison.Ordinal);
            Assert.Equal(_chain.Blocks[1].ToByteArray(), store.GetBlockBytes(1));
        }

        // A full verification refuses to open.
        var verify = Assert.Throws<BlockStoreException>(() => BlockStore.Open(_dir.Path, new BlockStoreOptions { MaxSegmentBytes = 1_000, Fsync = false, VerifyOnOpen = true }));
        Assert.Equal("blockfile_000000", verify.Segment);

        // Without the index the scan meets it and refuses to open.
        File.Delete(IndexFile);
        var ex = Assert.Throws<BlockStoreException>(() => BlockStore.Open(_dir.Path, options));
        Assert.Equal("blockfile_000000", ex.Segment);
        Assert.Equal(0L, ex.Offset);
        Assert.Contains("blockfile_000000 at offset 0", ex.Message, StringComparison.Ordinal);
        Assert.Equal(sizeBefore, new FileInfo(Segment(0)).Length);
    }

    [Fact]
    public void Verify_on_open_accepts_an_intact_store_without_rebuilding()
    {
        var options = new BlockStoreOptions { MaxSegmentBytes = 1_000, Fsync = false, VerifyOnOpen = true };
        CreateStore(20, options);

        using var store = BlockStore.Open(_dir.Path, options);

        Assert.Equal(new RecoveryReport(20, 0, false, 0), store.Recovery);
        AssertRecoveredTo(store, 20);
    }

    [Fact]
    public void A_truncated_middle_segment_is_an_error()
    {
        var options = new BlockStoreOptions { MaxSegmentBytes = 1_000, Fsync = false };
        CreateStore(20, options);
        Truncate(Segment(1), 5);

        var ex = Assert.Throws<BlockStoreException>(() => BlockStore.Open(_dir.Path, options));

        Assert.Equal("blockfile_000001", ex.Segment);
    }

    [Fact]
    public void A_missing_middle_segment_is_an_error()
    {
        var options = new BlockStoreOptions { MaxSegmentBytes = 1_000, Fsync = false };
        CreateStore(20, options);
        File.Delete(Segment(1));

        var ex = Assert.Throws<BlockStoreException>(() => BlockStore.Open(_dir.Path, options));

        Assert.Contains("blockfile_000001", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_frame_followed_by_intact_frames_in_the_last_segment_is_an_error()
    {
        CreateStore(6);
        File.Delete(IndexFile);
        var offset = FrameLength(0) + FrameLength(1);
        FlipByte(Segment(0), offset + FrameHeader + 3);
        var sizeBefore = new FileInfo(Segment(0)).Length;

        var ex = Assert.Throws<BlockStoreException>(() => BlockStore.Open(_dir.Path, NoFsync));

        Assert.Equal("blockfile_000000", ex.Segment);
        Assert.Equal(offset, ex.Offset);
        Assert.Equal(sizeBefore, new FileInfo(Segment(0)).Length);
    }

    [Fact]
    public void A_checksum_valid_block_that_breaks_the_chain_is_an_error()
    {
        CreateStore(3);
        File.Delete(IndexFile);
        // Append a well-framed block 3 that does not link to block 2.
        using (var other = BlockStore.Open(_dir.File("other"), NoFsync))
        {
            var foreign = new TestChain();
            foreach (var block in foreign.Generate(4))
            {
                other.Append(block);
            }
        }
        var otherSegment = File.ReadAllBytes(Path.Combine(_dir.File("other"), "blockfile_000000"));
        var frames = otherSegment.AsSpan(otherSegment.Length - (int)(FrameHeader + new TestChain().Generate(4)[3].CalculateSize())).ToArray();
        AppendBytes(Segment(0), frames);

        var ex = Assert.Throws<BlockStoreException>(() => BlockStore.Open(_dir.Path, NoFsync));

        Assert.Contains("does not chain", ex.Message, StringComparison.Ordinal);
    }
}
