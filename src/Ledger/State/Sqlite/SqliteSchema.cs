using Microsoft.Data.Sqlite;

namespace ZonCoin.Ledger.State.Sqlite;

/// <summary>
/// The schema of a SQLite state database and its migrations. <c>PRAGMA user_version</c> holds the schema version
/// (the number of migrations applied) and <c>PRAGMA application_id</c> marks the file as a ZonCoin state database.
/// Never edit a migration that has shipped: add the next one.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>"ZCSD".</summary>
    public const int ApplicationId = 0x5A435344;

    /// <summary>Migration i takes the schema from version i to i + 1.</summary>
    private static readonly string[] Migrations =
    [
        // 1: state, history, savepoint. Keys are BLOBs of UTF-8 bytes: BLOBs compare with memcmp, so ORDER BY key
        // is UTF-8 byte order, and composite keys with NULs are stored whole (TEXT would be cut at the NUL by
        // many SQLite functions). WITHOUT ROWID clusters rows by (ns, key), so a range is one B-tree walk.
        """
        CREATE TABLE state (
            ns       TEXT    NOT NULL,
            key      BLOB    NOT NULL,
            value    BLOB    NOT NULL,
            metadata BLOB,
            block    INTEGER NOT NULL,
            tx       INTEGER NOT NULL,
            PRIMARY KEY (ns, key)
        ) WITHOUT ROWID;
        CREATE TABLE history (
            ns        TEXT    NOT NULL,
            key       BLOB    NOT NULL,
            block     INTEGER NOT NULL,
            tx        INTEGER NOT NULL,
            tx_id     TEXT    NOT NULL,
            value     BLOB    NOT NULL,
            is_delete INTEGER NOT NULL,
            timestamp INTEGER NOT NULL,
            PRIMARY KEY (ns, key, block, tx)
        ) WITHOUT ROWID;
        CREATE TABLE savepoint (
            id    INTEGER PRIMARY KEY CHECK (id = 0),
            block INTEGER NOT NULL,
            tx    INTEGER NOT NULL
        );
        """,
    ];

    /// <summary>The schema version this code writes.</summary>
    public static int Version => Migrations.Length;

    /// <summary>Checks the file's identity and brings its schema up to <see cref="Version"/>, one transaction per migration.</summary>
    public static void Migrate(SqliteConnection connection, string path)
    {
        var applicationId = Convert.ToInt32(Scalar(connection, "PRAGMA application_id;"), System.Globalization.CultureInfo.InvariantCulture);
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
        if (applicationId == 0 && version == 0)
        {
            var tables = Convert.ToInt64(Scalar(connection, "SELECT count(*) FROM sqlite_schema;"), System.Globalization.CultureInfo.InvariantCulture);
            if (tables != 0)
            {
                throw new StateDatabaseException($"{path} is a SQLite database but not a ZonCoin state database.");
            }
        }
        else if (applicationId != ApplicationId)
        {
            throw new StateDatabaseException($"{path} is not a ZonCoin state database (application_id {applicationId:X8}).");
        }
        if (version > Version)
        {
            throw new StateDatabaseException($"{path} has state database schema version {version}, newer than this peer's {Version}; upgrade the peer.");
        }
        for (; version < Version; version++)
        {
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"{Migrations[version]}\nPRAGMA application_id = {ApplicationId};\nPRAGMA user_version = {version + 1};";
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    public static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
