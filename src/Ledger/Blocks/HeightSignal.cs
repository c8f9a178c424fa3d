namespace ZonCoin.Ledger.Blocks;

/// <summary>
/// Wakes height waiters (the block store's, and the peer's committed height). A waiter takes <see cref="Current"/> before it checks the height; the writer publishes the
/// new height before <see cref="Notify"/> swaps in a fresh task and completes the old one, so a waiter that saw
/// the old height always holds a task that is (or will be) completed: no wake-up is missed.
/// </summary>
public sealed class HeightSignal
{
    private TaskCompletionSource _current = New();

    public Task Current => Volatile.Read(ref _current).Task;

    public void Notify() => Interlocked.Exchange(ref _current, New()).TrySetResult();

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
