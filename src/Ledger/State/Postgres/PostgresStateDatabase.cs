using System.Data;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using ZonCoin.Ledger.History;
using ZonCoin.Ledger.State.Postgres.Query;

namespace ZonCoin.Ledger.State.Postgres;

/// <summary>
/// A channel's state database in PostgreSQL: one schema per channel (<see cref="PostgresSchema.SchemaName"/>)
/// holding the state, the history index and the savepoint, changed by one PostgreSQL transaction per block. One
/// write connection, holding a session advisory lock that makes this instance the channel's only writer; reads use
/// pooled connections, and each range or history enumeration reads one REPEATABLE READ snapshot, so a reader sees
/// a block whole or not at all and never waits for a commit. Values that are JSON objects are also stored as jsonb
/// for rich queries (<see cref="JsonDocumentColumn"/>).
/// </summary>
public sealed class PostgresStateDatabase : IStateDatabase, IHistoryIndex
{
    /// <summary>Rows per statement when a block is written (the rows go as arrays and are unnested server-side).</summary>
    private const int ChunkRows = 2000;

    private const string ValueColumns = "value, metadata, block, tx";

    /// <summary>How long opening waits for the channel's writer lock before it reports another writer.</summary>
    private static readonly TimeSpan WriterLockGrace = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan LockPollPause = TimeSpan.FromMilliseconds(100);

    /// <summary>The columns a rich query reads: the key, the value columns and whether the value is a JSON object.</summary>
    private const string QueryColumns = "s.key, s.value, s.metadata, s.block, s.tx, s.doc IS NOT NULL";

    /// <summary>
    /// Builds (server-side, with <c>format</c>'s <c>%I</c> and <c>%L</c> quoting every name and literal) the DDL of
    /// one index: an expression per field written as the translator writes equality and numeric ranges
    /// (<c>(doc #&gt; '{a,b}'::text[])</c>; <c>_id</c> is the key column), partial on the namespace.
    /// </summary>
    private const string SqlFormatIndex =
        """
        SELECT format('CREATE INDEX IF NOT EXISTS %I ON %I.state (%s) WHERE ns = %L', @name::text, @schema::text,
            (SELECT string_agg(CASE WHEN jsonb_typeof(f.e) = 'array'
                                    THEN format('(doc #> %L::text[])', ARRAY(SELECT jsonb_array_elements_text(f.e))::text)
                                    ELSE 'key' END, ', ' ORDER BY f.i)
             FROM jsonb_array_elements(@fields::jsonb) WITH ORDINALITY AS f(e, i)),
            @ns::text);
        """;

    private static readonly QueryTranslatorOptions QueryOptions = new() { TableAlias = "s", ParameterPrefix = "q", MaxLimit = IStateDatabase.MaxQueryResults };

    private static readonly JsonDocumentOptions ValueJsonOptions = new() { MaxDepth = 64 };

    private readonly Lock _writeLock = new();
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresStateDatabaseOptions _options;
    private readonly string _schema;
    private readonly string _queryFrom;
    private readonly string _sqlGet;
    private readonly string _sqlGetMany;
    private readonly string _sqlRangeFrom;
    private readonly string _sqlRangeAfter;
    private readonly string _sqlHistoryFirst;
    private readonly string _sqlHistoryNext;
    private readonly string _sqlReadSavepoint;
    private readonly string _sqlLockSavepoint;
    private readonly string _sqlPutReplacingMetadata;
    private readonly string _sqlPutKeepingMetadata;
    private readonly string _sqlDelete;
    private readonly string _sqlPutMetadata;
    private readonly string _sqlAddHistory;
    private readonly string _sqlWriteSavepoint;
    private NpgsqlConnection? _writer;
    private volatile StrongBox<Version>? _savepoint;
    private volatile bool _disposed;

