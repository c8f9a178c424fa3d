using Google.Protobuf;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Ledger.Tests.Support;

namespace ZonCoin.Ledger.Tests.Blocks;

public sealed class BlockStoreConcurrencyTests : IDisposable
{
    /// <summary>A safety net so a broken store fails the test instead of hanging it; never a timing assertion.</summary>
    private static readonly TimeSpan Hang = TimeSpan.FromMinutes(2);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task WaitForHeight_completes_when_the_height_is_reached()
    {
        var chain = new TestChain();
        using var store = BlockStore.Open(_dir.Path, new BlockStoreOptions { Fsync = false });

        var waiting = store.WaitForHeightAsync(3, CancellationToken.None);
        store.Append(chain.Next("a"));
        store.Append(chain.Next("b"));
        Assert.False(waiting.IsCompleted);

        store.Append(chain.Next("c"));
        await waiting.WaitAsync(Hang);

        Assert.True(store.WaitForHeightAsync(0, CancellationToken.None).IsCompletedSuccessfully);
        Assert.True(store.WaitForHeightAsync(3, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task WaitForHeight_honours_cancellation()
    {
        using var store = BlockStore.Open(_dir.Path, new BlockStoreOptions { Fsync = false });
        using var cts = new CancellationTokenSource();

        var waiting = store.WaitForHeightAsync(1, cts.Token);
        Assert.False(waiting.IsCompleted);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Hang));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.WaitForHeightAsync(1, cts.Token));
    }

    [Fact]
    public async Task Many_waiters_at_different_heights_all_wake()
    {
        var chain = new TestChain();
        using var store = BlockStore.Open(_dir.Path, new BlockStoreOptions { Fsync = false });

        var waiters = Enumerable.Range(1, 200).Select(i => store.WaitForHeightAsync((ulong)(i % 20) + 1, CancellationToken.None)).ToArray();
        foreach (var block in chain.Generate(20))
        {
            store.Append(block);
        }

        await Task.WhenAll(waiters).WaitAsync(Hang);
    }

    [Fact]
    public async Task Dispose_fails_pending_waiters()
    {
        var store = BlockStore.Open(_dir.Path, new BlockStoreOptions { Fsync = false });
        var waiting = store.WaitForHeightAsync(1, CancellationToken.None);

        store.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(Hang));
    }

    [Fact]
    public async Task Readers_running_alongside_the_writer_see_only_complete_correct_blocks()
    {
        const int Blocks = 500;
        var chain = new TestChain();
        var blocks = chain.Generate(Blocks, padding: 200);
        var expected = blocks.Select(b => b.ToByteArray()).ToArray();
        using var store = BlockStore.Open(_dir.Path, new BlockStoreOptions { MaxSegmentBytes = 64 * 1024, RecentBlockCacheSize = 4 });

        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(async () =>
        {
            for (var n = 0; n < Blocks; n++)
            {
                await store.WaitForHeightAsync((ulong)n + 1, CancellationToken.None).ConfigureAwait(false);
                Assert.Equal(expected[n], store.GetBlockBytes((ulong)n));
                // Also re-read an older block (from disk, past the small cache) and the tip.
                var older = (ulong)(n * 7919 % (n + 1));
                Assert.Equal(expected[older], store.GetBlockBytes(older));
                var height = store.Height;
                Assert.True(height > (ulong)n);
                Assert.Equal(expected[height - 1], store.GetBlockBytes(height - 1));
                Assert.Equal(new TransactionLocation((ulong)n, 1), store.FindTransaction($"tx-{n}-1"));
            }
        })).ToArray();

        var writer = Task.Run(() =>
        {
            foreach (var block in blocks)
            {
                store.Append(block);
            }
        });

        await Task.WhenAll([writer, .. readers]).WaitAsync(Hang);
        Assert.Equal((ulong)Blocks, store.Height);
        Assert.True(Directory.GetFiles(_dir.Path, "blockfile_*").Length > 1);
    }

    [Fact]
    public async Task Concurrent_appenders_are_serialized_and_each_block_is_stored_once()
    {
        const int Blocks = 100;
        var chain = new TestChain();
        var blocks = chain.Generate(Blocks);
        using var store = BlockStore.Open(_dir.Path, new BlockStoreOptions { Fsync = false });
        var accepted = 0;

        // Four writers race to append the same chain; for every number exactly one wins.
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            foreach (var block in blocks)
            {
                try
                {
                    store.Append(block);
                    Interlocked.Increment(ref accepted);
                }
                catch (BlockStoreException)
                {
                    // Another writer stored this number first.
                }
            }
        })).ToArray();
        await Task.WhenAll(writers).WaitAsync(Hang);

        Assert.Equal(Blocks, accepted);
        Assert.Equal((ulong)Blocks, store.Height);
        for (var n = 0; n < Blocks; n++)
        {
            Assert.Equal(blocks[n].ToByteArray(), store.GetBlockBytes((ulong)n));
        }
    }
}
