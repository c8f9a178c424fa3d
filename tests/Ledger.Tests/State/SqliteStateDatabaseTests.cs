using System.Diagnostics;
using Microsoft.Data.Sqlite;
using ZonCoin.Ledger.State;
using ZonCoin.Ledger.State.Sqlite;
using Version = ZonCoin.Ledger.State.Version;

namespace ZonCoin.Ledger.Tests.State;

public sealed class SqliteStateDatabaseTests : StateDatabaseContractTests
{
    public SqliteStateDatabaseTests() : base(new SqliteStateDatabaseFactory())
    {
    }

    private string MainPath => ((SqliteStateDatabaseFactory)Factory).PathOf("main");

    /// <summary>A plain connection to a database file, outside the class under test.</summary>
    private static SqliteConnection Raw(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    [Fact]
    public void Rich_queries_throw_the_exact_query_exception_and_indexes_are_ignored()
    {
        const string Expected = "ExecuteQuery not supported for sqlite: rich queries (GetQueryResult) need a peer with the PostgreSQL state database (Peer:StateDatabase=postgres)";
        Put(1, ("a", "{\"owner\":\"tom\"}"));
        Assert.Equal(Expected, Assert.Throws<QueryException>(() => Db.ExecuteQuery(Ns, "{\"selector\":{}}")).Message);
        Assert.Equal(Expected, Assert.Throws<QueryException>(() => Db.ExecuteQueryPage(Ns, "{\"selector\":{}}", 10, "")).Message);
        Db.CreateIndexes(Ns, [StateIndexDefinition.Parse("i.json", "{\"index\":{\"fields\":[\"owner\"]},\"name\":\"i\"}")]);
        Assert.Equal("{\"owner\":\"tom\"}", S(Db.Get(Ns, "a")!.Value));
    }

    [Fact]
    public void The_file_is_in_wal_mode_with_a_versioned_schema()
    {
        Put(1, ("a", "1"));
        Assert.Equal("sqlite", Db.Name);
        Assert.False(Db.SupportsRichQueries);
        Db.Dispose();

        using var raw = Raw(MainPath);
        Assert.Equal("wal", Scalar(raw, "PRAGMA journal_mode;"));
        Assert.Equal(1L, Scalar(raw, "PRAGMA user_version;"));
        Assert.Equal(0x5A435344L, Scalar(raw, "PRAGMA application_id;"));
        Assert.Equal("ok", Scalar(raw, "PRAGMA integrity_check;"));
    }

    [Fact]
    public void Keys_are_stored_as_utf8_blobs()
    {
        Put(1, ("\0type\0é\0", "1"));
        Db.Dispose();

        using var raw = Raw(MainPath);
        Assert.Equal("blob", Scalar(raw, "SELECT typeof(key) FROM state;"));
        Assert.Equal("0074797065 00C3A9 00".Replace(" ", "", StringComparison.Ordinal), Scalar(raw, "SELECT hex(key) FROM state;"));
    }

    [Fact]
    public void A_second_opener_is_refused_until_the_first_closes()
    {
        _ = Db;
        var error = Assert.Throws<StateDatabaseException>(() => SqliteStateDatabase.Open(MainPath));
        Assert.Contains("already open", error.Message, StringComparison.Ordinal);

        Db.Dispose();
        using var again = SqliteStateDatabase.Open(MainPath);
        Assert.Null(again.Savepoint);
    }

    [Fact]
    public void A_newer_schema_or_a_foreign_sqlite_file_is_refused()
    {
        Put(1, ("a", "1"));
        Db.Dispose();
        using (var raw = Raw(MainPath))
        {
            Scalar(raw, "PRAGMA user_version = 99;");
        }
        var newer = Assert.Throws<StateDatabaseException>(() => SqliteStateDatabase.Open(MainPath));
        Assert.Contains("newer", newer.Message, StringComparison.Ordinal);

        var foreign = ((SqliteStateDatabaseFactory)Factory).PathOf("foreign");
        using (var raw = Raw(foreign))
        {
            Scalar(raw, "CREATE TABLE t (x);");
        }
        Assert.Throws<StateDatabaseException>(() => SqliteStateDatabase.Open(foreign));
    }

    [Fact]
    public void Reading_after_dispose_throws()
    {
        Put(1, ("a", "1"));
        Db.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Db.Get(Ns, "a"));
        Assert.Throws<ObjectDisposedException>(() => Put(2, ("a", "2")));
    }

    [Fact]
    public void Small_pages_enumerate_ranges_and_histories_whole()
    {
        using var factory = new SqliteStateDatabaseFactory(new SqliteStateDatabaseOptions { PageSize = 3, MaxIdleReaders = 1 });
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
        // Many enumerations at once: each holds its own connection.
        using var e1 = db.GetRange(Ns, "", "").GetEnumerator();
        using var e2 = db.GetRange(Ns, "", "").GetEnumerator();
        Assert.True(e1.MoveNext() && e2.MoveNext() && e2.MoveNext());
        Assert.Equal("k00", e1.Current.Key);
        Assert.Equal("k01", e2.Current.Key);
    }

    [Fact]
    public void A_transaction_abandoned_without_commit_leaves_nothing()
    {
        Put(1, ("a", "1"));
        Db.Dispose();

        // Write state and the savepoint in a transaction, then drop the connection without committing.
        var raw = Raw(MainPath);
        var transaction = raw.BeginTransaction();
        using (var command = raw.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO state VALUES ('token', X'62', X'31', NULL, 2, 0); UPDATE state SET value = X'39'; UPDATE savepoint SET block = 2;";
            command.ExecuteNonQuery();
        }
        raw.Dispose();

        var db = Reopen();
        Assert.Equal(new Version(1, 0), db.Savepoint);
        Assert.Null(db.Get(Ns, "b"));
        Assert.Equal("1", S(db.Get(Ns, "a")!.Value));
    }

