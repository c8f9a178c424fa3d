namespace ZonCoin.Ledger.State;

/// <summary>
/// The one fault-injection seam of the state databases, set through their options
/// (<see cref="Sqlite.SqliteStateDatabaseOptions.WriteHook"/>, <see cref="Postgres.PostgresStateDatabaseOptions.WriteHook"/>):
/// called on the committing thread inside each block's open transaction. Crash and failure tests implement it to
/// throw (which aborts the block), pause, or end the process at a chosen point of a block's write. Nodes use none
/// unless their host registers one.
/// </summary>
public interface IStateWriteHook
{
    /// <summary>
    /// Called after rows of block <paramref name="blockNumber"/> were written, with the count written so far (state
    /// and history rows; PostgreSQL writes them in chunks, so the count grows by a chunk at a time), and once more
    /// just before the savepoint row with <paramref name="beforeSavepoint"/> true.
    /// </summary>
    void RowsWritten(ulong blockNumber, int rowsWritten, bool beforeSavepoint);
}
