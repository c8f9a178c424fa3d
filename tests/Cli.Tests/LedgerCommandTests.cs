using Google.Protobuf;
using ZonCoin.Cli.Bench;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.Blocks;

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
    public void Rebuild_on_postgres_needs_a_connection_string()
    {
        var result = CliProcess.Run("ledger", "rebuild", "--dir", _data, "--channel", Channel, "--state", "postgres");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--state postgres needs --postgres", result.StandardError, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_data, "state", $"{Channel}.db")));
    }

    [Fact]
    public void Rebuild_refuses_an_unknown_state_database()
    {
        var result = CliProcess.Run("ledger", "rebuild", "--dir", _data, "--channel", Channel, "--state", "couchdb");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("couchdb", result.StandardError + result.StandardOutput, StringComparison.Ordinal);
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
