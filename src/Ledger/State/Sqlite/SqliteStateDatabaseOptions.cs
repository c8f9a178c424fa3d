namespace ZonCoin.Ledger.State.Sqlite;

/// <summary>How durable a commit is before <see cref="SqliteStateDatabase.ApplyBlock"/> returns.</summary>
public enum SqliteSynchronous
{
    /// <summary>
    /// <c>synchronous=NORMAL</c> (the default): the WAL is fsync'd at checkpoints, not at every commit. A killed
    /// process loses nothing (the commit is in the OS's page cache); a power loss may roll the database back by
    /// the last few blocks, but always to a consistent state with a matching savepoint, and the peer replays those
    /// blocks from the block store, which fsyncs every block before the state is applied.
    /// </summary>
    Normal,

    /// <summary><c>synchronous=FULL</c>: the WAL is fsync'd at every commit; slower, and only needed if the state
    /// database must survive a power loss without replay.</summary>
    Full,
}

/// <summary>Settings of <see cref="SqliteStateDatabase"/>.</summary>
public sealed record SqliteStateDatabaseOptions
{
    /// <summary>Commit durability; see <see cref="SqliteSynchronous"/>.</summary>
    public SqliteSynchronous Synchronous { get; init; } = SqliteSynchronous.Normal;

    /// <summary>Rows fetched per page by range and history enumerations.</summary>
    public int PageSize { get; init; } = 256;

    /// <summary>Idle read connections kept for reuse; more are opened under load and closed when returned.</summary>
    public int MaxIdleReaders { get; init; } = 16;

    /// <summary>Page cache of the write connection, in KiB (SQLite's <c>cache_size</c>).</summary>
    public int WriterCacheKiB { get; init; } = 32 * 1024;

    /// <summary>Page size of a new database file in bytes (SQLite's <c>page_size</c>); ignored for an existing file.</summary>
    public int PageBytes { get; init; } = 4096;

    /// <summary>
    /// How often a thread of the database checkpoints the WAL into the database file (when something was committed),
    /// while commits go on: each checkpoint fsyncs only what was committed since the last one (a few MiB per second
    /// at 100 tx/s), instead of a 64 MiB burst that holds up every other fsync on the disk.
    /// </summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// WAL pages after which a commit checkpoints them itself into the database file (<c>wal_autocheckpoint</c>),
    /// holding up the blocks behind it: only when the background checkpoint (<see cref="CheckpointInterval"/>) fell
    /// behind or failed. Larger than SQLite's 1000 because a block of random keys dirties about one page per
    /// write: with a 64 MiB WAL a hot page is copied back once per checkpoint instead of once per block.
    /// </summary>
    public int CheckpointPages { get; init; } = 16384;

    /// <summary>Fault injection for tests (see <see cref="IStateWriteHook"/>); null everywhere else.</summary>
    public IStateWriteHook? WriteHook { get; init; }
}