    [Fact]
    public async Task A_process_killed_in_the_middle_of_a_block_loses_only_that_block()
    {
        var path = MainPath;
        using var child = Process.Start(new ProcessStartInfo(DotnetHost(), [typeof(Program).Assembly.Location, SqliteCrashHelper.Command, path])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        try
        {
            var stderr = child.StandardError.ReadToEndAsync();
            var line = await child.StandardOutput.ReadLineAsync().WaitAsync(Hang);
            if (line != "paused")
            {
                await child.WaitForExitAsync().WaitAsync(Hang);
                Assert.Fail($"{child.StartInfo.FileName} {string.Join(' ', child.StartInfo.ArgumentList)} said '{line}', exit code {child.ExitCode}, stderr: {await stderr}");
            }
            // The uncommitted half of block 4 is on disk in the WAL (the helper's page cache is tiny).
            Assert.True(new FileInfo(path + "-wal").Length > 0);
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync().WaitAsync(Hang);
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }
        }

        var db = Reopen();
        Assert.Equal(new Version(3, SqliteCrashHelper.KeysPerBlock - 1), db.Savepoint);
        Assert.Equal(SqliteCrashHelper.KeysPerBlock, db.GetRange(Ns, "", "").Count());
        Assert.StartsWith("b3", S(db.Get(Ns, "k0000")!.Value), StringComparison.Ordinal);
        Assert.Null(db.Get(Ns, $"k{SqliteCrashHelper.KeysPerBlock:D4}"));
        Assert.Equal(3, db.History.GetHistory(Ns, "k0000").Count());

        // The peer replays block 4 and goes on.
        db.ApplyBlock(4, SqliteCrashHelper.Block(4, SqliteCrashHelper.KeysInTornBlock));
        Assert.Equal(new Version(4, SqliteCrashHelper.KeysInTornBlock - 1), db.Savepoint);
        db.Dispose();
        using var raw = Raw(path);
        Assert.Equal("ok", Scalar(raw, "PRAGMA integrity_check;"));
    }

    [Fact]
    public void Blocks_of_500_transactions_apply_in_one_transaction_each()
    {
        // Not a timing test: checks that large blocks (500 tx x 2 writes, the peer's target shape) commit and read back.
        for (var block = 1UL; block <= 5; block++)
        {
            var batch = new UpdateBatch();
            for (var tx = 0; tx < 500; tx++)
            {
                foreach (var key in new[] { $"acct{tx:D4}", $"acct{(tx + 1) % 1000:D4}" })
                {
                    batch.Put(Ns, key, B($"{block}-{tx}"), new Version(block, (ulong)tx));
                    batch.AddHistory(Ns, key, Hist($"tx{block}-{tx}", block, (ulong)tx, $"{block}-{tx}"));
                }
            }
            batch.LastTxNumber = 499;
            Db.ApplyBlock(block, batch);
        }

        Assert.Equal(new Version(5, 499), Db.Savepoint);
        Assert.Equal(501, Db.GetRange(Ns, "", "").Count());
        Assert.Equal(10, Db.History.GetHistory(Ns, "acct0001").Count());
    }

    [Fact]
    public void The_wal_is_checkpointed_by_a_thread_of_its_own_not_by_commits()
    {
        // The writer's automatic checkpoint is out of reach, so only the background checkpoint can copy the WAL.
        using var factory = new SqliteStateDatabaseFactory(new SqliteStateDatabaseOptions { CheckpointInterval = TimeSpan.FromMilliseconds(20), CheckpointPages = 1_000_000 });
        var path = factory.PathOf("ckpt");
        using var db = (SqliteStateDatabase)factory.Open("ckpt");
        void Apply(ulong block)
        {
            var batch = new UpdateBatch();
            for (var i = 0; i < 20; i++)
            {
                batch.Put(Ns, $"k{i:D2}", B($"{block}"), new Version(block, 0));
                batch.AddHistory(Ns, $"k{i:D2}", Hist($"t{block}", block, 0, $"{block}"));
            }
            db.ApplyBlock(block, batch);
        }
        // The block the database file alone (a copy, without the WAL) holds.
        long? FileSavepoint()
        {
            var copy = path + ".copy";
            File.Copy(path, copy, overwrite: true);
            using var raw = Raw(copy);
            var tables = (long)Scalar(raw, "SELECT count(*) FROM sqlite_master WHERE name = 'savepoint';")!;
            return tables == 0 ? null : Scalar(raw, "SELECT block FROM savepoint WHERE id = 0;") as long?;
        }
        void WaitForFileSavepoint(long block)
        {
            var waited = Stopwatch.StartNew();
            while (FileSavepoint() != block && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                Thread.Sleep(10);
            }
            Assert.Equal(block, FileSavepoint());
        }

        for (var block = 1UL; block <= 3; block++)
        {
            Apply(block);
        }
        WaitForFileSavepoint(3);
        Assert.True(db.BackgroundCheckpoints > 0);
        using (var raw = Raw(path + ".copy"))
        {
            Assert.Equal("3", S((byte[])Scalar(raw, "SELECT value FROM state WHERE key = X'6B3139';")!));
        }

        Apply(4);
        WaitForFileSavepoint(4);
        Assert.Equal(new Version(4, 0), db.Savepoint);
        Assert.Equal("4", S(db.Get(Ns, "k19")!.Value));
    }

    /// <summary>The dotnet host: the one running this test when testhost runs under it, else the SDK's, else PATH's.</summary>
    private static string DotnetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }
        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    }
}
