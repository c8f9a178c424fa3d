using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using ZonCoin.Ledger.History;

namespace ZonCoin.Ledger.State.Sqlite;

/// <summary>
/// The embedded state database: one SQLite file in WAL mode holding the state, the history index and the
/// savepoint, changed by one transaction per block. One write connection with prepared statements (commits are
/// serialized); a pool of read connections for concurrent readers, each reading a WAL snapshot, so a reader sees
/// a block whole or not at all and never waits for a commit. See <c>src/Ledger/README.md</c> for the schema.
/// </summary>
public sealed class SqliteStateDatabase : IStateDatabase, IHistoryIndex
{
    /// <summary>Above every UTF-8 byte sequence: the end bound of an unbounded range.</summary>
    private static readonly byte[] NoEnd = [0xFF];

    private readonly Lock _writeLock = new();
    private readonly string _readConnectionString;
    private readonly SqliteStateDatabaseOptions _options;
    private readonly FileStream _lockFile;
    private readonly SqliteConnection _writer;
    private readonly SqliteCommand _readSavepoint;
    private readonly SqliteCommand _put;
    private readonly SqliteCommand _delete;
    private readonly SqliteCommand _putMetadata;
    private readonly SqliteCommand _addHistory;
    private readonly SqliteCommand _writeSavepoint;
    private readonly SqliteCheckpointer _checkpointer;
    private readonly ConcurrentBag<SqliteReader> _idleReaders = [];
    private int _idleCount;
    private volatile StrongBox<Version>? _savepoint;
    private volatile bool _disposed;

    private SqliteStateDatabase(string path, FileStream lockFile, SqliteConnection writer, string readConnectionString, SqliteStateDatabaseOptions options)
    {
        Path = path;
        _lockFile = lockFile;
        _writer = writer;
        _readConnectionString = readConnectionString;
        _options = options;
        _readSavepoint = Prepare("SELECT block, tx FROM savepoint WHERE id = 0;");
        _put = Prepare(
            """
            INSERT INTO state (ns, key, value, metadata, block, tx) VALUES ($ns, $key, $value, $metadata, $block, $tx)
            ON CONFLICT (ns, key) DO UPDATE SET
                value = excluded.value,
                metadata = CASE WHEN $keep THEN state.metadata ELSE excluded.metadata END,
                block = excluded.block,
                tx = excluded.tx;
            """,
            "$ns", "$key", "$value", "$metadata", "$block", "$tx", "$keep");
        _delete = Prepare("DELETE FROM state WHERE ns = $ns AND key = $key;", "$ns", "$key");
        _putMetadata = Prepare("UPDATE state SET metadata = $metadata, block = $block, tx = $tx WHERE ns = $ns AND key = $key;", "$ns", "$key", "$metadata", "$block", "$tx");
        _addHistory = Prepare(
            "INSERT OR REPLACE INTO history (ns, key, block, tx, tx_id, value, is_delete, timestamp) VALUES ($ns, $key, $block, $tx, $txid, $value, $delete, $timestamp);",
            "$ns", "$key", "$block", "$tx", "$txid", "$value", "$delete", "$timestamp");
        _writeSavepoint = Prepare(
            "INSERT INTO savepoint (id, block, tx) VALUES (0, $block, $tx) ON CONFLICT (id) DO UPDATE SET block = excluded.block, tx = excluded.tx;",
            "$block", "$tx");
        var savepoint = ReadSavepoint(null);
        _savepoint = savepoint is { } s ? new StrongBox<Version>(s) : null;
        _checkpointer = new SqliteCheckpointer(readConnectionString, options.CheckpointInterval);
    }

    /// <summary>Background checkpoint passes so far (see <see cref="SqliteCheckpointer"/>).</summary>
    internal long BackgroundCheckpoints => _checkpointer.Passes;

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public string Name => "sqlite";

    /// <inheritdoc/>
    public bool SupportsRichQueries => false;

    /// <summary>The error of every rich query: SQLite has none (as Fabric's LevelDB).</summary>
    internal const string RichQueriesUnsupported =
        "ExecuteQuery not supported for sqlite: rich queries (GetQueryResult) need a peer with the PostgreSQL state database (Peer:StateDatabase=postgres)";

