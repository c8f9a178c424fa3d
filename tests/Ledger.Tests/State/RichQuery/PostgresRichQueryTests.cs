using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Npgsql;
using ZonCoin.Ledger.State;
using ZonCoin.Ledger.State.Postgres;
using ZonCoin.Ledger.Tests.Support;
using Version = ZonCoin.Ledger.State.Version;

namespace ZonCoin.Ledger.Tests.State.RichQuery;

/// <summary>
/// Rich queries (<see cref="IStateDatabase.ExecuteQuery"/>, <see cref="IStateDatabase.ExecuteQueryPage"/>) and
/// <see cref="IStateDatabase.CreateIndexes"/> against the real PostgreSQL server, on a fixed data set. Expected keys
/// follow CouchDB's documented selector semantics (as Fabric passes them through) and Fabric's key order (bytes).
/// </summary>
[Collection(SharedPostgresServer.Name)]
public sealed class PostgresRichQueryTests : IDisposable
{
    private const string Ns = "marbles";
    private const string OtherNs = "other";

    /// <summary>A Fabric composite key (object type "marble", attributes "tom", "m01"): starts with U+0000.</summary>
    private const string Composite = "\0marble\0tom\0m01\0";

    private static readonly (string Key, string Value)[] Data =
    [
        ("m01", """{"docType":"marble","owner":"tom","size":10,"color":"red","tags":["shiny","round"],"meta":{"created":2020,"by":{"name":"ann"}}}"""),
        ("m02", """{"docType":"marble","owner":"jerry","size":5,"color":"blue","tags":["round"],"meta":{"created":2021}}"""),
        ("m03", """{"docType":"marble","owner":"tom","size":15,"color":"green","tags":[],"scores":[1,5,9]}"""),
        ("m04", """{"docType":"marble","owner":"ann","size":5.0,"color":"Red","scores":[2,3]}"""),
        ("m05", """{"docType":"car","owner":"tom","active":true}"""),
        ("m06", """{"docType":"car","owner":null,"active":false}"""),
        (Composite, """{"docType":"index","owner":"tom"}"""),
        ("arr", "[1,2]"),
    ];

    private static readonly byte[] BinaryValue = [0xFF, 0x00, 0x01];

    private readonly PostgresServer _server;
    private readonly PostgresStateDatabaseFactory _factory;
    private readonly PostgresStateDatabase _db;

    public PostgresRichQueryTests(PostgresServer server)
    {
        _server = server;
        _factory = new PostgresStateDatabaseFactory(server);
        _db = _factory.OpenPostgres("rich");
        var batch = new UpdateBatch();
        var tx = 0UL;
        foreach (var (key, value) in Data)
        {
            batch.Put(Ns, key, Encoding.UTF8.GetBytes(value), new Version(1, tx++));
        }
        batch.Put(Ns, "bin", BinaryValue, new Version(1, tx++));
        batch.Put(OtherNs, "m01", Encoding.UTF8.GetBytes("""{"docType":"marble","owner":"tom","size":10}"""), new Version(1, tx++));
        batch.Put(OtherNs, "x99", Encoding.UTF8.GetBytes("""{"docType":"marble","owner":"eve","size":7}"""), new Version(1, tx));
        _db.ApplyBlock(1, batch);
    }

    public void Dispose()
    {
        _db.Dispose();
        _factory.Dispose();
    }

    private List<string> Keys(string query, string ns = Ns) => [.. _db.ExecuteQuery(ns, query).Select(e => e.Key)];

    private static string Selector(string selector) => $$"""{"selector":{{selector}}}""";

