namespace ZonCoin.Ledger.State.Postgres;

/// <summary>Settings of <see cref="PostgresStateDatabase"/>; the connection (pool size, timeouts) is set by the connection string.</summary>
public sealed record PostgresStateDatabaseOptions
{
    /// <summary>Rows fetched per page by range and history enumerations.</summary>
    public int PageSize { get; init; } = 256;

    /// <summary>
    /// Fault injection for crash tests only; null (the default) everywhere else. Runs on the committing thread inside
    /// each block's open transaction, after the block's state and history rows were written and just before the
    /// savepoint row, with the block number and the count of rows written; an exception aborts the block. The peer
    /// sets it only when <c>ZONCOIN_TEST_PAUSE_BEFORE_SAVEPOINT</c> is set (see <c>StateDatabaseProvider</c>).
    /// </summary>
    public Action<ulong, int>? BeforeSavepoint { get; init; }
}