    private PostgresStateDatabase(NpgsqlDataSource dataSource, string channelId, string schema, PostgresStateDatabaseOptions options)
    {
        _dataSource = dataSource;
        _options = options;
        ChannelId = channelId;
        _schema = schema;
        var s = PostgresSchema.Quote(schema);
        _queryFrom = $"{s}.state s";
        _sqlGet = $"SELECT {ValueColumns} FROM {s}.state WHERE ns = @ns AND key = @key;";
        _sqlGetMany = $"SELECT key, {ValueColumns} FROM {s}.state WHERE ns = @ns AND key = ANY(@keys);";
        // An unbounded range has no upper bound in SQL: bytea order has no "greatest" value to stand in for it.
        _sqlRangeFrom = $"SELECT key, {ValueColumns} FROM {s}.state WHERE ns = @ns AND key >= @cursor AND (@unbounded OR key < @end) ORDER BY key LIMIT @limit;";
        _sqlRangeAfter = $"SELECT key, {ValueColumns} FROM {s}.state WHERE ns = @ns AND key > @cursor AND (@unbounded OR key < @end) ORDER BY key LIMIT @limit;";
        const string HistoryColumns = "block, tx, tx_id, value, is_delete, timestamp_ticks";
        _sqlHistoryFirst = $"SELECT {HistoryColumns} FROM {s}.history WHERE ns = @ns AND key = @key ORDER BY block DESC, tx DESC LIMIT @limit;";
        _sqlHistoryNext = $"SELECT {HistoryColumns} FROM {s}.history WHERE ns = @ns AND key = @key AND (block, tx) < (@block, @tx) ORDER BY block DESC, tx DESC LIMIT @limit;";
        _sqlReadSavepoint = $"SELECT block, tx FROM {s}.savepoint WHERE id = 0;";
        _sqlLockSavepoint = $"SELECT block, tx FROM {s}.savepoint WHERE id = 0 FOR UPDATE;";
        const string Unnest = "unnest(@ns::text[], @key::bytea[], @value::bytea[], @doc::jsonb[], @metadata::bytea[], @block::bigint[], @tx::bigint[])";
        _sqlPutReplacingMetadata =
            $"""
            INSERT INTO {s}.state (ns, key, value, doc, metadata, block, tx) SELECT * FROM {Unnest}
            ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, doc = excluded.doc, metadata = excluded.metadata, block = excluded.block, tx = excluded.tx;
            """;
        // A put that keeps the committed metadata: a new key has none (metadata is NULL in the rows).
        _sqlPutKeepingMetadata =
            $"""
            INSERT INTO {s}.state (ns, key, value, doc, metadata, block, tx) SELECT * FROM {Unnest}
            ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, doc = excluded.doc, block = excluded.block, tx = excluded.tx;
            """;
        _sqlDelete = $"DELETE FROM {s}.state AS s USING unnest(@ns::text[], @key::bytea[]) AS u(ns, key) WHERE s.ns = u.ns AND s.key = u.key;";
        _sqlPutMetadata =
            $"""
            UPDATE {s}.state AS s SET metadata = u.metadata, block = u.block, tx = u.tx
            FROM unnest(@ns::text[], @key::bytea[], @metadata::bytea[], @block::bigint[], @tx::bigint[]) AS u(ns, key, metadata, block, tx)
            WHERE s.ns = u.ns AND s.key = u.key;
            """;
        _sqlAddHistory =
            $"""
            INSERT INTO {s}.history (ns, key, block, tx, tx_id, value, is_delete, timestamp_ticks)
            SELECT * FROM unnest(@ns::text[], @key::bytea[], @block::bigint[], @tx::bigint[], @txid::text[], @value::bytea[], @delete::boolean[], @ticks::bigint[])
            ON CONFLICT (ns, key, block, tx) DO UPDATE SET tx_id = excluded.tx_id, value = excluded.value, is_delete = excluded.is_delete, timestamp_ticks = excluded.timestamp_ticks;
            """;
        _sqlWriteSavepoint = $"INSERT INTO {s}.savepoint (id, block, tx) VALUES (0, @block, @tx) ON CONFLICT (id) DO UPDATE SET block = excluded.block, tx = excluded.tx;";
    }

    /// <summary>The channel whose state this is.</summary>
    public string ChannelId { get; }

    /// <summary>The PostgreSQL schema holding the channel's tables.</summary>
    public string Schema => _schema;

    /// <inheritdoc/>
    public string Name => "postgres";

    /// <inheritdoc/>
    public bool SupportsRichQueries => true;

    /// <inheritdoc/>
    public Version? Savepoint => _savepoint?.Value;

    /// <inheritdoc/>
    public IHistoryIndex History => this;

