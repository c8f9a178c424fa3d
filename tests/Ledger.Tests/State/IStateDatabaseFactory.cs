using ZonCoin.Ledger.State;

namespace ZonCoin.Ledger.Tests.State;

/// <summary>
/// What <see cref="StateDatabaseContractTests"/> needs from an implementation: opening databases by name and a
/// fault-injection hook. One factory per test; it owns the storage (temp directory, database schema) and deletes
/// it on dispose.
/// </summary>
public interface IStateDatabaseFactory : IDisposable
{
    /// <summary>Opens the database called <paramref name="name"/>, creating it when new; the same name after the
    /// previous instance was disposed reopens the same data.</summary>
    IStateDatabase Open(string name);

    /// <summary>
    /// During the next <see cref="IStateDatabase.ApplyBlock"/> of <paramref name="database"/>, runs
    /// <paramref name="action"/> on the committing thread inside the open transaction, after
    /// <paramref name="afterWrites"/> rows were written (or before the savepoint is written, if the block has fewer
    /// rows). An exception thrown by the action must abort the block.
    /// </summary>
    void OnNextApply(IStateDatabase database, int afterWrites, Action action);
}
