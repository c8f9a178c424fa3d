using System.Globalization;
using ZonCoin.Ledger.State;
using ZonCoin.Ledger.State.Postgres;
using ZonCoin.Ledger.State.Sqlite;

namespace ZonCoin.Peer.Channels;

/// <summary>
/// Opens and deletes the per-channel state databases of the implementation the peer is configured with
/// (<c>Peer:StateDatabase</c>): SQLite files <c>&lt;data&gt;/state/&lt;channel&gt;.db</c>, or one PostgreSQL schema per
/// channel in the database of <c>Peer:PostgresConnectionString</c>.
/// </summary>
/// <remarks>
/// Test only: when the environment variable <see cref="PauseBeforeSavepointVariable"/> names a file (the trigger),
/// PostgreSQL state databases check for it before writing each block's savepoint; when it exists and the block wrote
/// rows, the peer deletes it, creates <c>TRIGGER.paused</c> holding the block number, and sleeps inside the open
/// transaction (state and history written, savepoint not) for up to <see cref="Pause"/>, so that a crash test
/// (tests/Integration.Tests/PeerCrashTests.cs) can kill the process exactly there. Never set it in production.
/// </remarks>
internal sealed class StateDatabaseProvider
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>Test only: the environment variable naming the pause trigger file (see the remarks).</summary>
    public const string PauseBeforeSavepointVariable = "ZONCOIN_TEST_PAUSE_BEFORE_SAVEPOINT";

    /// <summary>How long a paused commit waits to be killed before it goes on.</summary>
    private static readonly TimeSpan Pause = TimeSpan.FromMinutes(2);

    private readonly string _kind;
    private readonly string _dataDirectory;
    private readonly string _postgresConnectionString;

    public StateDatabaseProvider(string kind, string dataDirectory, string postgresConnectionString = "")
    {
        if (kind is not (Sqlite or Postgres))
        {
            throw new ArgumentException($"Unknown state database '{kind}': use {Sqlite} or {Postgres}.", nameof(kind));
        }
        _kind = kind;
        _dataDirectory = dataDirectory;
        _postgresConnectionString = postgresConnectionString;
    }

    /// <summary>Opens (creating when new) the state database of <paramref name="channelId"/>.</summary>
    public IStateDatabase Open(string channelId)
    {
        if (_kind == Postgres)
        {
            return PostgresStateDatabase.Open(_postgresConnectionString, channelId, TestPauseOptions());
        }
        Directory.CreateDirectory(Path.Combine(_dataDirectory, "state"));
        return SqliteStateDatabase.Open(SqlitePath(channelId));
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

    /// <summary>The test-only pause before the savepoint (see the remarks), or null when the variable is not set.</summary>
    private static PostgresStateDatabaseOptions? TestPauseOptions()
    {
        if (Environment.GetEnvironmentVariable(PauseBeforeSavepointVariable) is not { Length: > 0 } trigger)
        {
            return null;
        }
        return new PostgresStateDatabaseOptions
        {
            BeforeSavepoint = (block, rows) =>
            {
                if (rows == 0 || !File.Exists(trigger))
                {
                    return;
                }
                File.Delete(trigger);
                var paused = trigger + ".paused";
                File.WriteAllText(paused + ".tmp", block.ToString(CultureInfo.InvariantCulture));
                File.Move(paused + ".tmp", paused, overwrite: true);
                Thread.Sleep(Pause);
            },
        };
    }

    private string SqlitePath(string channelId) => Path.Combine(_dataDirectory, "state", $"{channelId}.db");
}