    public static TheoryData<string, string[]> Selectors => new()
    {
        // Implicit equality and $eq (jsonb equality: 5 equals 5.0; null is a value).
        { """{"owner":"tom"}""", [Composite, "m01", "m03", "m05"] },
        { """{"size":{"$eq":5}}""", ["m02", "m04"] },
        { """{"owner":null}""", ["m06"] },
        { """{"active":true}""", ["m05"] },
        { """{"tags":["round"]}""", ["m02"] },
        { """{"docType":"marble","owner":"tom"}""", ["m01", "m03"] },
        // $ne: the field must exist (CouchDB); null is not "tom".
        { """{"owner":{"$ne":"tom"}}""", ["m02", "m04", "m06"] },
        // Ordering comparisons, numbers and strings (code point order).
        { """{"size":{"$gt":5}}""", ["m01", "m03"] },
        { """{"size":{"$gte":10}}""", ["m01", "m03"] },
        { """{"size":{"$lt":10}}""", ["m02", "m04"] },
        { """{"size":{"$lte":10}}""", ["m01", "m02", "m04"] },
        { """{"size":{"$gt":5,"$lt":15}}""", ["m01"] },
        { """{"owner":{"$gt":"jerry"}}""", [Composite, "m01", "m03", "m05"] },
        // $in / $nin, also element-wise on array fields.
        { """{"color":{"$in":["red","blue"]}}""", ["m01", "m02"] },
        { """{"tags":{"$in":["shiny"]}}""", ["m01"] },
        { """{"color":{"$nin":["red","blue"]}}""", ["m03", "m04"] },
        // $exists.
        { """{"scores":{"$exists":true}}""", ["m03", "m04"] },
        { """{"docType":"car","size":{"$exists":false}}""", ["m05", "m06"] },
        // Combination operators.
        { """{"$and":[{"docType":"marble"},{"size":{"$gt":5}}]}""", ["m01", "m03"] },
        { """{"$or":[{"owner":"jerry"},{"color":"green"}]}""", ["m02", "m03"] },
        { """{"docType":"marble","$nor":[{"owner":"tom"},{"color":"blue"}]}""", ["m04"] },
        { """{"docType":"marble","$not":{"owner":"tom"}}""", ["m02", "m04"] },
        { """{"size":{"$not":{"$gt":5}}}""", ["m02", "m04"] },
        // $regex (case-sensitive unless (?i)), $size, $all, $elemMatch.
        { """{"color":{"$regex":"^[Rr]ed$"}}""", ["m01", "m04"] },
        { """{"color":{"$regex":"(?i)^RED"}}""", ["m01", "m04"] },
        { """{"color":{"$regex":"e"}}""", ["m01", "m02", "m03", "m04"] },
        { """{"tags":{"$size":1}}""", ["m02"] },
        { """{"tags":{"$size":0}}""", ["m03"] },
        { """{"tags":{"$all":["round","shiny"]}}""", ["m01"] },
        { """{"tags":{"$all":["round"]}}""", ["m01", "m02"] },
        { """{"scores":{"$elemMatch":{"$gt":4}}}""", ["m03"] },
        { """{"scores":{"$elemMatch":{"$gte":2,"$lt":3}}}""", ["m04"] },
        // Nested fields: dotted and as nested objects.
        { """{"meta.created":{"$gte":2021}}""", ["m02"] },
        { """{"meta.by.name":"ann"}""", ["m01"] },
        { """{"meta":{"by":{"name":"ann"}}}""", ["m01"] },
        { """{"meta.by.name":{"$exists":false},"docType":"marble"}""", ["m02", "m03", "m04"] },
        // _id: the key, compared by its bytes; composite keys (U+0000) included.
        { """{"_id":"m03"}""", ["m03"] },
        { """{"_id":"\u0000marble\u0000tom\u0000m01\u0000"}""", [Composite] },
        { """{"_id":{"$gt":"m04"}}""", ["m05", "m06"] },
        { """{"_id":{"$lt":"arr"}}""", [Composite] },
        { """{"_id":{"$gte":"\u0000","$lt":"\u0001"}}""", [Composite] },
        { """{"_id":{"$in":["m01","\u0000marble\u0000tom\u0000m01\u0000","zz"]}}""", [Composite, "m01"] },
        { """{"_id":{"$nin":["m01","\u0000marble\u0000tom\u0000m01\u0000"]},"owner":"tom"}""", ["m03", "m05"] },
        { """{"_id":{"$ne":"m01"},"owner":"tom"}""", [Composite, "m03", "m05"] },
        { """{"_id":{"$beginsWith":"\u0000marble\u0000"}}""", [Composite] },
        { """{"_id":{"$regex":"^m0[12]$"}}""", ["m01", "m02"] },
        { """{"$not":{"_id":{"$regex":"^m"}}}""", [Composite, "arr", "bin"] },
        // Everything: non-JSON-object values too (CouchDB matches Fabric's binary documents with {}).
        { """{}""", [Composite, "arr", "bin", "m01", "m02", "m03", "m04", "m05", "m06"] },
    };

