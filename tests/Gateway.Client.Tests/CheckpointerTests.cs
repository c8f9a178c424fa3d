using System.Text.Json;

namespace ZonCoin.Gateway.Client.Tests;

public sealed class CheckpointerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("zoncoin-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string> Kinds => new() { "memory", "file" };

    private async Task<ICheckpointer> NewAsync(string kind) =>
        kind == "memory" ? new InMemoryCheckpointer() : await FileCheckpointer.OpenAsync(Path.Combine(_directory, "checkpoint.json"));

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_new_checkpointer_is_empty(string kind)
    {
        var checkpointer = await NewAsync(kind);

        Assert.Null(checkpointer.BlockNumber);
        Assert.Null(checkpointer.TransactionId);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Checkpointing_a_block_resumes_at_the_next_block_without_a_transaction(string kind)
    {
        var checkpointer = await NewAsync(kind);
        await checkpointer.CheckpointTransactionAsync(4, "tx-a");

        await checkpointer.CheckpointBlockAsync(4);

        Assert.Equal(5UL, checkpointer.BlockNumber);
        Assert.Null(checkpointer.TransactionId);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Checkpointing_a_transaction_resumes_in_its_block_after_it(string kind)
    {
        var checkpointer = await NewAsync(kind);

        await checkpointer.CheckpointTransactionAsync(7, "tx-b");

        Assert.Equal(7UL, checkpointer.BlockNumber);
        Assert.Equal("tx-b", checkpointer.TransactionId);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Checkpointing_a_chaincode_event_checkpoints_its_transaction(string kind)
    {
        var checkpointer = await NewAsync(kind);

        await checkpointer.CheckpointChaincodeEventAsync(new ChaincodeEvent(11, "tx-c", "cc", "Moved", []));

        Assert.Equal(11UL, checkpointer.BlockNumber);
        Assert.Equal("tx-c", checkpointer.TransactionId);
    }

    [Fact]
    public async Task A_file_checkpoint_survives_a_reopen()
    {
        var path = Path.Combine(_directory, "nested", "events.json");
        using (var first = await FileCheckpointer.OpenAsync(path))
        {
            await first.CheckpointTransactionAsync(42, "tx-42");
        }

        using var reopened = await FileCheckpointer.OpenAsync(path);

        Assert.Equal(42UL, reopened.BlockNumber);
        Assert.Equal("tx-42", reopened.TransactionId);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        Assert.Equal(42UL, json.RootElement.GetProperty("blockNumber").GetUInt64());
        Assert.Equal("tx-42", json.RootElement.GetProperty("transactionId").GetString());
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public async Task A_file_checkpoint_of_a_block_has_no_transaction_after_a_reopen()
    {
        var path = Path.Combine(_directory, "blocks.json");
        using (var first = await FileCheckpointer.OpenAsync(path))
        {
            await first.CheckpointTransactionAsync(1, "tx");
            await first.CheckpointBlockAsync(1);
        }

        using var reopened = await FileCheckpointer.OpenAsync(path);

        Assert.Equal(2UL, reopened.BlockNumber);
        Assert.Null(reopened.TransactionId);
    }

    [Theory]
    [InlineData("{\"blockNumber\":")]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("{\"blockNumber\":\"seven\"}")]
    [InlineData("{\"transactionId\":\"tx\"}")]
    public async Task A_corrupt_checkpoint_file_is_a_clear_error(string content)
    {
        var path = Path.Combine(_directory, "corrupt.json");
        await File.WriteAllTextAsync(path, content);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => FileCheckpointer.OpenAsync(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
        Assert.Equal(content, await File.ReadAllTextAsync(path));
    }
}
