using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace ZonCoin.Ledger.State.Postgres;

/// <summary>
/// The schema of a channel's PostgreSQL state database and its migrations. Each channel has its own PostgreSQL
/// schema (see <see cref="SchemaName"/>); its table <c>zoncoin_schema</c> holds the channel id and the schema version
/// (the number of migrations applied). Never edit a migration that has shipped: add the next one.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>PostgreSQL cuts identifiers at 63 bytes (NAMEDATALEN - 1).</summary>
    private const int MaxIdentifierBytes = 63;

    private const string Prefix = "zc_";

    /// <summary>
    /// Migration i takes the schema from version i to i + 1. Each is run with <c>{0}</c> replaced by the quoted
    /// schema name (an identifier cannot be a parameter; the name is derived from a validated channel id and quoted).
    /// </summary>
    private static readonly string[] Migrations =
    [
        // 1: state, history, savepoint. Keys are bytea holding the key's UTF-8 bytes, not text: bytea compares
        // byte by byte (memcmp, then the shorter first), which is exactly Go's bytes.Compare, so ORDER BY key is
        // Fabric's order whatever the database's collation; and PostgreSQL text cannot hold NUL, which starts every
        // composite key. Namespaces are text (compared for equality only; NUL is refused by UpdateBatch).
        // doc is the value parsed as jsonb when the value is a JSON object (for rich queries), NULL otherwise.
        // History timestamps are .NET ticks (100 ns), as in the SQLite database: timestamptz keeps only
        // microseconds, and peers on either database must return the same GetHistoryForKey answers.
        """
        CREATE TABLE {0}.state (
            ns       text   NOT NULL,
            key      bytea  NOT NULL,
            value    bytea  NOT NULL,
            doc      jsonb,
            metadata bytea,
            block    bigint NOT NULL,
            tx       bigint NOT NULL,
            PRIMARY KEY (ns, key)
        );
        CREATE TABLE {0}.history (
            ns              text    NOT NULL,
            key             bytea   NOT NULL,
            block           bigint  NOT NULL,
            tx              bigint  NOT NULL,
            tx_id           text    NOT NULL,
            value           bytea   NOT NULL,
            is_delete       boolean NOT NULL,
            timestamp_ticks bigint  NOT NULL,
            PRIMARY KEY (ns, key, block, tx)
        );
        CREATE TABLE {0}.savepoint (
            id    integer PRIMARY KEY CHECK (id = 0),
            block bigint NOT NULL,
            tx    bigint NOT NULL
        );
        """,
    ];

    /// <summary>The schema version this code writes.</summary>
    public static int Version => Migrations.Length;

    /// <summary>
    /// Throws unless <paramref name="channelId"/> is a Fabric channel id: <c>[a-z][a-z0-9.-]*</c>, under 250
    /// characters. This is what keeps quotes, semicolons and other SQL out of the derived schema name.
    /// </summary>
    public static void CheckChannelId(string channelId)
    {
        ArgumentException.ThrowIfNullOrEmpty(channelId);
        var valid = channelId.Length < 250 && channelId[0] is >= 'a' and <= 'z';
        foreach (var c in channelId)
        {
            valid &= c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-';
        }
        if (!valid)
        {
            throw new ArgumentException($"'{channelId}' is not a valid channel id: it must match [a-z][a-z0-9.-]* and be shorter than 250 characters.", nameof(channelId));
        }
    }

    /// <summary>
    /// The PostgreSQL schema of a channel: <c>zc_</c> plus the channel id with <c>.</c> written <c>_p</c> and
    /// <c>-</c> written <c>_h</c> (one-to-one, since channel ids have no <c>_</c>). A name longer than PostgreSQL's
    /// 63 bytes keeps its first 40 characters plus <c>_</c> and 16 hex digits of the channel id's SHA-256; the
    /// channel id stored in the schema catches the (unlikely) collision.
    /// </summary>
    public static string SchemaName(string channelId)
    {
        CheckChannelId(channelId);
        var mapped = Prefix + channelId.Replace(".", "_p", StringComparison.Ordinal).Replace("-", "_h", StringComparison.Ordinal);
        if (mapped.Length <= MaxIdentifierBytes)
        {
            return mapped;
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(channelId)))[..16];
        return mapped[..40] + "_" + hash;
    }

    /// <summary>
    /// Creates the channel's schema if needed and brings it up to <see cref="Version"/>, in one transaction under an
    /// advisory lock (so two peers opening at once do not both migrate).
    /// </summary>
    /// <exception cref="StateDatabaseException">The schema belongs to another channel, is not a state database,
    /// or has a newer schema version.</exception>
    public static void Migrate(NpgsqlConnection connection, string channelId, string schema)
    {
        var quoted = Quote(schema);
        using var transaction = connection.BeginTransaction();
        using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('zoncoin-statedb-migrate'), hashtext(@schema));", connection, transaction))
        {
            command.Parameters.AddWithValue("schema", schema);
            command.ExecuteNonQuery();
        }
        bool schemaExists;
        bool tableExists;
        long otherTables;
        using (var command = new NpgsqlCommand(
            """
            SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @schema),
                   EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = @schema AND tablename = 'zoncoin_schema'),
                   (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = @schema);
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("schema", schema);
            using var reader = command.ExecuteReader();
            reader.Read();
            schemaExists = reader.GetBoolean(0);
            tableExists = reader.GetBoolean(1);
            otherTables = reader.GetInt64(2);
        }
        var version = 0;
        if (tableExists)
        {
            using var command = new NpgsqlCommand($"SELECT channel_id, version FROM {quoted}.zoncoin_schema WHERE id = 0;", connection, transaction);
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                throw new StateDatabaseException($"The PostgreSQL schema {schema} has an empty zoncoin_schema table; it is not a usable state database.");
            }
            var owner = reader.GetString(0);
            version = reader.GetInt32(1);
            if (owner != channelId)
            {
                throw new StateDatabaseException($"The PostgreSQL schema {schema} holds the state database of channel '{owner}', not '{channelId}'.");
            }
        }
        else if (schemaExists && otherTables != 0)
        {
            throw new StateDatabaseException($"The PostgreSQL schema {schema} exists but is not a ZonCoin state database.");
        }
        if (version > Version)
        {
            throw new StateDatabaseException($"The state database of channel '{channelId}' (PostgreSQL schema {schema}) has schema version {version}, newer than this peer's {Version}; upgrade the peer.");
        }
        if (version == Version)
        {
            transaction.Commit();
            return;
        }
        if (!tableExists)
        {
            using var create = new NpgsqlCommand(
                $"""
                CREATE SCHEMA IF NOT EXISTS {quoted};
                CREATE TABLE {quoted}.zoncoin_schema (
                    id         integer PRIMARY KEY CHECK (id = 0),
                    channel_id text    NOT NULL,
                    version    integer NOT NULL
                );
                INSERT INTO {quoted}.zoncoin_schema (id, channel_id, version) VALUES (0, @channel, 0);
                """, connection, transaction);
            create.Parameters.AddWithValue("channel", channelId);
            create.ExecuteNonQuery();
        }
        for (; version < Version; version++)
        {
            using var migrate = new NpgsqlCommand(string.Format(CultureInfo.InvariantCulture, Migrations[version], quoted), connection, transaction);
            migrate.ExecuteNonQuery();
        }
        using (var update = new NpgsqlCommand($"UPDATE {quoted}.zoncoin_schema SET version = @version WHERE id = 0;", connection, transaction))
        {
            update.Parameters.AddWithValue("version", Version);
            update.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    /// <summary>An identifier quoted for SQL by Npgsql (double quotes, embedded quotes doubled).</summary>
    public static string Quote(string identifier)
    {
        using var builder = new NpgsqlCommandBuilder();
        return builder.QuoteIdentifier(identifier);
    }
}
