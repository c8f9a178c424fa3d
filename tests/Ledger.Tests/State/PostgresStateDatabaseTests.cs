using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ZonCoin.Ledger.State;
using ZonCoin.Ledger.State.Postgres;
using ZonCoin.Ledger.Tests.Support;
using Version = ZonCoin.Ledger.State.Version;

namespace ZonCoin.Ledger.Tests.State;

[Collection(SharedPostgresServer.Name)]
public sealed class PostgresStateDatabaseTests : StateDatabaseContractTests
{
    private readonly PostgresServer _server;

    public PostgresStateDatabaseTests(PostgresServer server) : base(new PostgresStateDatabaseFactory(server))
    {
        _server = server;
    }

    private PostgresStateDatabaseFactory PgFactory => (PostgresStateDatabaseFactory)Factory;

    private string MainSchema => PostgresStateDatabaseFactory.PostgresSchemaName(PgFactory.ChannelOf("main"));

    /// <summary>A plain connection to the server, outside the class under test.</summary>
    private NpgsqlConnection Raw()
    {
        var connection = new NpgsqlConnection(_server.ConnectionString);
        connection.Open();
        return connection;
    }

    private static object? Scalar(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command.ExecuteScalar();
    }

    private string Table(string table) => $"\"{MainSchema}\".{table}";

    [Fact]
    public void The_channel_has_its_own_schema_with_a_version_and_bytea_keys()
    {
        Put(1, ("\0type\0é\0", "1"));
        Assert.Equal("postgres", Db.Name);
        Assert.True(Db.SupportsRichQueries);
        Assert.Equal(MainSchema, ((PostgresStateDatabase)Db).Schema);

        using var raw = Raw();
        Assert.Equal(1, Scalar(raw, $"SELECT version FROM {Table("zoncoin_schema")};"));
        Assert.Equal(PgFactory.ChannelOf("main"), Scalar(raw, $"SELECT channel_id FROM {Table("zoncoin_schema")};"));
        Assert.Equal("bytea", Scalar(raw, $"SELECT pg_typeof(key)::text FROM {Table("state")};"));
        Assert.Equal(new byte[] { 0, 0x74, 0x79, 0x70, 0x65, 0, 0xC3, 0xA9, 0 }, Scalar(raw, $"SELECT key FROM {Table("state")};"));
        Assert.Equal(1L, Scalar(raw, $"SELECT block FROM {Table("savepoint")};"));
    }

