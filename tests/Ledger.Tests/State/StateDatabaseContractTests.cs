using System.Text;
using ZonCoin.Ledger.History;
using ZonCoin.Ledger.State;
using Version = ZonCoin.Ledger.State.Version;

namespace ZonCoin.Ledger.Tests.State;

/// <summary>
/// The behaviour every <see cref="IStateDatabase"/> must have (STYLE habit 2). Derive one class per implementation
/// and pass its factory; implementation-specific tests go in the derived class.
/// </summary>
public abstract class StateDatabaseContractTests : IDisposable
{
    protected const string Ns = "token";

    /// <summary>A safety net so a broken implementation fails instead of hanging; never a timing assertion.</summary>
    protected static readonly TimeSpan Hang = TimeSpan.FromMinutes(2);

    /// <summary>Microsecond-aligned (every implementation keeps at least microseconds).</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private IStateDatabase? _db;

    protected StateDatabaseContractTests(IStateDatabaseFactory factory)
    {
        Factory = factory;
    }

    protected IStateDatabaseFactory Factory { get; }

    /// <summary>The database under test ("main"), opened on first use.</summary>
    protected IStateDatabase Db => _db ??= Factory.Open("main");

    public void Dispose()
    {
        _db?.Dispose();
        Factory.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes and reopens the database under test.</summary>
    protected IStateDatabase Reopen()
    {
        _db?.Dispose();
        _db = Factory.Open("main");
        return _db;
    }

    protected static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    protected static string S(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    protected static HistoryEntry Hist(string txId, ulong block, ulong tx, string? value, int seconds = 0) =>
        new(txId, block, tx, value is null ? ReadOnlyMemory<byte>.Empty : B(value), value is null, T0.AddSeconds(seconds));

    /// <summary>Applies a block built by <paramref name="fill"/>.</summary>
    protected void Apply(ulong block, Action<UpdateBatch> fill, IStateDatabase? db = null)
    {
        var batch = new UpdateBatch();
        fill(batch);
        (db ?? Db).ApplyBlock(block, batch);
    }

    /// <summary>Applies block <paramref name="block"/> putting each key = value at tx 0, 1, 2, ...</summary>
    protected void Put(ulong block, params (string Key, string Value)[] writes) => Apply(block, batch =>
    {
        for (var i = 0; i < writes.Length; i++)
        {
            batch.Put(Ns, writes[i].Key, B(writes[i].Value), new Version(block, (ulong)i));
        }
    });

    protected List<string> RangeKeys(string start, string end, IStateDatabase? db = null) =>
        [.. (db ?? Db).GetRange(Ns, start, end).Select(e => e.Key)];

    private static int CompareUtf8(string a, string b) => B(a).AsSpan().SequenceCompareTo(B(b));

    // ---- get / put / delete / versions ----

    [Fact]
    public void A_new_database_is_empty()
    {
        Assert.Null(Db.Savepoint);
        Assert.Null(Db.Get(Ns, "missing"));
        Assert.Empty(Db.GetRange(Ns, "", ""));
        Assert.Empty(Db.GetMany(Ns, ["a", "b"]));
        Assert.Empty(Db.History.GetHistory(Ns, "a"));
        Assert.False(string.IsNullOrEmpty(Db.Name));
    }

    [Fact]
    public void Put_then_get_returns_value_version_and_no_metadata()
    {
        Put(0, ("a", "1"), ("b", "2"));

        var a = Db.Get(Ns, "a")!;
        Assert.Equal("1", S(a.Value));
        Assert.Equal(new Version(0, 0), a.Version);
        Assert.True(a.Metadata.IsEmpty);
        Assert.Equal(new Version(0, 1), Db.Get(Ns, "b")!.Version);
    }

    [Fact]
    public void An_update_replaces_the_value_and_version()
    {
        Put(1, ("a", "1"));
        Apply(2, b => b.Put(Ns, "a", B("2"), new Version(2, 7)));

        var a = Db.Get(Ns, "a")!;
        Assert.Equal("2", S(a.Value));
        Assert.Equal(new Version(2, 7), a.Version);
    }

    [Fact]
    public void A_delete_removes_the_key_everywhere()
    {
        Put(1, ("a", "1"), ("b", "2"), ("c", "3"));
        Apply(2, b => b.Delete(Ns, "b", new Version(2, 0)));

        Assert.Null(Db.Get(Ns, "b"));
        Assert.Equal(["a", "c"], RangeKeys("", ""));
        Assert.Equal(["a", "c"], Db.GetMany(Ns, ["a", "b", "c"]).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Deleting_a_missing_key_is_harmless()
    {
        Apply(1, b => b.Delete(Ns, "never", new Version(1, 0)));
        Assert.Null(Db.Get(Ns, "never"));
        Assert.Equal(new Version(1, 0), Db.Savepoint);
    }

    [Fact]
    public void Empty_and_binary_values_round_trip()
    {
        byte[] binary = [0, 255, 1, 0, 128];
        Apply(1, b =>
        {
            b.Put(Ns, "empty", ReadOnlyMemory<byte>.Empty, new Version(1, 0));
            b.Put(Ns, "binary", binary, new Version(1, 1));
            b.Put(Ns, "slice", new ReadOnlyMemory<byte>(binary, 1, 3), new Version(1, 2));
        });

        Assert.True(Db.Get(Ns, "empty")!.Value.IsEmpty);
        Assert.Equal(binary, Db.Get(Ns, "binary")!.Value.ToArray());
        Assert.Equal([255, 1, 0], Db.Get(Ns, "slice")!.Value.ToArray());
    }

    [Fact]
    public void Namespaces_are_separate()
    {
        Apply(1, b =>
        {
            b.Put("cc1", "k", B("one"), new Version(1, 0));
            b.Put("cc2", "k", B("two"), new Version(1, 1));
            b.Put("_lifecycle", "namespaces/fields/cc1/Sequence", B("1"), new Version(1, 2));
        });

        Assert.Equal("one", S(Db.Get("cc1", "k")!.Value));
        Assert.Equal("two", S(Db.Get("cc2", "k")!.Value));
        Assert.Null(Db.Get("cc3", "k"));
        Assert.Single(Db.GetRange("cc1", "", ""));
        Assert.Single(Db.GetRange("_lifecycle", "", ""));
    }

    [Fact]
    public void GetMany_returns_only_the_existing_keys()
    {
        Put(1, ("a", "1"), ("b", "2"), ("c", "3"));

        var found = Db.GetMany(Ns, ["c", "a", "x", "a", "\0comp\0x\0"]);

        Assert.Equal(2, found.Count);
        Assert.Equal("1", S(found["a"].Value));
        Assert.Equal(new Version(1, 2), found["c"].Version);
        Assert.False(found.ContainsKey("x"));
        Assert.Empty(Db.GetMany(Ns, []));
    }

    [Fact]
    public void Invalid_arguments_are_refused()
    {
        var batch = new UpdateBatch();
        Assert.ThrowsAny<ArgumentException>(() => batch.Put(Ns, "", B("v"), new Version(1, 0)));
        Assert.ThrowsAny<ArgumentException>(() => batch.Put("", "k", B("v"), new Version(1, 0)));
        Assert.ThrowsAny<ArgumentException>(() => batch.Put(Ns, "lone\uD800surrogate", B("v"), new Version(1, 0)));
        Assert.ThrowsAny<ArgumentException>(() => Db.Get(Ns, "lone\uDC00"));
    }

    // ---- range queries and ordering ----

    [Fact]
    public void Range_start_is_inclusive_end_is_exclusive()
    {
        Put(1, ("a", "1"), ("b", "2"), ("c", "3"), ("d", "4"));

        Assert.Equal(["b", "c"], RangeKeys("b", "d"));
        Assert.Equal(["b", "c", "d"], RangeKeys("b", ""));
        Assert.Equal(["a", "b"], RangeKeys("", "c"));
        Assert.Equal(["a", "b", "c", "d"], RangeKeys("", ""));
        Assert.Equal(["b", "c", "d"], RangeKeys("aa", "zz"));
        Assert.Empty(RangeKeys("c", "c"));
        Assert.Empty(RangeKeys("d", "a"));
        Assert.Empty(RangeKeys("e", ""));
    }

    [Fact]
    public void Range_returns_values_and_versions()
    {
        Put(1, ("a", "1"), ("b", "2"));
        var entries = Db.GetRange(Ns, "", "").ToList();
        Assert.Equal("2", S(entries[1].Value.Value));
        Assert.Equal(new Version(1, 1), entries[1].Value.Version);
    }

    [Fact]
    public void Keys_are_ordered_by_utf8_bytes_not_dotnet_string_order()
    {
        // .NET ordinal order puts U+1F600 (surrogates D83D DE00) before U+E000 and U+FFFD; UTF-8 order puts it after.
        string[] keys =
        [
            "\0type\0a\0", "\0type\0a\0x\0", "\0type\0b\0", "\u0001", "\u0001\u0001", "A", "Z", "a", "a\0", "ab",
            "\u007F", "\u0080", "é", "\u07FF", "\u0800", "\uD7FF", "\uE000", "\uFFFD", "\uFFFF", "😀", "\U0010FFFF", "\U0010FFFFz",
        ];
        var shuffled = keys.OrderBy(k => k.GetHashCode(StringComparison.Ordinal)).ToArray();
        Put(1, [.. shuffled.Select(k => (k, "v"))]);

        var expected = keys.Order(Comparer<string>.Create(CompareUtf8)).ToList();
        Assert.NotEqual(keys.Order(StringComparer.Ordinal).ToList(), expected);
        Assert.Equal(expected, RangeKeys("", ""));
        Assert.Equal(expected.Where(k => CompareUtf8(k, "\uE000") >= 0 && CompareUtf8(k, "😀") < 0), RangeKeys("\uE000", "😀"));
        foreach (var key in keys)
        {
            Assert.Equal("v", S(Db.Get(Ns, key)!.Value));
        }
    }

    [Fact]
    public void Composite_key_prefix_ranges_end_at_prefix_plus_max_rune()
    {
        Put(1,
            ("\0color~name\0blue\0car1\0", "1"),
            ("\0color~name\0blue\0car2\0", "2"),
            ("\0color~name\0blue\0\U0001F697\0", "3"),
            ("\0color~name\0bluegreen\0car3\0", "4"),
            ("\0color~name\0red\0car4\0", "5"),
            ("\0owner\0blue\0x\0", "6"),
            ("\u0001plain", "7"),
            ("plain", "8"));

        var prefix = "\0color~name\0blue\0";
        Assert.Equal(["\0color~name\0blue\0car1\0", "\0color~name\0blue\0car2\0", "\0color~name\0blue\0\U0001F697\0"], RangeKeys(prefix, prefix + "\U0010FFFF"));
        var type = "\0color~name\0";
        Assert.Equal(5, RangeKeys(type, type + "\U0010FFFF").Count);
        // Fabric's shim sends "\x01" for an empty start, which skips composite keys.
        Assert.Equal(["\u0001plain", "plain"], RangeKeys("\u0001", ""));
        Assert.Equal(8, RangeKeys("", "").Count);
    }

    [Fact]
    public void Ranges_page_lazily_across_many_keys_from_one_snapshot()
    {
        const int Count = 2500;
        Apply(1, b =>
        {
            for (var i = 0; i < Count; i++)
            {
                b.Put(Ns, $"k{i:D5}", B($"v{i}"), new Version(1, (ulong)i));
            }
        });

        var all = Db.GetRange(Ns, "", "").ToList();
        Assert.Equal(Count, all.Count);
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"k{i:D5}"), all.Select(e => e.Key));
        Assert.Equal($"v{Count - 1}", S(all[^1].Value.Value));
        Assert.Equal(["k01000", "k01001"], RangeKeys("k01000", "k01002"));

        // Stop early: the enumerator releases its connection, later commits work.
        Assert.Equal(3, Db.GetRange(Ns, "k00010", "").Take(3).Count());

        // Start enumerating, then commit a block that deletes every key: the enumeration keeps its snapshot.
        using (var enumerator = Db.GetRange(Ns, "", "").GetEnumerator())
        {
            Assert.True(enumerator.MoveNext());
            Apply(2, b =>
            {
                for (var i = 0; i < Count; i++)
                {
                    b.Delete(Ns, $"k{i:D5}", new Version(2, (ulong)i));
                }
            });
            var seen = 1;
            while (enumerator.MoveNext())
            {
                seen++;
            }
            Assert.Equal(Count, seen);
        }
        Assert.Empty(Db.GetRange(Ns, "", ""));
    }

    // ---- batches ----

    [Fact]
    public void The_last_write_of_a_key_in_a_batch_wins()
    {
        Put(1, ("put-put", "0"), ("put-delete", "0"), ("delete-put", "0"));
        Apply(2, b =>
        {
            b.Put(Ns, "put-put", B("first"), new Version(2, 0));
            b.Put(Ns, "put-delete", B("first"), new Version(2, 0));
            b.Delete(Ns, "delete-put", new Version(2, 0));
            b.Put(Ns, "put-put", B("second"), new Version(2, 3));
            b.Delete(Ns, "put-delete", new Version(2, 3));
            b.Put(Ns, "delete-put", B("again"), new Version(2, 3));
            b.Put(Ns, "new-delete", B("x"), new Version(2, 1));
            b.Delete(Ns, "new-delete", new Version(2, 4));
        });

        Assert.Equal("second", S(Db.Get(Ns, "put-put")!.Value));
        Assert.Equal(new Version(2, 3), Db.Get(Ns, "put-put")!.Version);
        Assert.Null(Db.Get(Ns, "put-delete"));
        Assert.Equal("again", S(Db.Get(Ns, "delete-put")!.Value));
        Assert.Null(Db.Get(Ns, "new-delete"));
    }

    [Fact]
    public void Every_version_in_a_batch_must_belong_to_the_block()
    {
        Assert.Throws<ArgumentException>(() => Apply(3, b => b.Put(Ns, "a", B("1"), new Version(2, 0))));
        Assert.Throws<ArgumentException>(() => Apply(3, b => b.AddHistory(Ns, "a", Hist("t", 4, 0, "1"))));
        Assert.Null(Db.Savepoint);
        Assert.Null(Db.Get(Ns, "a"));
    }

    // ---- metadata ----

    [Fact]
    public void Metadata_is_set_kept_by_puts_replaced_and_removed()
    {
        Put(1, ("a", "1"));
        Apply(2, b => b.PutMetadata(Ns, "a", B("policy-1"), new Version(2, 4)));
        var a = Db.Get(Ns, "a")!;
        Assert.Equal("policy-1", S(a.Metadata));
        Assert.Equal("1", S(a.Value));
        Assert.Equal(new Version(2, 4), a.Version);

        Put(3, ("a", "2"));
        a = Db.Get(Ns, "a")!;
        Assert.Equal("2", S(a.Value));
        Assert.Equal("policy-1", S(a.Metadata));

        Apply(4, b => b.PutMetadata(Ns, "a", B("policy-2"), new Version(4, 0)));
        Assert.Equal("policy-2", S(Db.Get(Ns, "a")!.Metadata));
        Assert.Equal("policy-2", S(Db.GetRange(Ns, "", "").Single().Value.Metadata));
        Assert.Equal("policy-2", S(Db.GetMany(Ns, ["a"])["a"].Metadata));

        Apply(5, b => b.PutMetadata(Ns, "a", ReadOnlyMemory<byte>.Empty, new Version(5, 1)));
        a = Db.Get(Ns, "a")!;
        Assert.True(a.Metadata.IsEmpty);
        Assert.Equal("2", S(a.Value));
        Assert.Equal(new Version(5, 1), a.Version);
    }

    [Fact]
    public void Metadata_of_a_missing_or_deleted_key_is_ignored()
    {
        Put(1, ("gone", "1"));
        Apply(2, b =>
        {
            b.PutMetadata(Ns, "never", B("m"), new Version(2, 0));
            b.Delete(Ns, "gone", new Version(2, 1));
            b.PutMetadata(Ns, "gone", B("m"), new Version(2, 2));
        });

        Assert.Null(Db.Get(Ns, "never"));
        Assert.Null(Db.Get(Ns, "gone"));
        Assert.Empty(Db.GetRange(Ns, "", ""));
    }

    [Fact]
    public void Metadata_and_puts_in_one_batch_merge()
    {
        Put(1, ("old", "1"), ("recreated", "1"));
        Apply(2, b => b.PutMetadata(Ns, "recreated", B("m-old"), new Version(2, 0)));
        Apply(3, b =>
        {
            // The same tx writes a new key and its metadata (either order).
            b.PutMetadata(Ns, "new", B("m-new"), new Version(3, 0));
            b.Put(Ns, "new", B("v"), new Version(3, 0));
            // Metadata, then a later tx's put keeps it.
            b.PutMetadata(Ns, "old", B("m1"), new Version(3, 1));
            b.Put(Ns, "old", B("2"), new Version(3, 2));
            // A delete then a put: the new key starts without metadata.
            b.Delete(Ns, "recreated", new Version(3, 1));
            b.Put(Ns, "recreated", B("2"), new Version(3, 2));
        });

        Assert.Equal("m-new", S(Db.Get(Ns, "new")!.Metadata));
        Assert.Equal("m1", S(Db.Get(Ns, "old")!.Metadata));
        Assert.Equal(new Version(3, 2), Db.Get(Ns, "old")!.Version);
        Assert.True(Db.Get(Ns, "recreated")!.Metadata.IsEmpty);
    }

    [Fact]
    public void A_delete_removes_metadata()
    {
        Apply(1, b =>
        {
            b.Put(Ns, "a", B("1"), new Version(1, 0));
            b.PutMetadata(Ns, "a", B("m"), new Version(1, 0));
        });
        Apply(2, b => b.Delete(Ns, "a", new Version(2, 0)));
        Put(3, ("a", "again"));

        Assert.True(Db.Get(Ns, "a")!.Metadata.IsEmpty);
    }

    // ---- history ----

    [Fact]
    public void History_is_newest_first_with_deletes_and_timestamps()
    {
        Apply(1, b =>
        {
            b.Put(Ns, "a", B("1"), new Version(1, 0));
            b.AddHistory(Ns, "a", Hist("tx-a1", 1, 0, "1", seconds: 1));
            b.Put(Ns, "b", B("x"), new Version(1, 1));
            b.AddHistory(Ns, "b", Hist("tx-b1", 1, 1, "x", seconds: 1));
        });
        Apply(2, b =>
        {
            b.Put(Ns, "a", B("2"), new Version(2, 0));
            b.AddHistory(Ns, "a", Hist("tx-a2", 2, 0, "2", seconds: 2));
            b.Delete(Ns, "a", new Version(2, 3));
            b.AddHistory(Ns, "a", Hist("tx-a3", 2, 3, null, seconds: 3));
        });
        Apply(3, b =>
        {
            b.Put(Ns, "a", B("4"), new Version(3, 0));
            b.AddHistory(Ns, "a", new HistoryEntry("tx-a4", 3, 0, B("4"), false, T0.AddSeconds(4).AddTicks(10).ToOffset(TimeSpan.FromHours(2))));
        });

        var history = Db.History.GetHistory(Ns, "a").ToList();

        Assert.Equal(["tx-a4", "tx-a3", "tx-a2", "tx-a1"], history.Select(h => h.TxId));
        Assert.Equal(["4", "", "2", "1"], history.Select(h => S(h.Value)));
        Assert.Equal([false, true, false, false], history.Select(h => h.IsDelete));
        Assert.Equal([(3UL, 0UL), (2, 3), (2, 0), (1, 0)], history.Select(h => (h.BlockNumber, h.TxNumber)));
        Assert.Equal(T0.AddSeconds(4).AddTicks(10), history[0].Timestamp);
        Assert.Equal(T0.AddSeconds(3), history[1].Timestamp);
        Assert.Equal(["tx-b1"], Db.History.GetHistory(Ns, "b").Select(h => h.TxId));
        Assert.Empty(Db.History.GetHistory("other", "a"));
    }

    [Fact]
    public void Long_histories_page_in_order()
    {
        const int Count = 700;
        Apply(1, b =>
        {
            for (var tx = 0; tx < Count; tx++)
            {
                b.Put(Ns, "hot", B($"v{tx}"), new Version(1, (ulong)tx));
                b.AddHistory(Ns, "hot", Hist($"tx{tx}", 1, (ulong)tx, $"v{tx}"));
            }
        });

        var history = Db.History.GetHistory(Ns, "hot").ToList();

        Assert.Equal(Enumerable.Range(0, Count).Reverse().Select(tx => $"tx{tx}"), history.Select(h => h.TxId));
        Assert.Equal($"v{Count - 1}", S(Db.Get(Ns, "hot")!.Value));
    }

    // ---- savepoint, ordering of blocks, atomicity ----

    [Fact]
    public void The_savepoint_is_the_last_block_and_its_last_tx_and_survives_reopen()
    {
        Put(0, ("a", "1"));
        Assert.Equal(new Version(0, 0), Db.Savepoint);

        Apply(1, b =>
        {
            b.Put(Ns, "a", B("2"), new Version(1, 2));
            b.LastTxNumber = 9;
        });
        Assert.Equal(new Version(1, 9), Db.Savepoint);

        Apply(2, b => b.Put(Ns, "b", B("1"), new Version(2, 5)));
        Assert.Equal(new Version(2, 5), Db.Savepoint);

        // An empty block (a config block, or every tx invalid) still moves the savepoint.
        Apply(3, _ => { });
        Assert.Equal(new Version(3, 0), Db.Savepoint);

        var reopened = Reopen();
        Assert.Equal(new Version(3, 0), reopened.Savepoint);
        Assert.Equal("2", S(reopened.Get(Ns, "a")!.Value));
        Assert.Equal(new Version(2, 5), reopened.Get(Ns, "b")!.Version);
    }

    [Fact]
    public void An_already_applied_block_is_refused_and_changes_nothing()
    {
        Put(4, ("a", "1"));
        Put(5, ("a", "2"));

        var again = Assert.Throws<StateDatabaseException>(() => Put(5, ("a", "3")));
        Assert.Equal(new Version(5, 0), again.Savepoint);
        Assert.Contains("already applied", again.Message, StringComparison.Ordinal);
        Assert.Throws<StateDatabaseException>(() => Put(2, ("a", "4")));

        Assert.Equal("2", S(Db.Get(Ns, "a")!.Value));
        Assert.Equal(new Version(5, 0), Db.Savepoint);
        Put(6, ("a", "5"));
        Assert.Equal("5", S(Db.Get(Ns, "a")!.Value));
    }

    [Fact]
    public void A_failure_in_the_middle_of_a_block_applies_nothing()
    {
        Apply(1, b =>
        {
            b.Put(Ns, "a", B("1"), new Version(1, 0));
            b.Put(Ns, "b", B("1"), new Version(1, 1));
            b.AddHistory(Ns, "a", Hist("t1", 1, 0, "1"));
        });

        var batch = new UpdateBatch();
        for (var i = 0; i < 10; i++)
        {
            batch.Put(Ns, $"n{i}", B("new"), new Version(2, (ulong)i));
        }
        batch.Put(Ns, "a", B("2"), new Version(2, 10));
        batch.Delete(Ns, "b", new Version(2, 11));
        batch.AddHistory(Ns, "a", Hist("t2", 2, 10, "2"));
        foreach (var afterWrites in new[] { 3, 11, 13, int.MaxValue })
        {
            Factory.OnNextApply(Db, afterWrites, () => throw new InvalidOperationException("injected failure"));
            var error = Assert.ThrowsAny<Exception>(() => Db.ApplyBlock(2, batch));
            Assert.True(error is InvalidOperationException || error.InnerException is InvalidOperationException, error.ToString());

            Assert.Equal(new Version(1, 1), Db.Savepoint);
            Assert.Equal(["a", "b"], RangeKeys("", ""));
            Assert.Equal("1", S(Db.Get(Ns, "a")!.Value));
            Assert.Equal(["t1"], Db.History.GetHistory(Ns, "a").Select(h => h.TxId));
        }

        // The same block applies afterwards, and the failure left nothing behind after a reopen either.
        Reopen();
        Assert.Equal(new Version(1, 1), Db.Savepoint);
        Db.ApplyBlock(2, batch);
        Assert.Equal(new Version(2, 11), Db.Savepoint);
        Assert.Equal(11, RangeKeys("", "").Count);
        Assert.Equal(["t2", "t1"], Db.History.GetHistory(Ns, "a").Select(h => h.TxId));
    }

    // ---- concurrency ----

    [Fact]
    public void Readers_during_a_commit_see_the_previous_block_whole()
    {
        Put(1, ("a", "old"), ("b", "old"));

        (string? A, string? B, List<string> Range, Version? Savepoint, int History) seen = default;
        Factory.OnNextApply(Db, 2, () =>
        {
            // Runs on the committing thread with the new block half written; read from another thread.
            var read = Task.Run(() =>
            {
                var many = Db.GetMany(Ns, ["a", "b", "c"]);
                return (
                    Db.Get(Ns, "a") is { } a ? S(a.Value) : null,
                    many.TryGetValue("b", out var b) ? S(b.Value) : null,
                    Db.GetRange(Ns, "", "").Select(e => $"{e.Key}={S(e.Value.Value)}").ToList(),
                    Db.Savepoint,
                    Db.History.GetHistory(Ns, "a").Count());
            });
            Assert.True(read.Wait(Hang));
            seen = read.Result;
        });
        Apply(2, b =>
        {
            b.Put(Ns, "a", B("new"), new Version(2, 0));
            b.Delete(Ns, "b", new Version(2, 1));
            b.Put(Ns, "c", B("new"), new Version(2, 2));
            b.AddHistory(Ns, "a", Hist("t", 2, 0, "new"));
        });

        Assert.Equal("old", seen.A);
        Assert.Equal("old", seen.B);
        Assert.Equal(["a=old", "b=old"], seen.Range);
        Assert.Equal(new Version(1, 1), seen.Savepoint);
        Assert.Equal(0, seen.History);
        Assert.Equal("new", S(Db.Get(Ns, "a")!.Value));
        Assert.Null(Db.Get(Ns, "b"));
    }

    [Fact]
    public async Task Concurrent_readers_always_see_whole_blocks()
    {
        const int Keys = 40;
        const int Blocks = 60;
        var keys = Enumerable.Range(0, Keys).Select(i => $"k{i:D2}").ToArray();
        void Block(ulong n) => Apply(n, b =>
        {
            for (var i = 0; i < Keys; i++)
            {
                b.Put(Ns, keys[i], B($"v{n}"), new Version(n, (ulong)i));
            }
        });
        Block(1);

        using var done = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(() =>
        {
            var reads = 0;
            do
            {
                var many = Db.GetMany(Ns, keys);
                Assert.Equal(Keys, many.Count);
                Assert.Single(many.Values.Select(v => S(v.Value)).Distinct());
                Assert.Single(many.Values.Select(v => v.Version.BlockNumber).Distinct());

                var range = Db.GetRange(Ns, "", "").ToList();
                Assert.Equal(Keys, range.Count);
                Assert.Single(range.Select(e => S(e.Value.Value)).Distinct());
                reads++;
            }
            while (!done.IsCancellationRequested);
            return reads;
        })).ToArray();

        var writer = Task.Run(() =>
        {
            for (var n = 2UL; n <= Blocks; n++)
            {
                Block(n);
            }
        });
        await writer.WaitAsync(Hang);
        await done.CancelAsync();
        var counts = await Task.WhenAll(readers).WaitAsync(Hang);

        Assert.All(counts, c => Assert.True(c > 0));
        Assert.Equal(new Version(Blocks, Keys - 1), Db.Savepoint);
        Assert.Equal($"v{Blocks}", S(Db.Get(Ns, "k00")!.Value));
    }

    [Fact]
    public void Databases_with_different_names_are_independent()
    {
        using var other = Factory.Open("other");
        Put(1, ("a", "main"));
        Apply(7, b => b.Put(Ns, "a", B("other"), new Version(7, 0)), other);

        Assert.Equal("main", S(Db.Get(Ns, "a")!.Value));
        Assert.Equal("other", S(other.Get(Ns, "a")!.Value));
        Assert.Equal(new Version(7, 0), other.Savepoint);
    }

    [Fact]
    public void Rich_queries_work_exactly_when_supported_and_index_creation_is_idempotent()
    {
        Put(1, ("\0c\0a\0", "{\"owner\":\"tom\",\"b\":1,\"a\":2}"), ("k2", "{\"owner\":\"ann\"}"), ("k3", "plain"));
        var index = StateIndexDefinition.Parse("owner.json", "{\"index\":{\"fields\":[\"owner\"]},\"name\":\"owner\"}");
        Db.CreateIndexes(Ns, [index]);
        Db.CreateIndexes(Ns, [index]);
        const string Query = "{\"selector\":{\"owner\":\"tom\"}}";
        if (Db.SupportsRichQueries)
        {
            var entry = Assert.Single(Db.ExecuteQuery(Ns, Query));
            Assert.Equal("\0c\0a\0", entry.Key);
            Assert.Equal("{\"a\":2,\"b\":1,\"owner\":\"tom\"}", S(entry.Value.Value));
            Assert.Equal(new Version(1, 0), entry.Value.Version);
            var page = Db.ExecuteQueryPage(Ns, "{\"selector\":{}}", 2, "");
            Assert.Equal(["\0c\0a\0", "k2"], page.Results.Select(e => e.Key));
            Assert.Equal(["k3"], Db.ExecuteQueryPage(Ns, "{\"selector\":{}}", 2, page.Bookmark).Results.Select(e => e.Key));
        }
        else
        {
            Assert.Throws<QueryException>(() => Db.ExecuteQuery(Ns, Query));
            Assert.Throws<QueryException>(() => Db.ExecuteQueryPage(Ns, Query, 2, ""));
        }
        Assert.Equal("plain", S(Db.Get(Ns, "k3")!.Value));
    }
}