    [Theory]
    [MemberData(nameof(Selectors))]
    public void Selectors_return_the_matching_keys_in_key_order(string selector, string[] expected)
    {
        Assert.Equal(expected, Keys(Selector(selector)));
        var page = _db.ExecuteQueryPage(Ns, Selector(selector), 0, string.Empty);
        Assert.Equal(expected, page.Results.Select(e => e.Key));
    }

    [Theory]
    [InlineData("""{"selector":{"docType":"marble"},"sort":[{"size":"desc"}]}""", new[] { "m03", "m01", "m04", "m02" })]
    [InlineData("""{"selector":{"docType":"marble"},"sort":["size"]}""", new[] { "m02", "m04", "m01", "m03" })]
    [InlineData("""{"selector":{"docType":"marble"},"sort":[{"size":"desc"},{"color":"asc"}]}""", new[] { "m03", "m01", "m04", "m02" })]
    [InlineData("""{"selector":{"docType":"marble"},"sort":[{"size":"asc"},{"color":"desc"}]}""", new[] { "m02", "m04", "m01", "m03" })]
    [InlineData("""{"selector":{"owner":{"$gt":""}},"sort":["owner"]}""", new[] { "m04", "m02", Composite, "m01", "m03", "m05" })]
    [InlineData("""{"selector":{},"sort":[{"size":"desc"}]}""", new[] { "m03", "m01", "m04", "m02" })]
    [InlineData("""{"selector":{"docType":"marble"},"sort":[{"_id":"desc"}]}""", new[] { "m04", "m03", "m02", "m01" })]
    [InlineData("""{"selector":{"owner":"tom"},"sort":["_id"]}""", new[] { Composite, "m01", "m03", "m05" })]
    [InlineData("""{"selector":{},"limit":3,"skip":2}""", new[] { "bin", "m01", "m02" })]
    [InlineData("""{"selector":{"docType":"marble"},"sort":[{"size":"desc"}],"limit":2,"skip":1}""", new[] { "m01", "m04" })]
    [InlineData("""{"selector":{"docType":"marble"},"skip":3}""", new[] { "m04" })]
    public void Sort_limit_and_skip_order_and_cut_the_results(string query, string[] expected)
    {
        Assert.Equal(expected, Keys(query));
    }

    [Fact]
    public void Values_are_re_marshalled_as_fabric_returns_them_with_the_committed_version()
    {
        var db = _db;
        var batch = new UpdateBatch();
        batch.Put("fmt", "doc", Encoding.UTF8.GetBytes("""{ "z" : "<b>&\u2028é\u0007", "a" : 1.50, "m" : { "y" : 1e2, "x" : [ {"b":1, "a":2} ] } }"""), new Version(2, 3));
        batch.Put("fmt", "\0c\0k\0", Encoding.UTF8.GetBytes("""{"b":"x","a":"y"}"""), new Version(2, 4));
        db.ApplyBlock(2, batch);

        var all = db.ExecuteQuery("fmt", """{"selector":{}}""").ToList();
        Assert.Equal(["\0c\0k\0", "doc"], all.Select(e => e.Key));
        Assert.Equal("""{"a":"y","b":"x"}""", Encoding.UTF8.GetString(all[0].Value.Value.Span));
        // Raw literal: the backslashes are in the expected bytes (Go's escapes); é is raw UTF-8.
        Assert.Equal(
            Encoding.UTF8.GetBytes("""{"a":1.50,"m":{"x":[{"a":2,"b":1}],"y":1e2},"z":"\u003cb\u003e\u0026\u2028é\u0007"}"""),
            all[1].Value.Value.ToArray());
        Assert.Equal(new Version(2, 3), all[1].Value.Version);
        Assert.True(all[1].Value.Metadata.IsEmpty);

        var projected = Assert.Single(db.ExecuteQuery(Ns, """{"selector":{"_id":"m01"},"fields":["owner","meta.by.name","size","_id","missing"]}"""));
        Assert.Equal("""{"meta":{"by":{"name":"ann"}},"owner":"tom","size":10}""", Encoding.UTF8.GetString(projected.Value.Value.Span));
        Assert.Equal(new Version(1, 0), projected.Value.Version);

        // Values that are not JSON objects come back as stored.
        var raw = db.ExecuteQuery(Ns, """{"selector":{"_id":{"$in":["arr","bin"]}},"fields":["a"]}""").ToList();
        Assert.Equal("[1,2]", Encoding.UTF8.GetString(raw[0].Value.Value.Span));
        Assert.Equal(BinaryValue, raw[1].Value.Value.ToArray());
        Assert.Equal(new Version(1, 8), raw[1].Value.Version);
    }