    /// <summary>
    /// Opens the state database of channel <paramref name="channelId"/> in the PostgreSQL database that
    /// <paramref name="connectionString"/> names, creating its schema and tables if needed and migrating them.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="channelId"/> is not a Fabric channel id
    /// (<c>[a-z][a-z0-9.-]*</c>), or the connection string is malformed.</exception>
    /// <exception cref="StateDatabaseException">The channel's database is open elsewhere, its schema is newer than
    /// this code's or is not a state database, or PostgreSQL failed.</exception>
    public static PostgresStateDatabase Open(string connectionString, string channelId, PostgresStateDatabaseOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var schema = PostgresSchema.SchemaName(channelId);
        options ??= new PostgresStateDatabaseOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.PageSize, nameof(options));
        var dataSource = NpgsqlDataSource.Create(connectionString);
        PostgresStateDatabase? database = null;
        try
        {
            database = new PostgresStateDatabase(dataSource, channelId, schema, options);
            database.OpenWriter(migrate: true);
            return database;
        }
        catch (NpgsqlException ex)
        {
            database?.Dispose();
            dataSource.Dispose();
            throw new StateDatabaseException($"Opening the state database of channel '{channelId}' (PostgreSQL schema {schema}) failed: {ex.Message}", ex);
        }
        catch
        {
            database?.Dispose();
            dataSource.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Deletes the state database of channel <paramref name="channelId"/> (its schema, with every table in it) if
    /// there is one; a schema that is not a ZonCoin state database of that channel is left alone. The peer calls it
    /// before joining a channel again from its genesis block.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="channelId"/> is not a Fabric channel id.</exception>
    /// <exception cref="StateDatabaseException">PostgreSQL failed, or the channel's database is open.</exception>
    public static void Drop(string connectionString, string channelId)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var schema = PostgresSchema.SchemaName(channelId);
        try
        {
            using var dataSource = NpgsqlDataSource.Create(connectionString);
            using var connection = dataSource.OpenConnection();
            using var transaction = connection.BeginTransaction();
            using (var owner = new NpgsqlCommand("SELECT to_regclass(@table) IS NOT NULL;", connection, transaction))
            {
                owner.Parameters.Add(new NpgsqlParameter<string>("table", PostgresSchema.Quote(schema) + ".zoncoin_schema"));
                if (owner.ExecuteScalar() is not true)
                {
                    return;
                }
            }
            using (var owner = new NpgsqlCommand($"SELECT channel_id FROM {PostgresSchema.Quote(schema)}.zoncoin_schema WHERE id = 0;", connection, transaction))
            {
                if (owner.ExecuteScalar() as string != channelId)
                {
                    return;
                }
            }
            using (var locked = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(hashtext('zoncoin-statedb'), hashtext(@schema));", connection, transaction))
            {
                locked.Parameters.Add(new NpgsqlParameter<string>("schema", schema));
                if (locked.ExecuteScalar() is not true)
                {
                    throw new StateDatabaseException($"The state database of channel '{channelId}' (PostgreSQL schema {schema}) is open; close it before deleting it.");
                }
            }
            using (var drop = new NpgsqlCommand($"DROP SCHEMA {PostgresSchema.Quote(schema)} CASCADE;", connection, transaction))
            {
                drop.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        catch (NpgsqlException ex)
        {
            throw new StateDatabaseException($"Deleting the state database of channel '{channelId}' (PostgreSQL schema {schema}) failed: {ex.Message}", ex);
        }
    }

    /// <inheritdoc/>
    public VersionedValue? Get(string ns, string key)
    {
        var keyBytes = UpdateBatch.ReadKeyBytes(ns, key);
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            using var command = _dataSource.CreateCommand(_sqlGet);
            command.Parameters.Add(new NpgsqlParameter<string>("ns", ns));
            command.Parameters.Add(new NpgsqlParameter<byte[]>("key", keyBytes));
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadValue(reader, 0) : null;
        }
        catch (NpgsqlException ex)
        {
            throw ReadFailed(ex);
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
        var keyBytes = keys.Select(k => UpdateBatch.ReadKeyBytes(ns, k)).ToArray();
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            // One statement: one snapshot for all the keys.
            using var command = _dataSource.CreateCommand(_sqlGetMany);
            command.Parameters.Add(new NpgsqlParameter<string>("ns", ns));
            command.Parameters.Add(new NpgsqlParameter<byte[][]>("keys", keyBytes));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                result[Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(0))] = ReadValue(reader, 1);
            }
            return result;
        }
        catch (NpgsqlException ex)
        {
            throw ReadFailed(ex);
        }
    }