    /// <inheritdoc/>
    /// <exception cref="QueryException">Always: SQLite has no rich queries.</exception>
    public IEnumerable<StateEntry> ExecuteQuery(string ns, string query) => throw new QueryException(RichQueriesUnsupported);

    /// <inheritdoc/>
    /// <exception cref="QueryException">Always: SQLite has no rich queries.</exception>
    public QueryPage ExecuteQueryPage(string ns, string query, int pageSize, string bookmark) => throw new QueryException(RichQueriesUnsupported);

    /// <inheritdoc/>
    /// <remarks>Does nothing: SQLite has no rich queries, and Fabric ignores indexes on LevelDB.</remarks>
    public void CreateIndexes(string ns, IReadOnlyList<StateIndexDefinition> indexes)
    {
        UpdateBatch.CheckNamespace(ns);
        ArgumentNullException.ThrowIfNull(indexes);
    }

    /// <inheritdoc/>
    public Version? Savepoint => _savepoint?.Value;

    /// <inheritdoc/>
    public IHistoryIndex History => this;

    /// <summary>
    /// Opens the state database in the file <paramref name="path"/>, creating it (and its directory) if needed,
    /// switching it to WAL mode and migrating its schema. A lock file (<c>path.lock</c>) makes the opener the only
    /// one, across processes.
    /// </summary>
    /// <exception cref="StateDatabaseException">The database is open elsewhere, is not a state database, has a newer
    /// schema, or SQLite failed.</exception>
    public static SqliteStateDatabase Open(string path, SqliteStateDatabaseOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new SqliteStateDatabaseOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.PageSize, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxIdleReaders, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.CheckpointInterval, TimeSpan.Zero, nameof(options));
        path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new StateDatabaseException($"The state database {path} is already open.", ex);
        }
        SqliteConnection? writer = null;
        try
        {
            // Pooling off: this class pools its own connections (with their prepared statements), and a closed
            // database must really be closed so the file can be reopened, copied or deleted.
            var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
            writer = new SqliteConnection(builder.ToString());
            writer.Open();
            SqliteSchema.Scalar(writer, $"PRAGMA page_size = {options.PageBytes};");
            var journal = SqliteSchema.Scalar(writer, "PRAGMA journal_mode = WAL;") as string;
            if (!string.Equals(journal, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new StateDatabaseException($"SQLite refused WAL mode for {path} (journal_mode is {journal}).");
            }
            var synchronous = options.Synchronous == SqliteSynchronous.Full ? "FULL" : "NORMAL";
            SqliteSchema.Scalar(writer, $"PRAGMA synchronous = {synchronous}; PRAGMA cache_size = -{options.WriterCacheKiB}; PRAGMA journal_size_limit = {64 * 1024 * 1024}; PRAGMA wal_autocheckpoint = {options.CheckpointPages};");
            SqliteSchema.Migrate(writer, path);
            builder.Mode = SqliteOpenMode.ReadWrite;
            return new SqliteStateDatabase(path, lockFile, writer, builder.ToString(), options);
        }
        catch (SqliteException ex)
        {
            writer?.Dispose();
            lockFile.Dispose();
            throw new StateDatabaseException($"Opening the state database {path} failed: {ex.Message}", ex);
        }
        catch
        {
            writer?.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public VersionedValue? Get(string ns, string key)
    {
        var keyBytes = UpdateBatch.ReadKeyBytes(ns, key);
        var reader = RentReader();
        try
        {
            return reader.Get(null, ns, keyBytes);
        }
        catch (SqliteException ex)
        {
            throw ReadFailed(ex);
        }
        finally
        {
            ReturnReader(reader);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, VersionedValue> GetMany(string ns, IReadOnlyCollection<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        UpdateBatch.CheckNamespace(ns);
        var result = new Dictionary<string, VersionedValue>(keys.Count, StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return result;
        }
        var reader = RentReader();
        try
        {
            using var snapshot = reader.BeginSnapshot();
            foreach (var key in keys)
            {
                if (!result.ContainsKey(key) && reader.Get(snapshot, ns, UpdateBatch.ReadKeyBytes(ns, key)) is { } value)
                {
                    result[key] = value;
                }
            }
            snapshot.Commit();
            return result;
        }
        catch (SqliteException ex)
        {
            throw ReadFailed(ex);
        }
        finally
        {
            ReturnReader(reader);
        }
    }

    /// <inheritdoc/>
    public IEnumerable<StateEntry> GetRange(string ns, string startKey, string endKey)
    {
        var (start, end) = UpdateBatch.ReadRangeBytes(ns, startKey, endKey);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return EnumerateRange(ns, start, end ?? NoEnd);
    }

    /// <inheritdoc/>
    public IEnumerable<HistoryEntry> GetHistory(string ns, string key)
    {
        var keyBytes = UpdateBatch.ReadKeyBytes(ns, key);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return EnumerateHistory(ns, keyBytes);
    }

    /// <inheritdoc/>
    public void ApplyBlock(ulong blockNumber, UpdateBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockNumber, (ulong)long.MaxValue);
        batch.CheckBlock(blockNumber);
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var hook = _options.WriteHook;
            try
            {
                using var transaction = _writer.BeginTransaction(deferred: false);
                // Checked inside the write transaction, against the database rather than the cached value.
                if (ReadSavepoint(transaction) is { } savepoint && blockNumber <= savepoint.BlockNumber)
                {
                    throw StateDatabaseException.AlreadyApplied(blockNumber, savepoint);
                }
                var writes = 0;
                var block = (long)blockNumber;
                foreach (var update in batch.Updates)
                {
                    WriteUpdate(transaction, update);
                    hook?.RowsWritten(blockNumber, ++writes, beforeSavepoint: false);
                }
                foreach (var (ns, key, entry) in batch.History)
                {
                    var command = Bind(_addHistory, transaction);
                    command.Parameters[0].Value = ns;
                    command.Parameters[1].Value = UpdateBatch.KeyBytes(key);
                    command.Parameters[2].Value = block;
                    command.Parameters[3].Value = (long)entry.TxNumber;
                    command.Parameters[4].Value = entry.TxId;
                    command.Parameters[5].Value = AsArray(entry.IsDelete ? ReadOnlyMemory<byte>.Empty : entry.Value);
                    command.Parameters[6].Value = entry.IsDelete ? 1 : 0;
                    command.Parameters[7].Value = entry.Timestamp.UtcTicks;
                    command.ExecuteNonQuery();
                    hook?.RowsWritten(blockNumber, ++writes, beforeSavepoint: false);
                }
                hook?.RowsWritten(blockNumber, writes, beforeSavepoint: true);
                var next = new Version(blockNumber, batch.SavepointTxNumber);
                var write = Bind(_writeSavepoint, transaction);
                write.Parameters[0].Value = block;
                write.Parameters[1].Value = (long)next.TxNumber;
                write.ExecuteNonQuery();
                transaction.Commit();
                _savepoint = new StrongBox<Version>(next);
                _checkpointer.Committed();
            }
            catch (SqliteException ex)
            {
                throw new StateDatabaseException($"Applying block {blockNumber} to the state database {Path} failed; nothing was applied: {ex.Message}", ex);
            }
        }
    }

    /// <summary>Closes the database. Enumerations still open fail from then on.</summary>
    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _checkpointer.Dispose();
            while (_idleReaders.TryTake(out var reader))
            {
                reader.Dispose();
            }
            _readSavepoint.Dispose();
            _put.Dispose();
            _delete.Dispose();
            _putMetadata.Dispose();
            _addHistory.Dispose();
            _writeSavepoint.Dispose();
            _writer.Dispose();
            _lockFile.Dispose();
        }
    }

    private void WriteUpdate(SqliteTransaction transaction, KeyUpdate update)
    {
        var key = UpdateBatch.KeyBytes(update.Key);
        var block = (long)update.Version.BlockNumber;
        var tx = (long)update.Version.TxNumber;
        switch (update.Kind)
        {
            case KeyUpdateKind.Put:
                var put = Bind(_put, transaction);
                put.Parameters[0].Value = update.Namespace;
                put.Parameters[1].Value = key;
                put.Parameters[2].Value = AsArray(update.Value);
                put.Parameters[3].Value = update.ReplacesMetadata ? Metadata(update.Metadata) : DBNull.Value;
                put.Parameters[4].Value = block;
                put.Parameters[5].Value = tx;
                put.Parameters[6].Value = update.ReplacesMetadata ? 0 : 1;
                put.ExecuteNonQuery();
                break;
            case KeyUpdateKind.Delete:
                var delete = Bind(_delete, transaction);
                delete.Parameters[0].Value = update.Namespace;
                delete.Parameters[1].Value = key;
                delete.ExecuteNonQuery();
                break;
            case KeyUpdateKind.Metadata:
                var metadata = Bind(_putMetadata, transaction);
                metadata.Parameters[0].Value = update.Namespace;
                metadata.Parameters[1].Value = key;
                metadata.Parameters[2].Value = Metadata(update.Metadata);
                metadata.Parameters[3].Value = block;
                metadata.Parameters[4].Value = tx;
                metadata.ExecuteNonQuery();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(update), update.Kind, "Unknown update kind.");
        }
    }

    private IEnumerable<StateEntry> EnumerateRange(string ns, byte[] start, byte[] end)
    {
        var reader = RentReader();
        try
        {
            using var snapshot = reader.BeginSnapshot();
            var cursor = start;
            var inclusive = true;
            while (true)
            {
                List<StateEntry> page;
                byte[]? last;
                try
                {
                    page = reader.RangePage(snapshot, ns, cursor, inclusive, end, _options.PageSize, out last);
                }
                catch (SqliteException ex)
                {
                    throw ReadFailed(ex);
                }
                foreach (var entry in page)
                {
                    yield return entry;
                }
                if (page.Count < _options.PageSize || last is null)
                {
                    yield break;
                }
                cursor = last;
                inclusive = false;
            }
        }
        finally
        {
            ReturnReader(reader);
        }
    }

    private IEnumerable<HistoryEntry> EnumerateHistory(string ns, byte[] key)
    {
        var reader = RentReader();
        try
        {
            using var snapshot = reader.BeginSnapshot();
            Version? before = null;
            while (true)
            {
                List<HistoryEntry> page;
                try
                {
                    page = reader.HistoryPage(snapshot, ns, key, before, _options.PageSize);
                }
                catch (SqliteException ex)
                {
                    throw ReadFailed(ex);
                }
                foreach (var entry in page)
                {
                    yield return entry;
                }
                if (page.Count < _options.PageSize)
                {
                    yield break;
                }
                before = new Version(page[^1].BlockNumber, page[^1].TxNumber);
            }
        }
        finally
        {
            ReturnReader(reader);
        }
    }

    private SqliteReader RentReader()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idleReaders.TryTake(out var reader))
        {
            Interlocked.Decrement(ref _idleCount);
            return reader;
        }
        try
        {
            return new SqliteReader(_readConnectionString);
        }
        catch (SqliteException ex)
        {
            throw ReadFailed(ex);
        }
    }

    private void ReturnReader(SqliteReader reader)
    {
        if (!_disposed && Interlocked.Increment(ref _idleCount) <= _options.MaxIdleReaders)
        {
            _idleReaders.Add(reader);
            // Dispose may have drained the pool between the check and the Add.
            if (_disposed && _idleReaders.TryTake(out var late))
            {
                late.Dispose();
            }
            return;
        }
        if (!_disposed)
        {
            Interlocked.Decrement(ref _idleCount);
        }
        reader.Dispose();
    }

    private Version? ReadSavepoint(SqliteTransaction? transaction)
    {
        using var reader = Bind(_readSavepoint, transaction).ExecuteReader();
        return reader.Read() ? new Version((ulong)reader.GetInt64(0), (ulong)reader.GetInt64(1)) : null;
    }

    private StateDatabaseException ReadFailed(SqliteException ex) => new($"Reading the state database {Path} failed: {ex.Message}", ex);

    private static SqliteCommand Bind(SqliteCommand command, SqliteTransaction? transaction)
    {
        command.Transaction = transaction;
        return command;
    }

    private static object Metadata(ReadOnlyMemory<byte> metadata) => metadata.IsEmpty ? DBNull.Value : AsArray(metadata);

    /// <summary>The bytes as an array, without a copy when the memory is a whole array.</summary>
    private static byte[] AsArray(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : memory.ToArray();

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _writer.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        command.Prepare();
        return command;
    }
}
