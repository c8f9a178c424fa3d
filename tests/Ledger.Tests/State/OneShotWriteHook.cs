using ZonCoin.Ledger.State;

namespace ZonCoin.Ledger.Tests.State;

/// <summary>
/// A state database's <see cref="IStateWriteHook"/> that tests arm: the next block write runs the armed action
/// once, inside its open transaction, when at least the armed number of rows were written (or just before the
/// savepoint, if the block has fewer rows).
/// </summary>
internal sealed class OneShotWriteHook : IStateWriteHook
{
    private Armed? _armed;

    public void Arm(int afterWrites, Action action) => Volatile.Write(ref _armed, new Armed(afterWrites, action));

    public void RowsWritten(ulong blockNumber, int rowsWritten, bool beforeSavepoint)
    {
        if (Volatile.Read(ref _armed) is { } armed && (beforeSavepoint || rowsWritten >= armed.AfterWrites))
        {
            Volatile.Write(ref _armed, null);
            armed.Action();
        }
    }

    private sealed record Armed(int AfterWrites, Action Action);
}
