namespace ZonCoin.Ledger.State.Postgres;

/// <summary>Settings of <see cref="PostgresStateDatabase"/>; the connection (pool size, timeouts) is set by the connection string.</summary>
public sealed record PostgresStateDatabaseOptions
{
    /// <summary>Rows fetched per page by range and history enumerations.</summary>
    public int PageSize { get; init; } = 256;

    /// <summary>
    /// The clock of the writer-lock wait at open (a writer that just went away holds the channel's lock until the
    /// server ends its session); the system clock unless a host or a test gives its own.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Fault injection for tests (see <see cref="IStateWriteHook"/>); null everywhere else.</summary>
    public IStateWriteHook? WriteHook { get; init; }
}