    [Fact]
    public void Reopening_migrates_nothing_and_keeps_the_data()
    {
        Put(1, ("a", "1"));
        long Objects()
        {
            using var raw = Raw();
            return (long)Scalar(raw, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = @s;", ("s", MainSchema))!;
        }
        var before = Objects();
        for (var i = 0; i < 3; i++)
        {
            Reopen();
        }
        Assert.Equal(before, Objects());
        Assert.Equal(new Version(1, 0), Db.Savepoint);
        Assert.Equal("1", S(Db.Get(Ns, "a")!.Value));
        using var raw = Raw();
        Assert.Equal(1, Scalar(raw, $"SELECT version FROM {Table("zoncoin_schema")};"));
    }

    [Fact]
    public void A_newer_schema_version_is_refused()
    {
        Put(1, ("a", "1"));
        Db.Dispose();
        using (var raw = Raw())
        {
            Scalar(raw, $"UPDATE {Table("zoncoin_schema")} SET version = 99;");
        }
        var error = Assert.Throws<StateDatabaseException>(() => Factory.Open("main"));
        Assert.Contains("schema version 99, newer than this peer's 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_schema_that_is_not_a_state_database_is_refused()
    {
        var schema = PostgresStateDatabaseFactory.PostgresSchemaName(PgFactory.ChannelOf("foreign"));
        using (var raw = Raw())
        {
            Scalar(raw, $"CREATE SCHEMA \"{schema}\"; CREATE TABLE \"{schema}\".t (x int);");
        }
        var error = Assert.Throws<StateDatabaseException>(() => Factory.Open("foreign"));
        Assert.Contains("not a ZonCoin state database", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_writer_is_refused_until_the_first_closes()
    {
        _ = Db;
        var error = Assert.Throws<StateDatabaseException>(() => Factory.Open("main"));
        Assert.Contains("already open", error.Message, StringComparison.Ordinal);

        Db.Dispose();
        using var again = Factory.Open("main");
        Assert.Null(again.Savepoint);
    }

    [Fact]
    public void A_second_writer_waits_out_the_grace_period_on_the_injected_clock()
    {
        _ = Db;
        var clock = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromSeconds(1) };
        var started = clock.GetUtcNow();
        var options = new PostgresStateDatabaseOptions { TimeProvider = clock };

        var error = Assert.Throws<StateDatabaseException>(() => PostgresStateDatabase.Open(PgFactory.Server.ConnectionString, PgFactory.ChannelOf("main"), options));

        Assert.Contains("already open by another writer", error.Message, StringComparison.Ordinal);
        // Refused only once the clock has passed the 3 s grace period (the clock moves 1 s each time it is read).
        Assert.InRange(clock.GetUtcNow() - started, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(7));
    }

    [Theory]
    [InlineData("a\"; DROP SCHEMA public CASCADE; --")]
    [InlineData("a'b")]
    [InlineData("Upper")]
    [InlineData("under_score")]
    [InlineData("1starts-with-digit")]
    [InlineData("spa ce")]
    [InlineData("")]
    public void Channel_ids_that_are_not_fabric_channel_ids_are_refused(string channel)
    {
        Assert.ThrowsAny<ArgumentException>(() => PostgresStateDatabase.Open(_server.ConnectionString, channel));
        using var raw = Raw();
        Assert.Equal(1L, Scalar(raw, "SELECT count(*) FROM pg_namespace WHERE nspname = 'public';"));
    }

    [Fact]
    public void Channel_ids_map_to_distinct_schemas_within_postgres_limits()
    {
        Assert.Equal("zc_my_pchannel_h1", PostgresSchema.SchemaName("my.channel-1"));
        Assert.NotEqual(PostgresSchema.SchemaName("a.b"), PostgresSchema.SchemaName("a-b"));
        var longId = PgFactory.Prefix + "-" + new string('x', 200);
        var longer = longId + "y";
        Assert.True(PostgresSchema.SchemaName(longId).Length <= 63);
        Assert.NotEqual(PostgresSchema.SchemaName(longId), PostgresSchema.SchemaName(longer));

        using var db = PgFactory.OpenPostgres(new string('x', 200));
        Apply(1, b => b.Put(Ns, "k", B("v"), new Version(1, 0)), db);
        Assert.Equal("v", S(db.Get(Ns, "k")!.Value));
    }

    [Fact]
    public void Json_objects_fill_the_jsonb_column_and_other_values_leave_it_null()
    {
        Put(1,
            ("object", """ {"color":"blue","size":5,"tags":["a","b"],"nested":{"x":1.5}}"""),
            ("array", "[1,2]"),
            ("string", "\"text\""),
            ("number", "42"),
            ("broken", "{\"a\":"),
            ("nul", """{"a":"x\u0000y"}"""),
            ("surrogate", """{"a":"\ud800"}"""),
            ("huge", """{"a":1e99999}"""),
            ("plain", "not json"));
        Apply(2, b => b.Put(Ns, "binary", new byte[] { 0x7B, 0xFF, 0xFE, 0x00 }, new Version(2, 0)));

        using var raw = Raw();
        string? Doc(string key) => Scalar(raw, $"SELECT doc::text FROM {Table("state")} WHERE ns = @ns AND key = @key;", ("ns", Ns), ("key", B(key))) as string;
        Assert.Equal("blue", Scalar(raw, $"SELECT doc->>'color' FROM {Table("state")} WHERE key = @key;", ("key", B("object"))));
        Assert.Equal(5, Convert.ToInt32(Scalar(raw, $"SELECT (doc->>'size')::int FROM {Table("state")} WHERE key = @key;", ("key", B("object"))), System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotNull(Doc("object"));
        foreach (var key in new[] { "array", "string", "number", "broken", "nul", "surrogate", "huge", "plain", "binary" })
        {
            Assert.Null(Doc(key));
            Assert.NotNull(Db.Get(Ns, key));
        }

        // A later non-JSON value clears the document; metadata writes leave it alone.
        Apply(3, b => b.Put(Ns, "object", B("now binary"), new Version(3, 0)));
        Assert.Null(Doc("object"));
        Apply(4, b => b.Put(Ns, "object", B("""{"v":2}"""), new Version(4, 0)));
        Apply(5, b => b.PutMetadata(Ns, "object", B("meta"), new Version(5, 0)));
        Assert.Equal("""{"v": 2}""", Doc("object"));
    }

    [Fact]
    public void A_connection_killed_in_the_middle_of_a_block_loses_only_that_block()
    {
        Apply(1, b =>
        {
            b.Put(Ns, "a", B("1"), new Version(1, 0));
            b.AddHistory(Ns, "a", Hist("t1", 1, 0, "1"));
        });

        var db = (PostgresStateDatabase)Db;
        var batch = new UpdateBatch();
        for (var i = 0; i < 5000; i++)
        {
            batch.Put(Ns, $"k{i:D4}", B("new"), new Version(2, (ulong)i));
        }
        batch.Put(Ns, "a", B("2"), new Version(2, 5000));
        batch.AddHistory(Ns, "a", Hist("t2", 2, 5000, "2"));
        // The server ends the writer's session with the block half written: as if the peer died there.
        Factory.OnNextApply(Db, 2000, () =>
        {
            using var raw = Raw();
            Assert.Equal(true, Scalar(raw, "SELECT pg_terminate_backend(@pid);", ("pid", db.WriterProcessId)));
        });
        Assert.Throws<StateDatabaseException>(() => Db.ApplyBlock(2, batch));

        for (var reopen = 0; reopen < 2; reopen++)
        {
            var database = reopen == 0 ? Db : Reopen();
            Assert.Equal(new Version(1, 0), database.Savepoint);
            Assert.Equal(["a"], RangeKeys("", "", database));
            Assert.Equal("1", S(database.Get(Ns, "a")!.Value));
            Assert.Equal(["t1"], database.History.GetHistory(Ns, "a").Select(h => h.TxId));
        }
        using (var raw = Raw())
        {
            Assert.Equal(1L, Scalar(raw, $"SELECT block FROM {Table("savepoint")};"));
            Assert.Equal(1L, Scalar(raw, $"SELECT count(*) FROM {Table("state")};"));
        }

        // The peer replays block 2 and goes on.
        Db.ApplyBlock(2, batch);
        Assert.Equal(new Version(2, 5000), Db.Savepoint);
        Assert.Equal(5001, Db.GetRange(Ns, "", "").Count());
    }

    [Fact]
    public void A_broken_writer_connection_is_replaced_on_the_next_block()
    {
        Put(1, ("a", "1"));
        var db = (PostgresStateDatabase)Db;
        using (var raw = Raw())
        {
            Scalar(raw, "SELECT pg_terminate_backend(@pid);", ("pid", db.WriterProcessId));
        }
        // The first block notices the dead session and fails; the next one reconnects.
        try
        {
            Put(2, ("a", "2"));
        }
        catch (StateDatabaseException)
        {
            Put(2, ("a", "2"));
        }
        Assert.Equal(new Version(2, 0), Db.Savepoint);
        Assert.Equal("2", S(Db.Get(Ns, "a")!.Value));
    }

    [Fact]
    public void Small_pages_enumerate_ranges_and_histories_whole()
    {
        using var factory = new PostgresStateDatabaseFactory(_server, new PostgresStateDatabaseOptions { PageSize = 3 });
        using var db = factory.Open("paged");
        var keys = Enumerable.Range(0, 20).Select(i => $"k{i:D2}").ToArray();
        for (var block = 1UL; block <= 4; block++)
        {
            var batch = new UpdateBatch();
            foreach (var key in keys)
            {
                batch.Put(Ns, key, B($"{block}"), new Version(block, 0));
                batch.AddHistory(Ns, key, Hist($"t{block}", block, 0, $"{block}"));
            }
            db.ApplyBlock(block, batch);
        }

        Assert.Equal(keys, db.GetRange(Ns, "", "").Select(e => e.Key));
        Assert.Equal(keys[3..9], db.GetRange(Ns, "k03", "k09").Select(e => e.Key));
        Assert.Equal(["t4", "t3", "t2", "t1"], db.History.GetHistory(Ns, "k07").Select(h => h.TxId));
        using var e1 = db.GetRange(Ns, "", "").GetEnumerator();
        using var e2 = db.GetRange(Ns, "", "").GetEnumerator();
        Assert.True(e1.MoveNext() && e2.MoveNext() && e2.MoveNext());
        Assert.Equal("k00", e1.Current.Key);
        Assert.Equal("k01", e2.Current.Key);
    }

    [Fact]
    public void Drop_deletes_a_closed_channel_database_and_nothing_else()
    {
        Put(1, ("a", "1"));
        var channel = PgFactory.ChannelOf("main");
        var error = Assert.Throws<StateDatabaseException>(() => PostgresStateDatabase.Drop(_server.ConnectionString, channel));
        Assert.Contains("is open", error.Message, StringComparison.Ordinal);

        Db.Dispose();
        PostgresStateDatabase.Drop(_server.ConnectionString, channel);
        PostgresStateDatabase.Drop(_server.ConnectionString, channel);
        var db = Reopen();
        Assert.Null(db.Savepoint);
        Assert.Null(db.Get(Ns, "a"));

        // A schema of the same name that is not a state database is left alone.
        var foreign = PostgresStateDatabaseFactory.PostgresSchemaName(PgFactory.ChannelOf("foreign"));
        using var raw = Raw();
        Scalar(raw, $"CREATE SCHEMA \"{foreign}\"; CREATE TABLE \"{foreign}\".t (x int);");
        PostgresStateDatabase.Drop(_server.ConnectionString, PgFactory.ChannelOf("foreign"));
        Assert.Equal(1L, Scalar(raw, "SELECT count(*) FROM pg_namespace WHERE nspname = @s;", ("s", foreign)));
        Scalar(raw, $"DROP SCHEMA \"{foreign}\" CASCADE;");
    }

    [Fact]
    public void Blocks_of_500_transactions_apply_in_one_transaction_each()
    {
        // Not a timing test: large blocks (500 tx x 2 writes, the peer's target shape) go in a few statements each.
        for (var block = 1UL; block <= 5; block++)
        {
            var batch = new UpdateBatch();
            for (var tx = 0; tx < 500; tx++)
            {
                foreach (var key in new[] { $"acct{tx:D4}", $"acct{(tx + 1) % 1000:D4}" })
                {
                    batch.Put(Ns, key, B($$"""{"owner":"o{{tx}}","balance":{{block}}}"""), new Version(block, (ulong)tx));
                    batch.AddHistory(Ns, key, Hist($"tx{block}-{tx}", block, (ulong)tx, $"{block}-{tx}"));
                }
            }
            batch.LastTxNumber = 499;
            Db.ApplyBlock(block, batch);
        }

        Assert.Equal(new Version(5, 499), Db.Savepoint);
        Assert.Equal(501, Db.GetRange(Ns, "", "").Count());
        Assert.Equal(10, Db.History.GetHistory(Ns, "acct0001").Count());
        using var raw = Raw();
        Assert.Equal(501L, Scalar(raw, $"SELECT count(*) FROM {Table("state")} WHERE (doc->>'balance')::int = 5;"));
    }

    [Fact]
    public void Reading_after_dispose_throws()
    {
        Put(1, ("a", "1"));
        Db.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Db.Get(Ns, "a"));
        Assert.Throws<ObjectDisposedException>(() => Put(2, ("a", "2")));
    }
}