    /// <inheritdoc/>
    public IEnumerable<StateEntry> GetRange(string ns, string startKey, string endKey)
    {
        var (start, end) = UpdateBatch.ReadRangeBytes(ns, startKey, endKey);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return EnumerateRange(ns, start, end);
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
                if (_writer is not { State: ConnectionState.Open })
                {
                    // The previous connection broke (server restart, network): take a new one and the lock again.
                    _writer?.Dispose();
                    _writer = null;
                    OpenWriter(migrate: false);
                }
                var writer = _writer!;
                using var transaction = writer.BeginTransaction(IsolationLevel.ReadCommitted);
                // Checked inside the write transaction, against the database rather than the cached value.
                if (ReadSavepoint(writer, transaction, forUpdate: true) is { } savepoint && blockNumber <= savepoint.BlockNumber)
                {
                    throw StateDatabaseException.AlreadyApplied(blockNumber, savepoint);
                }
                var writes = 0;
                WriteUpdates(writer, transaction, blockNumber, batch, ref writes, hook);
                WriteHistory(writer, transaction, blockNumber, batch, ref writes, hook);
                hook?.RowsWritten(blockNumber, writes, beforeSavepoint: true);
                var next = new Version(blockNumber, batch.SavepointTxNumber);
                using (var command = new NpgsqlCommand(_sqlWriteSavepoint, writer, transaction))
                {
                    command.Parameters.Add(new NpgsqlParameter<long>("block", (long)next.BlockNumber));
                    command.Parameters.Add(new NpgsqlParameter<long>("tx", (long)next.TxNumber));
                    command.ExecuteNonQuery();
                }
                transaction.Commit();
                _savepoint = new StrongBox<Version>(next);
            }
            catch (NpgsqlException ex)
            {
                throw new StateDatabaseException($"Applying block {blockNumber} to the state database of channel '{ChannelId}' failed; nothing was applied: {ex.Message}", ex);
            }
        }
    }

    /// <inheritdoc/>
    public IEnumerable<StateEntry> ExecuteQuery(string ns, string query)
    {
        UpdateBatch.CheckNamespace(ns);
        ArgumentNullException.ThrowIfNull(query);
        var translated = MangoQueryTranslator.Translate(query, QueryOptions);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return EnumerateQuery(ns, translated);
    }

    /// <inheritdoc/>
    public QueryPage ExecuteQueryPage(string ns, string query, int pageSize, string bookmark)
    {
        UpdateBatch.CheckNamespace(ns);
        ArgumentNullException.ThrowIfNull(query);
        var translated = MangoQueryTranslator.TranslatePage(query, pageSize, bookmark, QueryOptions);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var results = new List<StateEntry>();
        try
        {
            // One statement: one snapshot.
            using var connection = _dataSource.OpenConnection();
            using var command = QueryCommand(translated, ns, connection, null);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                results.Add(ReadQueryRow(reader, translated));
            }
        }
        catch (NpgsqlException ex)
        {
            throw QueryFailed(ex);
        }
        return new QueryPage(results, translated.NextBookmark(results.Count, results.Count == 0 ? null : results[^1].Key));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One expression index per definition on the channel's state table, partial on <c>ns = </c><paramref name="ns"/>,
    /// named <c>ix_</c> plus 32 hex digits of the SHA-256 of the namespace, the index name and its fields: the same
    /// definition is created once (<c>CREATE INDEX IF NOT EXISTS</c>), a changed one gets a new index. Directions are
    /// ignored (a b-tree is read both ways). Names and literals are quoted by the server (<c>format %I %L</c>).
    /// </remarks>
    public void CreateIndexes(string ns, IReadOnlyList<StateIndexDefinition> indexes)
    {
        UpdateBatch.CheckNamespace(ns);
        ArgumentNullException.ThrowIfNull(indexes);
        if (indexes.Count == 0)
        {
            return;
        }
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            using var connection = _dataSource.OpenConnection();
            using var transaction = connection.BeginTransaction();
            using (var locked = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('zoncoin-statedb-index'), hashtext(@schema));", connection, transaction))
            {
                locked.Parameters.Add(new NpgsqlParameter<string>("schema", _schema));
                locked.ExecuteNonQuery();
            }
            foreach (var index in indexes)
            {
                ArgumentNullException.ThrowIfNull(index, nameof(indexes));
                var fields = IndexFieldsJson(index);
                string ddl;
                using (var format = new NpgsqlCommand(SqlFormatIndex, connection, transaction))
                {
                    format.Parameters.Add(new NpgsqlParameter<string>("name", IndexName(ns, index.Name, fields)));
                    format.Parameters.Add(new NpgsqlParameter<string>("schema", _schema));
                    format.Parameters.Add(new NpgsqlParameter<string>("fields", fields));
                    format.Parameters.Add(new NpgsqlParameter<string>("ns", ns));
                    ddl = (string)format.ExecuteScalar()!;
                }
                using var create = new NpgsqlCommand(ddl, connection, transaction);
                create.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        catch (NpgsqlException ex)
        {
            throw new StateDatabaseException($"Creating the indexes of namespace '{ns}' in the state database of channel '{ChannelId}' failed: {ex.Message}", ex);
        }
    }

    /// <summary>The index name of a definition: <c>ix_</c> plus 32 hex digits (35 bytes, under PostgreSQL's 63).</summary>
    internal static string IndexName(string ns, string name, string fieldsJson)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(ns + "\0" + name + "\0" + fieldsJson));
        return "ix_" + Convert.ToHexStringLower(hash)[..32];
    }

    /// <summary>The fields as JSON for <see cref="SqlFormatIndex"/>: each a segment array, or null for <c>_id</c>.</summary>
    private static string IndexFieldsJson(StateIndexDefinition index) =>
        JsonSerializer.Serialize(index.Fields.Select(f => FieldPath.Parse(f.Name) is { IsId: false } path ? path.Segments : null).ToArray(), LedgerJson.Default.IReadOnlyListStringArray);

    /// <summary>
    /// Test hook: the plan PostgreSQL chooses for <see cref="ExecuteQuery"/> of <paramref name="query"/>, with
    /// sequential scans disabled when <paramref name="disableSeqScan"/> (so a usable index is used even on a small table).
    /// </summary>
    internal string ExplainQuery(string ns, string query, bool disableSeqScan)
    {
        var translated = MangoQueryTranslator.Translate(query, QueryOptions);
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        if (disableSeqScan)
        {
            using var off = new NpgsqlCommand("SET LOCAL enable_seqscan = off;", connection, transaction);
            off.ExecuteNonQuery();
        }
        using var command = QueryCommand(translated, ns, connection, transaction);
        command.CommandText = "EXPLAIN " + command.CommandText;
        using var reader = command.ExecuteReader();
        var plan = new StringBuilder();
        while (reader.Read())
        {
            plan.AppendLine(reader.GetString(0));
        }
        return plan.ToString();
    }

    private NpgsqlCommand QueryCommand(TranslatedQuery query, string ns, NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        var command = new NpgsqlCommand(query.ToSql(QueryColumns, _queryFrom, "s.ns = @ns"), connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string>("ns", ns));
        foreach (var p in query.Parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { ParameterName = p.Name, Value = p.Value, DataTypeName = p.PgType });
        }
        return command;
    }

    private IEnumerable<StateEntry> EnumerateQuery(string ns, TranslatedQuery query)
    {
        using var snapshot = BeginSnapshot();
        using var command = QueryCommand(query, ns, snapshot.Connection, snapshot.Transaction);
        NpgsqlDataReader reader;
        try
        {
            reader = command.ExecuteReader();
        }
        catch (NpgsqlException ex)
        {
            throw QueryFailed(ex);
        }
        using (reader)
        {
            while (true)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                StateEntry? entry = null;
                try
                {
                    if (reader.Read())
                    {
                        entry = ReadQueryRow(reader, query);
                    }
                }
                catch (NpgsqlException ex)
                {
                    throw QueryFailed(ex);
                }
                if (entry is null)
                {
                    yield break;
                }
                yield return entry;
            }
        }
    }

    /// <summary>A row of a rich query: the value re-marshalled as Fabric returns it when it is a JSON object.</summary>
    private static StateEntry ReadQueryRow(NpgsqlDataReader reader, TranslatedQuery query)
    {
        var key = Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(0));
        byte[] value = reader.GetFieldValue<byte[]>(1);
        if (reader.GetBoolean(5))
        {
            // Re-marshalled from the stored bytes, not from jsonb, which rewrites numbers (1e2 as 100).
            using var document = JsonDocument.Parse(value, ValueJsonOptions);
            value = query.Project(document.RootElement);
        }
        var version = new Version((ulong)reader.GetInt64(3), (ulong)reader.GetInt64(4));
        var metadata = reader.IsDBNull(2) ? ReadOnlyMemory<byte>.Empty : reader.GetFieldValue<byte[]>(2);
        return new StateEntry(key, new VersionedValue(value, version, metadata));
    }

    /// <summary>
    /// A failed rich query: PostgreSQL's data exceptions (SQLSTATE class 22, e.g. 2201B invalid regular expression)
    /// come from the query's operands, which the chaincode author can fix; anything else is a database failure.
    /// </summary>
    private Exception QueryFailed(NpgsqlException ex) =>
        ex is PostgresException { SqlState: [ '2', '2', .. ] } pg
            ? new QueryException($"rich query refused by the state database: {pg.MessageText} (SQLSTATE {pg.SqlState})", ex)
            : ReadFailed(ex);

    /// <summary>The backend process id of the write connection (tests terminate it to simulate a crash).</summary>
    internal int WriterProcessId
    {
        get
        {
            lock (_writeLock)
            {
                return _writer?.ProcessID ?? 0;
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
            // Released here, not left to the session's end: a closed connection's server process may hold it a moment
            // longer, and a reopen right after would find the channel still locked.
            try
            {
                if (_writer is { State: System.Data.ConnectionState.Open } open)
                {
                    using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock_all();", open);
                    unlock.ExecuteNonQuery();
                }
            }
            catch (NpgsqlException)
            {
                // The connection is broken: its session, and with it the lock, is gone.
            }
            _writer?.Dispose();
            _writer = null;
            _dataSource.Dispose();
        }
    }

    /// <summary>Opens the write connection, takes the channel's writer lock, migrates (at open) and reads the savepoint.</summary>
    private void OpenWriter(bool migrate)
    {
        // The connection is pooled by the data source; a session advisory lock is released when it goes back to the
        // pool (Npgsql resets the session with DISCARD ALL) or when the connection breaks.
        var writer = _dataSource.OpenConnection();
        try
        {
            using (var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtext('zoncoin-statedb'), hashtext(@schema));", writer))
            {
                command.Parameters.Add(new NpgsqlParameter<string>("schema", _schema));
                // A writer that just went away (a killed peer) holds the lock until the server ends its session.
                var clock = _options.TimeProvider;
                var deadline = clock.GetUtcNow() + WriterLockGrace;
                while (command.ExecuteScalar() is not true)
                {
                    if (clock.GetUtcNow() >= deadline)
                    {
                        throw new StateDatabaseException($"The state database of channel '{ChannelId}' (PostgreSQL schema {_schema}) is already open by another writer.");
                    }
                    // The poll pause is real time (open is synchronous); the grace period is the injected clock's.
                    Thread.Sleep(LockPollPause);
                }
            }
            if (migrate)
            {
                PostgresSchema.Migrate(writer, ChannelId, _schema);
            }
            var savepoint = ReadSavepoint(writer, null, forUpdate: false);
            _savepoint = savepoint is { } s ? new StrongBox<Version>(s) : null;
            _writer = writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    private void WriteUpdates(NpgsqlConnection writer, NpgsqlTransaction transaction, ulong blockNumber, UpdateBatch batch, ref int writes, IStateWriteHook? hook)
    {
        foreach (var (kind, replaces) in new[] { (KeyUpdateKind.Put, true), (KeyUpdateKind.Put, false), (KeyUpdateKind.Delete, false), (KeyUpdateKind.Metadata, false) })
        {
            var selected = batch.Updates.Where(u => u.Kind == kind && (kind != KeyUpdateKind.Put || u.ReplacesMetadata == replaces));
            foreach (var chunk in selected.Chunk(ChunkRows))
            {
                var sql = kind switch
                {
                    KeyUpdateKind.Put => replaces ? _sqlPutReplacingMetadata : _sqlPutKeepingMetadata,
                    KeyUpdateKind.Delete => _sqlDelete,
                    _ => _sqlPutMetadata,
                };
                using var command = new NpgsqlCommand(sql, writer, transaction);
                var p = command.Parameters;
                p.Add(new NpgsqlParameter<string[]>("ns", [.. chunk.Select(u => u.Namespace)]));
                p.Add(new NpgsqlParameter<byte[][]>("key", [.. chunk.Select(u => UpdateBatch.KeyBytes(u.Key))]));
                if (kind != KeyUpdateKind.Delete)
                {
                    if (kind == KeyUpdateKind.Put)
                    {
                        p.Add(new NpgsqlParameter<byte[][]>("value", [.. chunk.Select(u => AsArray(u.Value))]));
                        p.Add(new NpgsqlParameter("doc", NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = chunk.Select(u => JsonDocumentColumn.Of(u.Value)).ToArray() });
                    }
                    var metadata = chunk.Select(u => kind == KeyUpdateKind.Put && !replaces ? null : Metadata(u.Metadata)).ToArray();
                    p.Add(new NpgsqlParameter("metadata", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = metadata });
                    p.Add(new NpgsqlParameter<long[]>("block", [.. chunk.Select(u => (long)u.Version.BlockNumber)]));
                    p.Add(new NpgsqlParameter<long[]>("tx", [.. chunk.Select(u => (long)u.Version.TxNumber)]));
                }
                command.ExecuteNonQuery();
                writes += chunk.Length;
                hook?.RowsWritten(blockNumber, writes, beforeSavepoint: false);
            }
        }
    }

    private void WriteHistory(NpgsqlConnection writer, NpgsqlTransaction transaction, ulong blockNumber, UpdateBatch batch, ref int writes, IStateWriteHook? hook)
    {
        foreach (var chunk in batch.History.Chunk(ChunkRows))
        {
            using var command = new NpgsqlCommand(_sqlAddHistory, writer, transaction);
            var p = command.Parameters;
            p.Add(new NpgsqlParameter<string[]>("ns", [.. chunk.Select(h => h.Namespace)]));
            p.Add(new NpgsqlParameter<byte[][]>("key", [.. chunk.Select(h => UpdateBatch.KeyBytes(h.Key))]));
            p.Add(new NpgsqlParameter<long[]>("block", [.. chunk.Select(_ => (long)blockNumber)]));
            p.Add(new NpgsqlParameter<long[]>("tx", [.. chunk.Select(h => (long)h.Entry.TxNumber)]));
            p.Add(new NpgsqlParameter<string[]>("txid", [.. chunk.Select(h => h.Entry.TxId)]));
            p.Add(new NpgsqlParameter<byte[][]>("value", [.. chunk.Select(h => h.Entry.IsDelete ? [] : AsArray(h.Entry.Value))]));
            p.Add(new NpgsqlParameter<bool[]>("delete", [.. chunk.Select(h => h.Entry.IsDelete)]));
            p.Add(new NpgsqlParameter<long[]>("ticks", [.. chunk.Select(h => h.Entry.Timestamp.UtcTicks)]));
            command.ExecuteNonQuery();
            writes += chunk.Length;
            hook?.RowsWritten(blockNumber, writes, beforeSavepoint: false);
        }
    }

    private IEnumerable<StateEntry> EnumerateRange(string ns, byte[] start, byte[]? end)
    {
        using var snapshot = BeginSnapshot();
        var cursor = start;
        var inclusive = true;
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var page = new List<StateEntry>(_options.PageSize);
            byte[]? last = null;
            try
            {
                using var command = new NpgsqlCommand(inclusive ? _sqlRangeFrom : _sqlRangeAfter, snapshot.Connection, snapshot.Transaction);
                command.Parameters.Add(new NpgsqlParameter<string>("ns", ns));
                command.Parameters.Add(new NpgsqlParameter<byte[]>("cursor", cursor));
                command.Parameters.Add(new NpgsqlParameter<bool>("unbounded", end is null));
                command.Parameters.Add(new NpgsqlParameter<byte[]>("end", end ?? []));
                command.Parameters.Add(new NpgsqlParameter<int>("limit", _options.PageSize));
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    last = reader.GetFieldValue<byte[]>(0);
                    page.Add(new StateEntry(Encoding.UTF8.GetString(last), ReadValue(reader, 1)));
                }
            }
            catch (NpgsqlException ex)
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

    private IEnumerable<HistoryEntry> EnumerateHistory(string ns, byte[] key)
    {
        using var snapshot = BeginSnapshot();
        Version? before = null;
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var page = new List<HistoryEntry>(_options.PageSize);
            try
            {
                using var command = new NpgsqlCommand(before is null ? _sqlHistoryFirst : _sqlHistoryNext, snapshot.Connection, snapshot.Transaction);
                command.Parameters.Add(new NpgsqlParameter<string>("ns", ns));
                command.Parameters.Add(new NpgsqlParameter<byte[]>("key", key));
                command.Parameters.Add(new NpgsqlParameter<int>("limit", _options.PageSize));
                if (before is { } b)
                {
                    command.Parameters.Add(new NpgsqlParameter<long>("block", (long)b.BlockNumber));
                    command.Parameters.Add(new NpgsqlParameter<long>("tx", (long)b.TxNumber));
                }
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    page.Add(new HistoryEntry(
                        TxId: reader.GetString(2),
                        BlockNumber: (ulong)reader.GetInt64(0),
                        TxNumber: (ulong)reader.GetInt64(1),
                        Value: reader.GetFieldValue<byte[]>(3),
                        IsDelete: reader.GetBoolean(4),
                        Timestamp: new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero)));
                }
            }
            catch (NpgsqlException ex)
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

    /// <summary>
    /// A read-only REPEATABLE READ transaction on its own pooled connection: every statement in it reads the
    /// snapshot taken by the first one. Disposing it rolls back and returns the connection to the pool.
    /// </summary>
    private SnapshotTransaction BeginSnapshot()
    {
        NpgsqlConnection? connection = null;
        try
        {
            connection = _dataSource.OpenConnection();
            var transaction = connection.BeginTransaction(IsolationLevel.RepeatableRead);
            using (var command = new NpgsqlCommand("SET TRANSACTION READ ONLY;", connection, transaction))
            {
                command.ExecuteNonQuery();
            }
            return new SnapshotTransaction(connection, transaction);
        }
        catch (NpgsqlException ex)
        {
            connection?.Dispose();
            throw ReadFailed(ex);
        }
    }

    private Version? ReadSavepoint(NpgsqlConnection connection, NpgsqlTransaction? transaction, bool forUpdate)
    {
        using var command = new NpgsqlCommand(forUpdate ? _sqlLockSavepoint : _sqlReadSavepoint, connection, transaction);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new Version((ulong)reader.GetInt64(0), (ulong)reader.GetInt64(1)) : null;
    }

    private StateDatabaseException ReadFailed(NpgsqlException ex) => new($"Reading the state database of channel '{ChannelId}' failed: {ex.Message}", ex);

    private static VersionedValue ReadValue(NpgsqlDataReader reader, int first) => new(
        reader.GetFieldValue<byte[]>(first),
        new Version((ulong)reader.GetInt64(first + 2), (ulong)reader.GetInt64(first + 3)),
        reader.IsDBNull(first + 1) ? ReadOnlyMemory<byte>.Empty : reader.GetFieldValue<byte[]>(first + 1));

    private static byte[]? Metadata(ReadOnlyMemory<byte> metadata) => metadata.IsEmpty ? null : AsArray(metadata);

    /// <summary>The bytes as an array, without a copy when the memory is a whole array.</summary>
    private static byte[] AsArray(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : memory.ToArray();

    /// <summary>A snapshot transaction that owns its connection.</summary>
    private sealed class SnapshotTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction) : IDisposable
    {
        public NpgsqlConnection Connection { get; } = connection;

        public NpgsqlTransaction Transaction { get; } = transaction;

        public void Dispose()
        {
            Transaction.Dispose();
            Connection.Dispose();
        }
    }
}