    private List<QueryPage> AllPages(string query, int pageSize)
    {
        var pages = new List<QueryPage>();
        var bookmark = string.Empty;
        while (true)
        {
            var page = _db.ExecuteQueryPage(Ns, query, pageSize, bookmark);
            pages.Add(page);
            if (page.Results.Count == 0)
            {
                Assert.Equal(bookmark, page.Bookmark);
                return pages;
            }
            Assert.NotEqual(bookmark, page.Bookmark);
            bookmark = page.Bookmark;
            Assert.True(pages.Count < 50, "pagination does not end");
        }
    }

    [Theory]
    [InlineData("""{"selector":{"docType":"marble"}}""", 3, new[] { "m01,m02,m03", "m04", "" })]
    [InlineData("""{"selector":{"docType":"marble"}}""", 2, new[] { "m01,m02", "m03,m04", "" })]
    [InlineData("""{"selector":{"docType":"marble"},"limit":1}""", 3, new[] { "m01,m02,m03", "m04", "" })]
    [InlineData("""{"selector":{"owner":"tom"}}""", 1, new[] { "C", "m01", "m03", "m05", "" })]
    [InlineData("""{"selector":{"docType":"marble"},"sort":[{"_id":"desc"}]}""", 3, new[] { "m04,m03,m02", "m01", "" })]
    [InlineData("""{"selector":{"docType":"marble"},"sort":[{"size":"desc"}]}""", 3, new[] { "m03,m01,m04", "m02", "" })]
    [InlineData("""{"selector":{"docType":"marble"},"sort":[{"size":"desc"}],"skip":1}""", 2, new[] { "m01,m04", "m02", "" })]
    [InlineData("""{"selector":{"docType":"marble"}}""", 0, new[] { "m01,m02,m03,m04", "" })]
    [InlineData("""{"selector":{"docType":"none"}}""", 5, new[] { "" })]
    public void Pagination_walks_every_page_with_bookmarks_to_an_empty_last_page(string query, int pageSize, string[] expected)
    {
        var pages = AllPages(query, pageSize);
        Assert.Equal(expected, pages.Select(p => string.Join(",", p.Results.Select(e => e.Key == Composite ? "C" : e.Key))));
    }

    [Fact]
    public void A_key_bookmark_resumes_after_the_last_key_when_rows_are_added_between_pages()
    {
        const string Query = """{"selector":{"owner":"tom"}}""";
        var first = _db.ExecuteQueryPage(Ns, Query, 2, string.Empty);
        Assert.Equal([Composite, "m01"], first.Results.Select(e => e.Key));
        var batch = new UpdateBatch();
        batch.Put(Ns, "\0marble\0tom\0m00\0", Encoding.UTF8.GetBytes("""{"owner":"tom"}"""), new Version(2, 0));
        batch.Put(Ns, "m02a", Encoding.UTF8.GetBytes("""{"owner":"tom"}"""), new Version(2, 1));
        _db.ApplyBlock(2, batch);
        var second = _db.ExecuteQueryPage(Ns, Query, 2, first.Bookmark);
        Assert.Equal(["m02a", "m03"], second.Results.Select(e => e.Key));
    }

    [Fact]
    public void Results_come_only_from_the_queried_namespace()
    {
        Assert.Equal(["m01", "x99"], Keys(Selector("""{"docType":"marble"}"""), OtherNs));
        Assert.Equal([Composite, "m01", "m03", "m05"], Keys(Selector("""{"owner":"tom"}""")));
        Assert.Empty(Keys(Selector("""{"owner":"eve"}""")));
        Assert.Empty(_db.ExecuteQueryPage("nothing", Selector("{}"), 10, string.Empty).Results);
        var entry = Assert.Single(_db.ExecuteQuery(OtherNs, Selector("""{"_id":"m01"}""")));
        Assert.Equal("""{"docType":"marble","owner":"tom","size":10}""", Encoding.UTF8.GetString(entry.Value.Value.Span));
    }

