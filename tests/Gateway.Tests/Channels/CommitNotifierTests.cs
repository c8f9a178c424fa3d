using ZonCoin.Gateway.Channels;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Gateway.Tests.Channels;

public sealed class CommitNotifierTests
{
    private static CommitResult Result(TxValidationCode code, ulong block) => new(code, block, new byte[32]);

    [Fact]
    public async Task The_first_copy_of_a_transaction_wins()
    {
        var notifier = new CommitNotifier();
        notifier.Committed("tx1", Result(TxValidationCode.Valid, 5));
        notifier.Committed("tx1", Result(TxValidationCode.DuplicateTxid, 6));

        var found = notifier.Find("tx1");
        Assert.NotNull(found);
        Assert.Equal((TxValidationCode.Valid, 5UL), (found.Code, found.BlockNumber));
        using var registration = notifier.Register("tx1");
        Assert.True(registration.Committed.IsCompletedSuccessfully);
        var committed = await registration.Committed;
        Assert.Equal((TxValidationCode.Valid, 5UL), (committed.Code, committed.BlockNumber));
    }

    [Fact]
    public async Task A_waiter_registered_before_the_commit_completes_with_the_first_copy()
    {
        var notifier = new CommitNotifier();
        using var registration = notifier.Register("tx1");
        Assert.False(registration.Committed.IsCompleted);
        Assert.Null(notifier.Find("tx1"));

        notifier.Committed("other", Result(TxValidationCode.Valid, 3));
        Assert.False(registration.Committed.IsCompleted);

        notifier.Committed("tx1", Result(TxValidationCode.MvccReadConflict, 4));
        notifier.Committed("tx1", Result(TxValidationCode.DuplicateTxid, 7));

        Assert.True(registration.Committed.IsCompletedSuccessfully);
        var committed = await registration.Committed;
        Assert.Equal((TxValidationCode.MvccReadConflict, 4UL), (committed.Code, committed.BlockNumber));
    }

    [Fact]
    public async Task A_waiter_registered_after_the_commit_completes_at_once()
    {
        var notifier = new CommitNotifier();
        notifier.Committed("tx1", Result(TxValidationCode.Valid, 9));

        using var registration = notifier.Register("tx1");

        Assert.True(registration.Committed.IsCompletedSuccessfully);
        Assert.Equal(9UL, (await registration.Committed).BlockNumber);
    }

    [Fact]
    public void Registrations_of_one_transaction_share_a_waiter_removed_with_the_last()
    {
        var notifier = new CommitNotifier();
        var first = notifier.Register("tx1");
        var second = notifier.Register("tx1");
        var other = notifier.Register("tx2");
        Assert.Equal(2, notifier.WaiterCount);

        first.Dispose();
        first.Dispose();
        Assert.Equal(2, notifier.WaiterCount);

        notifier.Committed("tx1", Result(TxValidationCode.Valid, 1));
        Assert.True(second.Committed.IsCompletedSuccessfully);
        second.Dispose();
        Assert.Equal(1, notifier.WaiterCount);

        other.Dispose();
        Assert.Equal(0, notifier.WaiterCount);
        Assert.False(other.Committed.IsCompleted);
    }

    [Fact]
    public void A_transaction_registered_again_after_every_registration_ended_still_completes()
    {
        var notifier = new CommitNotifier();
        notifier.Register("tx1").Dispose();
        Assert.Equal(0, notifier.WaiterCount);

        using var again = notifier.Register("tx1");
        Assert.Equal(1, notifier.WaiterCount);
        notifier.Committed("tx1", Result(TxValidationCode.Valid, 2));

        Assert.True(again.Committed.IsCompletedSuccessfully);
    }

    [Fact]
    public void The_oldest_results_are_forgotten_beyond_the_capacity()
    {
        var notifier = new CommitNotifier(capacity: 2);
        notifier.Committed("a", Result(TxValidationCode.Valid, 1));
        notifier.Committed("b", Result(TxValidationCode.Valid, 2));
        notifier.Committed("c", Result(TxValidationCode.Valid, 3));

        Assert.Null(notifier.Find("a"));
        Assert.Equal(2UL, notifier.Find("b")?.BlockNumber);
        Assert.Equal(3UL, notifier.Find("c")?.BlockNumber);
        using var forgotten = notifier.Register("a");
        Assert.False(forgotten.Committed.IsCompleted);

        // A repeated txid does not take a place in the memory (or push a result out).
        notifier.Committed("b", Result(TxValidationCode.DuplicateTxid, 4));
        Assert.Equal(2UL, notifier.Find("b")?.BlockNumber);
        Assert.Equal(3UL, notifier.Find("c")?.BlockNumber);
    }

    [Fact]
    public void Empty_transaction_ids_are_ignored()
    {
        var notifier = new CommitNotifier();
        notifier.Committed("", Result(TxValidationCode.Valid, 1));

        Assert.Null(notifier.Find(""));
    }

    [Fact]
    public async Task Concurrent_registrations_and_commits_never_miss_a_commit()
    {
        var notifier = new CommitNotifier(capacity: 10_000);
        var ids = Enumerable.Range(0, 2_000).Select(i => $"tx{i}").ToArray();
        var registrations = new CommitNotifier.Registration[ids.Length];

        var registering = Task.Run(() => Parallel.For(0, ids.Length, i => registrations[i] = notifier.Register(ids[i])));
        var committing = Task.Run(() => Parallel.For(0, ids.Length, i => notifier.Committed(ids[i], Result(TxValidationCode.Valid, (ulong)i))));
        await Task.WhenAll(registering, committing);

        for (var i = 0; i < ids.Length; i++)
        {
            Assert.True(registrations[i].Committed.IsCompletedSuccessfully, ids[i]);
            Assert.Equal((ulong)i, (await registrations[i].Committed).BlockNumber);
        }
        Parallel.ForEach(registrations, registration => registration.Dispose());
        Assert.Equal(0, notifier.WaiterCount);
    }

    [Fact]
    public void Commit_results_recognise_their_creator()
    {
        var identity = "creator"u8.ToArray();
        var result = new CommitResult(TxValidationCode.Valid, 1, System.Security.Cryptography.SHA256.HashData(identity));

        Assert.True(result.CreatedBy(identity));
        Assert.False(result.CreatedBy("someone else"u8));
    }
}
