using ZonCoin.Ledger.Blocks;
using ZonCoin.Ledger.State;
using ZonCoin.Ledger.State.Sqlite;
using ZonCoin.Ledger.Tests.Support;
using Version = ZonCoin.Ledger.State.Version;

namespace ZonCoin.Ledger.Tests.State;

public sealed class StateDatabaseRecoveryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(null, 0UL, 0UL, 0UL)]
    [InlineData(null, 3UL, 0UL, 3UL)]
    [InlineData(2UL, 3UL, 3UL, 0UL)]
    [InlineData(2UL, 10UL, 3UL, 7UL)]
    public void Blocks_after_the_savepoint_are_replayed(ulong? savepointBlock, ulong height, ulong first, ulong count)
    {
        Version? savepoint = savepointBlock is { } b ? new Version(b, 4) : null;
        Assert.Equal((first, count), StateDatabaseRecovery.BlocksToReplay(savepoint, height));
    }

    [Fact]
    public void A_state_database_ahead_of_the_block_store_is_an_error()
    {
        var error = Assert.Throws<StateDatabaseException>(() => StateDatabaseRecovery.BlocksToReplay(new Version(5, 0), 5));
        Assert.Contains("ahead of the block store", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_applies_the_missing_blocks_from_the_block_store()
    {
        var chain = new TestChain();
        using var blocks = BlockStore.Open(_dir.File("blocks"), new BlockStoreOptions { Fsync = false });
        foreach (var block in chain.Generate(6))
        {
            blocks.Append(block);
        }
        using var db = SqliteStateDatabase.Open(_dir.File("state.db"));
        UpdateBatch Prepare(ZonCoin.Protos.Common.Block block)
        {
            var n = block.Header.Number;
            var batch = new UpdateBatch { LastTxNumber = (ulong)block.Data.Data.Count - 1 };
            batch.Put("token", "height", BitConverter.GetBytes(n), new Version(n, 0));
            return batch;
        }
        db.ApplyBlock(0, Prepare(chain.Blocks[0]));
        db.ApplyBlock(1, Prepare(chain.Blocks[1]));

        Assert.Equal(4UL, StateDatabaseRecovery.Replay(db, blocks, Prepare));

        Assert.Equal(new Version(5, 1), db.Savepoint);
        Assert.Equal(5UL, BitConverter.ToUInt64(db.Get("token", "height")!.Value.Span));
        Assert.Equal(0UL, StateDatabaseRecovery.Replay(db, blocks, Prepare));
    }
}
