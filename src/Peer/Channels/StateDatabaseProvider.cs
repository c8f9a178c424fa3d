using ZonCoin.Ledger.State;
using ZonCoin.Ledger.State.Postgres;
using ZonCoin.Ledger.State.Sqlite;

namespace ZonCoin.Peer.Channels;

/// <summary>
/// Opens and deletes the per-channel state databases of the implementation the peer is configured with
/// (<c>Peer:StateDatabase</c>): SQLite files <c>&lt;data&gt;/state/&lt;channel&gt;.db</c>, or one PostgreSQL schema per
/// channel in the database of <c>Peer:PostgresConnectionString</c>.
/// </summary>
internal sealed class StateDatabaseProvider
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    private readonly string _kind;
    private readonly string _dataDirectory;
    private readonly string _postgresConnectionString;
    private readonly IStateWriteHook? _writeHook;
    private readonly TimeProvider _time;

    /// <param name="kind"><see cref="Sqlite"/> or <see cref="Postgres"/>.</param>
    /// <param name="dataDirectory">The peer's data folder (SQLite files go under <c>state/</c>).</param>
    /// <param name="postgresConnectionString">The PostgreSQL database, for <see cref="Postgres"/>.</param>
    /// <param name="writeHook">Fault injection for tests (see <see cref="IStateWriteHook"/>); null everywhere else.</param>
    /// <param name="time">The peer's clock (PostgreSQL's writer-lock wait at open); the system clock when null.</param>
    public StateDatabaseProvider(string kind, string dataDirectory, string postgresConnectionString = "", IStateWriteHook? writeHook = null, TimeProvider? time = null)
    {
        if (kind is not (Sqlite or Postgres))
        {
            throw new ArgumentException($"Unknown state database '{kind}': use {Sqlite} or {Postgres}.", nameof(kind));
        }
        _kind = kind;
        _dataDirectory = dataDirectory;
        _postgresConnectionString = postgresConnectionString;
        _writeHook = writeHook;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Opens (creating when new) the state database of <paramref name="channelId"/>.</summary>
    public IStateDatabase Open(string channelId)
    {
        if (_kind == Postgres)
        {
            return PostgresStateDatabase.Open(_postgresConnectionString, channelId, new PostgresStateDatabaseOptions { WriteHook = _writeHook, TimeProvider = _time });
        }
        Directory.CreateDirectory(Path.Combine(_dataDirectory, "state"));
        return SqliteStateDatabase.Open(SqlitePath(channelId), new SqliteStateDatabaseOptions { WriteHook = _writeHook });
    }

    /// <summary>Deletes the state database of <paramref name="channelId"/> if it exists (before joining the channel from its genesis block).</summary>
    public void Delete(string channelId)
    {
        if (_kind == Postgres)
        {
            PostgresStateDatabase.Drop(_postgresConnectionString, channelId);
            return;
        }
        var path = SqlitePath(channelId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        foreach (var stale in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(stale);
        }
    }

    private string SqlitePath(string channelId) => Path.Combine(_dataDirectory, "state", $"{channelId}.db");
}
