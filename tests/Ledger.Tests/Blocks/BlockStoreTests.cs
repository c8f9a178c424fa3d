using Google.Protobuf;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Ledger.Tests.Support;
using ZonCoin.Protos.Common;

namespace ZonCoin.Ledger.Tests.Blocks;

public sealed class BlockStoreTests : IDisposable
{
    private static readonly BlockStoreOptions NoFsync = new() { Fsync = false };

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Empty_store_has_height_zero_and_no_tip()
    {
        using var store = BlockStore.Open(_dir.File("store"));

        Assert.Equal(0UL, store.Height);
        Assert.Null(store.LastHeaderHash);
        Assert.Null(store.LastBlock);
        Assert.False(store.TryGetBlock(0, out var block));
        Assert.Null(block);
        Assert.Throws<ArgumentOutOfRangeException>(() => store.GetBlock(0));
        Assert.Equal(new RecoveryReport(0, 0, false, 0), store.Recovery);
        Assert.True(File.Exists(Path.Combine(_dir.File("store"), "blockfile_000000")));
    }

    [Fact]
    public void Appended_blocks_read_back_byte_identical()
    {
        var chain = new TestChain();
        using var store = BlockStore.Open(_dir.Path);
        foreach (var block in chain.Generate(20, padding: 100))
        {
            store.Append(block);
        }

        for (var n = 0; n < 20; n++)
        {
            var expected = chain.Blocks[n].ToByteArray();
            Assert.Equal(expected, store.GetBlockBytes((ulong)n));
            Assert.Equal(chain.Blocks[n], store.GetBlock((ulong)n));
            Assert.True(store.TryGetBlock((ulong)n, out var block));
            Assert.Equal(chain.Blocks[n], block);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => store.GetBlockBytes(20));
        Assert.False(store.TryGetBlock(20, out _));
    }

    [Fact]
    public void Height_last_hash_and_last_block_follow_appends()
    {
        var chain = new TestChain();
        using var store = BlockStore.Open(_dir.Path);

        // Genesis may carry any previous hash.
        var genesis = ZonCoin.Core.Protocol.Blocks.Create(0, [9, 9, 9], [TestChain.Envelope("genesis")]);
        store.Append(genesis);
        Assert.Equal(1UL, store.Height);
        Assert.Equal(BlockHashing.HeaderHash(genesis.Header), store.LastHeaderHash);
        Assert.Equal(genesis, store.LastBlock);

        var next = ZonCoin.Core.Protocol.Blocks.Create(1, BlockHashing.HeaderHash(genesis.Header), [TestChain.Envelope("a")]);
        store.Append(next);
        Assert.Equal(2UL, store.Height);
        Assert.Equal(BlockHashing.HeaderHash(next.Header), store.LastHeaderHash);
        Assert.Equal(next, store.LastBlock);
        _ = chain;
    }

    [Fact]
    public void Returned_bytes_and_hashes_are_copies()
    {
        var chain = new TestChain();
        using var store = BlockStore.Open(_dir.Path);
        store.Append(chain.Next("a"));

        store.GetBlockBytes(0)[0] ^= 0xFF;
        store.LastHeaderHash![0] ^= 0xFF;

        Assert.Equal(chain.Blocks[0].ToByteArray(), store.GetBlockBytes(0));
        Assert.Equal(chain.LastHash, store.LastHeaderHash);
    }

    public static TheoryData<string> BadBlocks => ["wrong number", "skipped number", "wrong previous hash", "bad data hash", "no header"];

    [Theory]
    [MemberData(nameof(BadBlocks))]
    public void Rejects_a_block_that_does_not_extend_the_chain_and_stores_nothing(string kind)
    {
        var chain = new TestChain();
        var store = BlockStore.Open(_dir.Path);
        foreach (var block in chain.Generate(3))
        {
            store.Append(block);
        }
        var segmentLength = new FileInfo(_dir.File("blockfile_000000")).Length;
        var indexLength = new FileInfo(_dir.File("blockindex")).Length;

        var bad = kind switch
        {
            "wrong number" => ZonCoin.Core.Protocol.Blocks.Create(2, chain.LastHash, [TestChain.Envelope("x")]),
            "skipped number" => ZonCoin.Core.Protocol.Blocks.Create(4, chain.LastHash, [TestChain.Envelope("x")]),
            "wrong previous hash" => ZonCoin.Core.Protocol.Blocks.Create(3, new byte[32], [TestChain.Envelope("x")]),
            "bad data hash" => Tampered(ZonCoin.Core.Protocol.Blocks.Create(3, chain.LastHash, [TestChain.Envelope("x")])),
            _ => new Block { Data = new BlockData() },
        };

        var ex = Assert.Throws<BlockStoreException>(() => store.Append(bad));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        Assert.Equal(3UL, store.Height);
        Assert.Equal(chain.LastHash, store.LastHeaderHash);
        Assert.Null(store.FindTransaction("x"));
        Assert.Equal(segmentLength, new FileInfo(_dir.File("blockfile_000000")).Length);
        Assert.Equal(indexLength, new FileInfo(_dir.File("blockindex")).Length);

        // The store still accepts the right block, and a reopen sees exactly the good blocks.
        store.Append(chain.Next("y"));
        store.Dispose();
        using var reopened = BlockStore.Open(_dir.Path);
        Assert.Equal(4UL, reopened.Height);
        Assert.True(reopened.Recovery.WasClean);
        Assert.Null(reopened.FindTransaction("x"));
        Assert.Equal(new TransactionLocation(3, 0), reopened.FindTransaction("y"));

        static Block Tampered(Block block)
        {
            block.Data.Data.Add(TestChain.Envelope("smuggled"));
            return block;
        }
    }

