using System.Text;
using Microsoft.Data.Sqlite;
using ZonCoin.Ledger.History;

namespace ZonCoin.Ledger.State.Sqlite;

/// <summary>
/// A read connection with its prepared statements. Rented from <see cref="SqliteStateDatabase"/>'s pool by one
/// thread at a time. In WAL mode a read never waits for the writer and sees the last commit before it started.
/// </summary>
internal sealed class SqliteReader : IDisposable
{
    private const string Columns = "key, value, metadata, block, tx";

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _get;
    private readonly SqliteCommand _rangeFrom;
    private readonly SqliteCommand _rangeAfter;
    private readonly SqliteCommand _historyFirst;
    private readonly SqliteCommand _historyNext;

    public SqliteReader(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        try
        {
            _connection.Open();
            SqliteSchema.Scalar(_connection, "PRAGMA query_only = 1;");
            _get = Prepare("SELECT value, metadata, block, tx FROM state WHERE ns = $ns AND key = $key;", "$ns", "$key");
            // The end bound is always present (X'FF' when unbounded: no UTF-8 key has that byte), so the planner uses
            // the primary key for both ends of the range.
            _rangeFrom = Prepare($"SELECT {Columns} FROM state WHERE ns = $ns AND key >= $cursor AND key < $end ORDER BY key LIMIT $limit;", "$ns", "$cursor", "$end", "$limit");
            _rangeAfter = Prepare($"SELECT {Columns} FROM state WHERE ns = $ns AND key > $cursor AND key < $end ORDER BY key LIMIT $limit;", "$ns", "$cursor", "$end", "$limit");
            const string HistoryColumns = "block, tx, tx_id, value, is_delete, timestamp";
            _historyFirst = Prepare($"SELECT {HistoryColumns} FROM history WHERE ns = $ns AND key = $key ORDER BY block DESC, tx DESC LIMIT $limit;", "$ns", "$key", "$limit");
            _historyNext = Prepare($"SELECT {HistoryColumns} FROM history WHERE ns = $ns AND key = $key AND (block, tx) < ($block, $tx) ORDER BY block DESC, tx DESC LIMIT $limit;", "$ns", "$key", "$block", "$tx", "$limit");
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>Starts a read transaction: every statement until it ends reads the snapshot taken by the first one.</summary>
    public SqliteTransaction BeginSnapshot() => _connection.BeginTransaction(deferred: true);

    public VersionedValue? Get(SqliteTransaction? transaction, string ns, byte[] key)
    {
        _get.Transaction = transaction;
        _get.Parameters[0].Value = ns;
        _get.Parameters[1].Value = key;
        using var reader = _get.ExecuteReader();
        return reader.Read() ? ReadValue(reader, 0) : null;
    }

    /// <summary>Up to <paramref name="limit"/> entries from <paramref name="cursor"/> (inclusive or not) below <paramref name="end"/>; the last key's bytes out.</summary>
    public List<StateEntry> RangePage(SqliteTransaction transaction, string ns, byte[] cursor, bool inclusive, byte[] end, int limit, out byte[]? lastKey)
    {
        var command = inclusive ? _rangeFrom : _rangeAfter;
        command.Transaction = transaction;
        command.Parameters[0].Value = ns;
        command.Parameters[1].Value = cursor;
        command.Parameters[2].Value = end;
        command.Parameters[3].Value = limit;
        var page = new List<StateEntry>(limit);
        lastKey = null;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            lastKey = reader.GetFieldValue<byte[]>(0);
            page.Add(new StateEntry(Encoding.UTF8.GetString(lastKey), ReadValue(reader, 1)));
        }
        return page;
    }

    /// <summary>Up to <paramref name="limit"/> history entries, newest first, older than <paramref name="before"/> when given.</summary>
    public List<HistoryEntry> HistoryPage(SqliteTransaction transaction, string ns, byte[] key, Version? before, int limit)
    {
        var command = before is null ? _historyFirst : _historyNext;
        command.Transaction = transaction;
        command.Parameters[0].Value = ns;
        command.Parameters[1].Value = key;
        if (before is { } b)
        {
            command.Parameters[2].Value = (long)b.BlockNumber;
            command.Parameters[3].Value = (long)b.TxNumber;
            command.Parameters[4].Value = limit;
        }
        else
        {
            command.Parameters[2].Value = limit;
        }
        var page = new List<HistoryEntry>(limit);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            page.Add(new HistoryEntry(
                TxId: reader.GetString(2),
                BlockNumber: (ulong)reader.GetInt64(0),
                TxNumber: (ulong)reader.GetInt64(1),
                Value: reader.GetFieldValue<byte[]>(3),
                IsDelete: reader.GetInt64(4) != 0,
                Timestamp: new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero)));
        }
        return page;
    }

    public void Dispose()
    {
        _get?.Dispose();
        _rangeFrom?.Dispose();
        _rangeAfter?.Dispose();
        _historyFirst?.Dispose();
        _historyNext?.Dispose();
        _connection.Dispose();
    }

    private static VersionedValue ReadValue(SqliteDataReader reader, int first) => new(
        reader.GetFieldValue<byte[]>(first),
        new Version((ulong)reader.GetInt64(first + 2), (ulong)reader.GetInt64(first + 3)),
        reader.IsDBNull(first + 1) ? ReadOnlyMemory<byte>.Empty : reader.GetFieldValue<byte[]>(first + 1));

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        command.Prepare();
        return command;
    }
}
