using Google.Protobuf;
using ZonCoin.Cli.Ledger;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Ledger.State.Sqlite;

namespace ZonCoin.Cli.Tests;

/// <summary>
/// <c>zoncoin ledger verify</c> and <c>rebuild</c> on a peer ledger built in-process with the <c>bench commit</c>
/// machinery (two organisations, 60 endorsed transactions in blocks of 10: blocks 0..7).
/// </summary>
public sealed class LedgerCommandTests : IDisposable
{
    private const string Channel = "bench";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "zoncoin-ledger-test-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly CommitWorkload _workload;
    private readonly string _data;

    public LedgerCommandTests()
    {
        _workload = CommitWorkload.Create(new CommitWorkloadSettings(Orgs: 2, Transactions: 60, BlockSize: 10), Path.Combine(_root, "crypto"));
        _data = Path.Combine(_root, "peer");
        Assert.Equal(8UL, _workload.WriteLedger(_data));
    }

    [Fact]
    public void Verify_passes_on_a_good_ledger()
    {
        var result = CliProcess.Run("ledger", "verify", "--dir", _data, "--channel", Channel);
        Assert.True(result.ExitCode == 0, result.StandardError + result.StandardOutput);
        Assert.Contains("channel bench: 8 blocks verified (0..7), 62 transactions (62 valid), 1 config blocks: OK", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_names_the_block_with_a_flipped_byte()
    {
        FlipByteInBlock(5);

        var result = CliProcess.Run("ledger", "verify", "--dir", _data, "--channel", Channel);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("block 5: ", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("block 5 is bad", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_names_the_last_block_when_opening_the_store_cut_it_off()
    {
        // A damaged last frame looks like a torn write: BlockStore.Open truncates it, and verify says so.
        FlipByteInBlock(7);

        var result = CliProcess.Run("ledger", "verify", "--dir", _data, "--channel", Channel);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("block 7: the end of the store was torn or damaged", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("note: opening the block store repaired it", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_commit_prints_its_figures()
    {
        var result = CliProcess.Run("bench", "commit", "--txs", "40", "--orgs", "2", "--block-size", "10");

        Assert.True(result.ExitCode == 0, result.StandardError + result.StandardOutput);
        Assert.Matches(@"commit sqlite: 40 txs, 2 orgs, 4 blocks of 10, \d+ cores: \d+ tx/s, [\d.]+ blocks/s, block commit p50 [\d.]+ ms, p99 [\d.]+ ms; CPU", result.StandardOutput);
    }

    [Fact]
    public void Verify_names_a_block_whose_orderer_signature_is_wrong()
    {
        using (var store = BlockStore.Open(Path.Combine(_data, "chains", Channel)))
        {
            var block = Blocks.Create(store.Height, store.LastHeaderHash, store.GetBlock(3).Data.Data);
            CommitWorkload.Sign(block, _workload.Client);
            block.Metadata.Metadata[(int)Protos.Common.BlockMetadataIndex.TransactionsFilter] = ByteString.CopyFrom(new byte[block.Data.Data.Count]);
            store.Append(block);
        }

        var result = CliProcess.Run("ledger", "verify", "--dir", _data, "--channel", Channel);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("block 8: ", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("/Channel/Orderer/BlockValidation", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Rebuild_recreates_the_same_state_and_history()
    {
        var state = Path.Combine(_data, "state", $"{Channel}.db");
        var original = Path.Combine(_root, "original.db");
        File.Copy(state, original);
        if (File.Exists(state + "-wal"))
        {
            File.Copy(state + "-wal", original + "-wal");
        }

        var result = CliProcess.Run("ledger", "rebuild", "--dir", _data, "--channel", Channel);

        Assert.True(result.ExitCode == 0, result.StandardError + result.StandardOutput);
        Assert.Contains("from 8 blocks: 62 transactions, 62 valid applied, savepoint block 7", result.StandardOutput, StringComparison.Ordinal);
        using var expected = SqliteStateDatabase.Open(original);
        using var rebuilt = SqliteStateDatabase.Open(state);
        Assert.Equal(expected.Savepoint, rebuilt.Savepoint);
        foreach (var ns in new[] { "bench", "_lifecycle" })
        {
            var before = expected.GetRange(ns, "", "").ToList();
            var after = rebuilt.GetRange(ns, "", "").ToList();
            Assert.Equal(ns == "bench" ? 60 : 1, before.Count);
            Assert.Equal(before.Select(Describe), after.Select(Describe));
        }
        for (var i = 0; i < 60; i += 7)
        {
            var key = CommitWorkload.Key(i);
            Assert.Equal(expected.History.GetHistory("bench", key).Select(Describe), rebuilt.History.GetHistory("bench", key).Select(Describe));
            Assert.Single(rebuilt.History.GetHistory("bench", key));
        }
    }

    [Fact]
    public void Rebuild_refuses_while_the_block_store_is_open()
    {
        using var store = BlockStore.Open(Path.Combine(_data, "chains", Channel));

        var result = CliProcess.Run("ledger", "rebuild", "--dir", _data, "--channel", Channel);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is in use", result.StandardError, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_data, "state", $"{Channel}.db")));
    }

    [Fact]
    public void Verify_refuses_a_channel_without_a_block_store()
    {
        var result = CliProcess.Run("ledger", "verify", "--dir", _data, "--channel", "nosuch");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("there is no block store for channel 'nosuch'", result.StandardError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_data, "chains", "nosuch")));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Describe(ZonCoin.Ledger.State.StateEntry entry) =>
        $"{entry.Key}={Convert.ToHexString(entry.Value.Value.Span)}@{entry.Value.Version}/{Convert.ToHexString(entry.Value.Metadata.Span)}";

    private static string Describe(ZonCoin.Ledger.History.HistoryEntry entry) =>
        $"{entry.TxId} {entry.BlockNumber}:{entry.TxNumber} {Convert.ToHexString(entry.Value.Span)} {entry.IsDelete} {entry.Timestamp:O}";

    /// <summary>Flips one byte in the middle of block <paramref name="number"/>'s bytes in its segment file.</summary>
    private void FlipByteInBlock(ulong number)
    {
        var directory = Path.Combine(_data, "chains", Channel);
        byte[] payload;
        using (var store = BlockStore.Open(directory))
        {
            payload = store.GetBlockBytes(number);
        }
        foreach (var segment in Directory.EnumerateFiles(directory, "blockfile_*"))
        {
            var bytes = File.ReadAllBytes(segment);
            var at = bytes.AsSpan().IndexOf(payload);
            if (at >= 0)
            {
                bytes[at + (payload.Length / 2)] ^= 0x01;
                File.WriteAllBytes(segment, bytes);
                return;
            }
        }
        Assert.Fail($"block {number} was not found in a segment file");
    }
}