    [Theory]
    [InlineData("""{"selector":{"size":{"$mod":[2,0]}}}""", "$mod")]
    [InlineData("""{"selector":{"a":{"$type":"string"}}}""", "$type")]
    [InlineData("""{"selector":{"a":{"$bogus":1}}}""", "$bogus")]
    [InlineData("""{"selector":{"a":1},"sort":[{"a":"sideways"}]}""", "sort direction")]
    [InlineData("""{"selector":{"a":1},"limit":-1}""", "limit")]
    [InlineData("""{"selector":[]}""", "selector")]
    [InlineData("""{"sort":["a"]}""", "no selector")]
    [InlineData("""not json""", "not valid JSON")]
    public void Malformed_or_unsupported_queries_throw_query_exception_naming_the_problem(string query, string named)
    {
        var error = Assert.Throws<QueryException>(() => _db.ExecuteQuery(Ns, query));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        var pageError = Assert.Throws<QueryException>(() => _db.ExecuteQueryPage(Ns, query, 10, string.Empty));
        Assert.Contains(named, pageError.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("e30")]
    public void Malformed_bookmarks_throw_query_exception(string bookmark)
    {
        var error = Assert.Throws<QueryException>(() => _db.ExecuteQueryPage(Ns, Selector("{}"), 10, bookmark));
        Assert.Contains("invalid bookmark", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"color":{"$regex":"("}}""")]
    [InlineData("""{"_id":{"$regex":"a{2,1}"}}""")]
    public void An_invalid_regex_throws_query_exception_and_the_database_keeps_working(string selector)
    {
        var error = Assert.Throws<QueryException>(() => _db.ExecuteQuery(Ns, Selector(selector)).ToList());
        Assert.Contains("regular expression", error.Message, StringComparison.Ordinal);
        Assert.Contains("2201B", error.Message, StringComparison.Ordinal);
        Assert.Throws<QueryException>(() => _db.ExecuteQueryPage(Ns, Selector(selector), 5, string.Empty));
        Assert.Equal(["m01", "m03"], Keys(Selector("""{"docType":"marble","owner":"tom"}""")));
    }

    [Fact]
    public void Results_are_read_lazily_in_one_snapshot()
    {
        using var enumerator = _db.ExecuteQuery(Ns, Selector("""{"docType":"marble"}""")).GetEnumerator();
        Assert.True(enumerator.MoveNext());
        Assert.Equal("m01", enumerator.Current.Key);
        var batch = new UpdateBatch();
        batch.Delete(Ns, "m03", new Version(2, 0));
        batch.Put(Ns, "m09", Encoding.UTF8.GetBytes("""{"docType":"marble"}"""), new Version(2, 1));
        _db.ApplyBlock(2, batch);
        var rest = new List<string>();
        while (enumerator.MoveNext())
        {
            rest.Add(enumerator.Current.Key);
        }
        Assert.Equal(["m02", "m03", "m04"], rest);
        Assert.Equal(["m01", "m02", "m04", "m09"], Keys(Selector("""{"docType":"marble"}""")));
    }

    [Theory]
    [InlineData("""{"owner":"\u0000tom"}""")]
    [InlineData("""{"\u0000owner":"tom"}""")]
    public void A_nul_in_a_document_field_or_value_is_a_query_exception(string selector)
    {
        // PostgreSQL text and jsonb cannot hold U+0000 (only _id, a bytea key, can).
        var error = Assert.Throws<QueryException>(() => _db.ExecuteQuery(Ns, Selector(selector)).ToList());
        Assert.Contains("SQLSTATE 22", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Hostile => new()
    {
        "a'); DROP TABLE state; --",
        "'; DELETE FROM state WHERE 'a'='a",
        "x\" OR 1=1 --",
        "$$; DROP TABLE state; $$",
        "@ns",
        "') OR ns <> '",
        "\\'; TRUNCATE state; --",
        "\u0001'; --",
    };

    private long StateRows()
    {
        using var connection = new NpgsqlConnection(_server.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"SELECT count(*) FROM \"{_db.Schema}\".state;", connection);
        return (long)command.ExecuteScalar()!;
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Injection_through_query_parts_and_bookmarks_is_harmless(string hostile)
    {
        var rows = StateRows();
        var s = JsonSerializer.Serialize(hostile);
        var pattern = JsonSerializer.Serialize(System.Text.RegularExpressions.Regex.Escape(hostile));
        var f = JsonSerializer.Serialize("f" + hostile);
        var dotted = JsonSerializer.Serialize("a." + hostile);
        string Q(string template) => template
            .Replace("⟪S⟫", s, StringComparison.Ordinal)
            .Replace("⟪F⟫", f, StringComparison.Ordinal)
            .Replace("⟪R⟫", pattern, StringComparison.Ordinal)
            .Replace("⟪A⟫", dotted, StringComparison.Ordinal);
        var queries = new[]
        {
            """{"selector":{⟪F⟫:⟪S⟫}}""",
            """{"selector":{"owner":⟪S⟫}}""",
            """{"selector":{"owner":{"$in":[⟪S⟫],"$ne":⟪S⟫,"$gt":⟪S⟫}}}""",
            """{"selector":{"owner":{"$regex":⟪R⟫}}}""",
            """{"selector":{"_id":⟪S⟫}}""",
            """{"selector":{"_id":{"$gt":⟪S⟫,"$in":[⟪S⟫],"$regex":⟪R⟫}}}""",
            """{"selector":{"$or":[{⟪F⟫:{"$exists":true}},{⟪A⟫:1},{"tags":{"$elemMatch":{⟪F⟫:⟪S⟫}}}]}}""",
            """{"selector":{⟪F⟫:{"$exists":false},"docType":"marble"},"sort":[⟪S⟫,{⟪S⟫:"desc"}]}""",
            """{"selector":{"docType":"marble"},"fields":[⟪S⟫,"owner"]}""",
        }.Select(Q);
        foreach (var query in queries)
        {
            var results = _db.ExecuteQuery(Ns, query).ToList();
            Assert.DoesNotContain(results, e => e.Key == "x99");
            Assert.All(results, e => Assert.NotNull(_db.Get(Ns, e.Key)));
        }

        Assert.Empty(Keys(Q("""{"selector":{"owner":⟪S⟫}}""")));
        Assert.Empty(Keys(Q("""{"selector":{"_id":⟪S⟫}}""")));
        Assert.Equal(["m01", "m02", "m03", "m04"], Keys(Q("""{"selector":{⟪F⟫:{"$exists":false},"docType":"marble"}}""")));
        if (hostile.StartsWith('$'))
        {
            // As a field name it reads as an operator, which is refused.
            Assert.Throws<QueryException>(() => _db.ExecuteQuery(Ns, Q("""{"selector":{⟪S⟫:1}}""")));
        }
        else
        {
            Assert.Empty(Keys(Q("""{"selector":{⟪S⟫:{"$exists":true}}}""")));
        }
        var projected = _db.ExecuteQuery(Ns, Q("""{"selector":{"docType":"marble"},"fields":[⟪S⟫,"owner"]}""")).First();
        Assert.Equal("""{"owner":"tom"}""", Encoding.UTF8.GetString(projected.Value.Value.Span));

        // A well-formed bookmark carrying the hostile text as its key.
        var bookmark = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["k"] = hostile }));
        var page = _db.ExecuteQueryPage(Ns, Selector("""{"docType":"marble"}"""), 10, bookmark);
        Assert.Equal(
            new[] { "m01", "m02", "m03", "m04" }.Where(k => string.CompareOrdinal(k, hostile) > 0),
            page.Results.Select(e => e.Key));
        Assert.Throws<QueryException>(() => _db.ExecuteQueryPage(Ns, Selector("{}"), 10, hostile));

        Assert.Equal(rows, StateRows());
        Assert.Equal(["m01", "x99"], Keys(Selector("""{"docType":"marble"}"""), OtherNs));
    }

    private long IndexCount(string? like = null)
    {
        using var connection = new NpgsqlConnection(_server.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT count(*) FROM pg_indexes WHERE schemaname = @schema AND tablename = 'state' AND indexname LIKE 'ix\\_%' AND (@like::text IS NULL OR indexdef LIKE @like);", connection);
        command.Parameters.AddWithValue("schema", _db.Schema);
        command.Parameters.Add(new NpgsqlParameter("like", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)like ?? DBNull.Value });
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public void CreateIndexes_creates_each_index_once_and_an_equality_query_uses_it()
    {
        var owner = StateIndexDefinition.Parse("indexOwner.json", """{"index":{"fields":["owner"]},"ddoc":"indexOwnerDoc","name":"indexOwner","type":"json"}""");
        var nested = StateIndexDefinition.Parse("indexNested.json", """{"index":{"fields":["docType",{"meta.created":"desc"}]},"name":"indexNested"}""");
        Assert.Equal(0, IndexCount());

        _db.CreateIndexes(Ns, [owner, nested]);
        _db.CreateIndexes(Ns, [owner, nested]);
        _db.CreateIndexes(Ns, [owner]);

        Assert.Equal(2, IndexCount());
        Assert.Equal(1, IndexCount("%USING btree (((doc #> '{owner}'::text[]))) WHERE (ns = 'marbles'::text)"));
        Assert.Equal(1, IndexCount("%USING btree (((doc #> '{docType}'::text[])), ((doc #> '{meta,created}'::text[]))) WHERE (ns = 'marbles'::text)"));

        // The same name in another namespace is another (partial) index.
        _db.CreateIndexes(OtherNs, [owner]);
        Assert.Equal(3, IndexCount());

        // Enough rows that reading the namespace in key order (the primary key) costs more than the index plus a sort.
        var bulk = new UpdateBatch();
        for (var i = 0; i < 3000; i++)
        {
            bulk.Put(Ns, $"z{i:D5}", Encoding.UTF8.GetBytes($$$"""{"docType":"bulk","owner":"o{{{i}}}","meta":{"created":{{{i}}}}}"""), new Version(2, (ulong)i));
        }
        _db.ApplyBlock(2, bulk);
        using (var connection = new NpgsqlConnection(_server.ConnectionString))
        {
            connection.Open();
            using var analyze = new NpgsqlCommand($"ANALYZE \"{_db.Schema}\".state;", connection);
            analyze.ExecuteNonQuery();
        }

        var plan = _db.ExplainQuery(Ns, Selector("""{"owner":"tom"}"""), disableSeqScan: true);
        var indexName = PostgresStateDatabase.IndexName(Ns, "indexOwner", """[["owner"]]""");
        Assert.True(plan.Contains(indexName, StringComparison.Ordinal), plan);
        var nestedPlan = _db.ExplainQuery(Ns, Selector("""{"docType":"marble","meta.created":{"$gt":2020}}"""), disableSeqScan: true);
        Assert.Contains(PostgresStateDatabase.IndexName(Ns, "indexNested", """[["docType"],["meta","created"]]"""), nestedPlan, StringComparison.Ordinal);

        // Indexes change plans, not results.
        Assert.Equal([Composite, "m01", "m03", "m05"], Keys(Selector("""{"owner":"tom"}""")));
        Assert.Equal(["m02"], Keys(Selector("""{"docType":"marble","meta.created":{"$gt":2020}}""")));
        _db.CreateIndexes(Ns, []);
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Injection_through_index_names_fields_and_namespaces_is_harmless(string hostile)
    {
        var rows = StateRows();
        var field = hostile.Replace("\0", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal);
        var definition = new StateIndexDefinition(hostile, hostile, [new StateIndexField(field + ".x", false), new StateIndexField("owner", true), new StateIndexField("_id", false)]);
        var ns = "ns" + hostile.Replace("\0", "", StringComparison.Ordinal);
        _db.CreateIndexes(ns, [definition]);
        _db.CreateIndexes(ns, [definition]);
        Assert.Equal(1, IndexCount());

        using (var connection = new NpgsqlConnection(_server.ConnectionString))
        {
            connection.Open();
            using var command = new NpgsqlCommand("SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = @schema), (SELECT indexdef FROM pg_indexes WHERE schemaname = @schema AND indexname LIKE 'ix\\_%');", connection);
            command.Parameters.AddWithValue("schema", _db.Schema);
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read());
            Assert.Equal(4L, reader.GetInt64(0));
            var indexdef = reader.GetString(1);
            Assert.Contains("::text[])), ((doc #> '{owner}'::text[])), key) WHERE (ns = ", indexdef, StringComparison.Ordinal);
            Assert.EndsWith("'::text)", indexdef, StringComparison.Ordinal);
        }

        Assert.Equal(rows, StateRows());
        Assert.Equal([Composite, "m01", "m03", "m05"], Keys(Selector("""{"owner":"tom"}""")));
        Assert.Empty(Keys(Selector("{}"), ns));
    }
}
