using ZonCoin.Peer.Channels;

namespace ZonCoin.Peer.LedgerTools;

/// <summary>
/// Where a peer keeps its channels' state, as its configuration says: <c>Peer:StateDatabase</c> (<see cref="Kind"/>:
/// <see cref="Sqlite"/> or <see cref="Postgres"/>) and, for PostgreSQL, <c>Peer:PostgresConnectionString</c>. The
/// offline ledger tools take it to find a stopped peer's state databases.
/// </summary>
/// <param name="Kind"><see cref="Sqlite"/> (the default) or <see cref="Postgres"/>; anything else is refused when a database is opened.</param>
/// <param name="PostgresConnectionString">The Npgsql connection string of the peer's PostgreSQL database (with <see cref="Postgres"/>).</param>
public sealed record StateDatabaseSettings(string Kind = StateDatabaseSettings.Sqlite, string PostgresConnectionString = "")
{
    /// <summary>SQLite files <c>&lt;data&gt;/state/&lt;channel&gt;.db</c>, the peer's default.</summary>
    public const string Sqlite = StateDatabaseProvider.Sqlite;

    /// <summary>One PostgreSQL schema per channel in the database of <see cref="PostgresConnectionString"/>.</summary>
    public const string Postgres = StateDatabaseProvider.Postgres;

    /// <summary>Opens and deletes the state databases of the peer whose data folder is <paramref name="dataDirectory"/>.</summary>
    internal StateDatabaseProvider Provider(string dataDirectory) => new(Kind, dataDirectory, PostgresConnectionString);
}
