using Microsoft.Data.Sqlite;

namespace ZonCoin.Ledger.State.Sqlite;

/// <summary>
/// Checkpoints a state database's WAL on a thread of its own, at a steady pace, so no commit waits for one and the
/// WAL never holds much unsynced data. Commits run with <c>synchronous=NORMAL</c>: their WAL frames stay in the page
/// cache until a checkpoint fsyncs them. With SQLite's automatic checkpoint alone (inside the commit that reaches
/// <see cref="SqliteStateDatabaseOptions.CheckpointPages"/>), that was 64 MiB per peer at once, every 20 s at 100 tx/s:
/// its write-out held up every fsync on the disk (each node's block store) for 60-100 ms. This one runs a passive
/// checkpoint on its own connection every <see cref="SqliteStateDatabaseOptions.CheckpointInterval"/> when something
/// was committed; in WAL mode commits go on meanwhile. It checkpoints again while commits arrived during the last pass
/// (up to three passes), so the WAL is fully copied at some point and a later commit starts it over. A failed pass is
/// retried at the next interval, and the writer's automatic checkpoint still bounds the WAL if this one fails.
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    private const int MaxPasses = 3;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _checkpoint;
    private readonly TimeSpan _interval;
    private readonly Thread _thread;
    private readonly object _gate = new(); // Monitor.Wait/Pulse: the thread sleeps an interval at a time, or until Dispose
    private int _committed;
    private bool _stopping;
    private long _passes;

    public SqliteCheckpointer(string connectionString, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _interval = interval;
        _connection = new SqliteConnection(connectionString);
        try
        {
            _connection.Open();
            _checkpoint = _connection.CreateCommand();
            _checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
        _thread = new Thread(Run) { IsBackground = true, Name = "SQLite checkpoint" };
        _thread.Start();
    }

    /// <summary>Checkpoint passes completed (each copied what the WAL held when it started).</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Notes a commit: the next interval checkpoints.</summary>
    public void Committed() => Volatile.Write(ref _committed, 1);

    /// <summary>Stops the checkpoint thread (after the pass it is in) and closes its connection.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }
            _stopping = true;
            Monitor.Pulse(_gate);
        }
        _thread.Join();
        _checkpoint.Dispose();
        _connection.Dispose();
    }

    private void Run()
    {
        while (true)
        {
            lock (_gate)
            {
                if (!_stopping)
                {
                    Monitor.Wait(_gate, _interval);
                }
                if (_stopping)
                {
                    return;
                }
            }
            if (Interlocked.Exchange(ref _committed, 0) == 1)
            {
                CheckpointUntilCopied();
            }
        }
    }

    private void CheckpointUntilCopied()
    {
        try
        {
            for (var pass = 0; pass < MaxPasses; pass++)
            {
                // One row: busy (0 for a passive checkpoint), frames in the WAL, frames now in the database file.
                using var reader = _checkpoint.ExecuteReader();
                reader.Read();
                var walFrames = reader.GetInt64(1);
                var copiedFrames = reader.GetInt64(2);
                Interlocked.Increment(ref _passes);
                if (copiedFrames >= walFrames)
                {
                    return;
                }
            }
        }
        catch (SqliteException)
        {
            // Retried at the next interval; the writer's automatic checkpoint bounds the WAL meanwhile.
        }
    }
}