    [Fact]
    public void Finds_transactions_first_occurrence_wins_and_skips_empty_and_unparseable_envelopes()
    {
        var chain = new TestChain();
        using (var store = BlockStore.Open(_dir.Path, NoFsync))
        {
            store.Append(chain.Next("a", "b", "a"));
            store.Append(chain.NextWith([TestChain.Envelope(""), ByteString.CopyFrom(0xFF, 0xFF, 0xFF), TestChain.Envelope("c"), TestChain.Envelope("b")]));

            AssertLookups(store);
        }
        using (var reopened = BlockStore.Open(_dir.Path, NoFsync))
        {
            Assert.True(reopened.Recovery.WasClean);
            AssertLookups(reopened);
        }

        static void AssertLookups(BlockStore store)
        {
            Assert.Equal(new TransactionLocation(0, 0), store.FindTransaction("a"));
            Assert.Equal(new TransactionLocation(0, 1), store.FindTransaction("b"));
            Assert.Equal(new TransactionLocation(1, 2), store.FindTransaction("c"));
            Assert.Null(store.FindTransaction(""));
            Assert.Null(store.FindTransaction("missing"));
        }
    }

    [Fact]
    public void Finds_blocks_by_header_hash()
    {
        var chain = new TestChain();
        using var store = BlockStore.Open(_dir.Path, NoFsync);
        foreach (var block in chain.Generate(5))
        {
            store.Append(block);
        }

        for (var n = 0; n < 5; n++)
        {
            Assert.Equal((ulong)n, store.FindBlockNumber(BlockHashing.HeaderHash(chain.Blocks[n].Header)));
        }
        var unknown = BlockHashing.HeaderHash(chain.Generate(1)[0].Header);
        Assert.Null(store.FindBlockNumber(unknown));
        Assert.Null(store.FindBlockNumber(unknown.AsSpan(0, 31)));
        Assert.Null(store.FindBlockNumber([]));
    }

    [Fact]
    public void Rolls_over_segments_and_reads_across_them()
    {
        var options = new BlockStoreOptions { MaxSegmentBytes = 2_000, Fsync = false };
        var chain = new TestChain();
        using (var store = BlockStore.Open(_dir.Path, options))
        {
            foreach (var block in chain.Generate(30, padding: 150))
            {
                store.Append(block);
            }
            // A block larger than a whole segment gets a segment of its own.
            store.Append(chain.NextWith([TestChain.Envelope("big", padding: 5_000)]));
            store.Append(chain.Next("after-big"));
            AssertAll(store, chain);
        }

        var segments = Directory.GetFiles(_dir.Path, "blockfile_*").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.True(segments.Length > 5, $"expected several segments, got {segments.Length}");
        Assert.Equal(Enumerable.Range(0, segments.Length).Select(i => $"blockfile_{i:D6}"), segments);
        Assert.All(segments[..^2].Select(s => new FileInfo(_dir.File(s!)).Length), length => Assert.InRange(length, 1, 2_000));
        Assert.Contains(segments, s => new FileInfo(_dir.File(s!)).Length > 5_000);

        using var reopened = BlockStore.Open(_dir.Path, options);
        Assert.True(reopened.Recovery.WasClean);
        AssertAll(reopened, chain);
        reopened.Append(chain.Next("more"));
        Assert.Equal(new TransactionLocation(32, 0), reopened.FindTransaction("more"));

        static void AssertAll(BlockStore store, TestChain chain)
        {
            Assert.Equal((ulong)chain.Blocks.Count, store.Height);
            for (var n = 0; n < chain.Blocks.Count; n++)
            {
                Assert.Equal(chain.Blocks[n].ToByteArray(), store.GetBlockBytes((ulong)n));
            }
            Assert.Equal(new TransactionLocation(30, 0), store.FindTransaction("big"));
            Assert.Equal(new TransactionLocation(17, 1), store.FindTransaction("tx-17-1"));
        }
    }

    [Fact]
    public void Reopens_after_a_clean_close_and_continues_the_chain()
    {
        var chain = new TestChain();
        using (var store = BlockStore.Open(_dir.Path))
        {
            foreach (var block in chain.Generate(5))
            {
                store.Append(block);
            }
        }

        using var reopened = BlockStore.Open(_dir.Path);
        Assert.Equal(new RecoveryReport(5, 0, false, 0), reopened.Recovery);
        Assert.Equal(5UL, reopened.Height);
        Assert.Equal(chain.LastHash, reopened.LastHeaderHash);
        Assert.Equal(chain.Blocks[4], reopened.LastBlock);
        Assert.Equal(new TransactionLocation(2, 1), reopened.FindTransaction("tx-2-1"));
        reopened.Append(chain.Next("z"));
        Assert.Equal(6UL, reopened.Height);
        Assert.Throws<BlockStoreException>(() => reopened.Append(ZonCoin.Core.Protocol.Blocks.Create(6, new byte[32], [])));
    }

    [Fact]
    public void A_second_open_of_the_same_directory_fails_until_the_first_is_disposed()
    {
        var store = BlockStore.Open(_dir.Path);

        var ex = Assert.Throws<BlockStoreException>(() => BlockStore.Open(_dir.Path));
        Assert.Contains("already open", ex.Message, StringComparison.Ordinal);

        store.Dispose();
        using var again = BlockStore.Open(_dir.Path);
        Assert.Equal(0UL, again.Height);
    }

    [Fact]
    public void A_disposed_store_refuses_work()
    {
        var chain = new TestChain();
        var store = BlockStore.Open(_dir.Path);
        store.Append(chain.Next("a"));
        store.Dispose();
        store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => store.Append(chain.Next("b")));
        Assert.Throws<ObjectDisposedException>(() => store.GetBlockBytes(0));
        Assert.Throws<ObjectDisposedException>(() => store.FindTransaction("a"));
    }
}
