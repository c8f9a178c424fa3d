namespace ZonCoin.Ledger.State.Postgres;

/// <summary>Settings of <see cref="PostgresStateDatabase"/>; the connection (pool size, timeouts) is set by the connection string.</summary>
public sealed record PostgresStateDatabaseOptions
{
    /// <summary>Rows fetched per page by range and history enumerations.</summary>
    public int PageSize { get; init; } = 256;

    /// <summary>Fault injection for tests (see <see cref="IStateWriteHook"/>); null everywhere else.</summary>
    public IStateWriteHook? WriteHook { get; init; }
}
