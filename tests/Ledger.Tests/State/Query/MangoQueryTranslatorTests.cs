using System.Text;
using System.Text.Json;
using ZonCoin.Ledger.State;
using ZonCoin.Ledger.State.Postgres.Query;

namespace ZonCoin.Ledger.Tests.State.Query;

/// <summary>
/// Pure unit tests of the translator's output: SQL shape, parameters, errors. What the SQL selects on a real
/// server is tested with the PostgreSQL state database.
/// </summary>
public sealed class MangoQueryTranslatorTests
{
    /// <summary>Selector, then fragments the WHERE must contain, in order, and the parameters' (type, value) in order.</summary>
    public static TheoryData<string, string[], string[]> Selectors => new()
    {
        {
            """{"owner":"tom"}""",
            ["(s.doc #> @q0::text[]) = @q1::jsonb"],
            ["text[]:owner", "jsonb:\"tom\""]
        },
        {
            """{"owner":{"$eq":"tom"}}""",
            ["(s.doc #> @q0::text[]) = @q1::jsonb"],
            ["text[]:owner", "jsonb:\"tom\""]
        },
        {
            """{"a.b.c":1}""",
            ["(s.doc #> @q0::text[]) = @q1::jsonb"],
            ["text[]:a|b|c", "jsonb:1"]
        },
        {
            """{"a\\.b.c":1}""",
            ["#> @q0::text[]"],
            ["text[]:a.b|c", "jsonb:1"]
        },
        {
            """{"a":{"b":{"c":true}}}""",
            ["(s.doc #> @q0::text[]) = @q1::jsonb"],
            ["text[]:a|b|c", "jsonb:true"]
        },
        {
            """{"a":{}}""",
            ["= @q1::jsonb"],
            ["text[]:a", "jsonb:{}"]
        },
        {
            """{"a":1,"b":"x"}""",
            ["((s.doc #> @q0::text[]) = @q1::jsonb) AND ((s.doc #> @q2::text[]) = @q3::jsonb)"],
            ["text[]:a", "jsonb:1", "text[]:b", "jsonb:\"x\""]
        },
        {
            """{"a":{"$ne":[1,2]}}""",
            ["(s.doc #> @q0::text[]) <> @q1::jsonb"],
            ["text[]:a", "jsonb:[1,2]"]
        },
        {
            """{"size":{"$gt":5}}""",
            ["jsonb_typeof((s.doc #> @q0::text[])) = 'number' AND (s.doc #> @q0::text[]) > @q1::jsonb"],
            ["text[]:size", "jsonb:5"]
        },
        {
            """{"size":{"$gte":1.5,"$lt":10}}""",
            ["= 'number' AND (s.doc #> @q0::text[]) >= @q1::jsonb", "= 'number' AND (s.doc #> @q0::text[]) < @q2::jsonb"],
            ["text[]:size", "jsonb:1.5", "jsonb:10"]
        },
        {
            """{"name":{"$lte":"m"}}""",
            ["jsonb_typeof((s.doc #> @q0::text[])) = 'string' AND (s.doc #>> @q0::text[]) COLLATE \"C\" <= @q1::text"],
            ["text[]:name", "text:m"]
        },
        {
            """{"ok":{"$gt":false}}""",
            ["= 'boolean' AND (s.doc #> @q0::text[]) > @q1::jsonb"],
            ["text[]:ok", "jsonb:false"]
        },
        {
            """{"a":{"$in":["x",2,null]}}""",
            ["CASE WHEN jsonb_typeof((s.doc #> @q0::text[])) = 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements((s.doc #> @q0::text[])) AS e0(v) WHERE e0.v = ANY(@q1::jsonb[])) ELSE (s.doc #> @q0::text[]) = ANY(@q1::jsonb[]) END"],
            ["text[]:a", "jsonb[]:\"x\"|2|null"]
        },
        {
            """{"a":{"$nin":[1]}}""",
            ["(s.doc #> @q0::text[]) IS NOT NULL AND NOT (CASE WHEN"],
            ["text[]:a", "jsonb[]:1"]
        },
        {
            """{"a":{"$exists":true},"b":{"$exists":false}}""",
            ["(s.doc #> @q0::text[]) IS NOT NULL", "(s.doc #> @q1::text[]) IS NULL"],
            ["text[]:a", "text[]:b"]
        },
        {
            """{"name":{"$regex":"^to+m$"}}""",
            ["jsonb_typeof((s.doc #> @q0::text[])) = 'string' AND (s.doc #>> @q0::text[]) ~ @q1::text"],
            ["text[]:name", "text:^to+m$"]
        },
        {
            """{"name":{"$beginsWith":"to"}}""",
            ["starts_with((s.doc #>> @q0::text[]), @q1::text)"],
            ["text[]:name", "text:to"]
        },
        {
            """{"tags":{"$size":2}}""",
            ["CASE WHEN jsonb_typeof((s.doc #> @q0::text[])) = 'array' THEN jsonb_array_length((s.doc #> @q0::text[])) = @q1::integer ELSE false END"],
            ["text[]:tags", "integer:2"]
        },
        {
            """{"tags":{"$all":["a","b"]}}""",
            ["cardinality(@q1::jsonb[]) > 0 AND NOT EXISTS (SELECT 1 FROM unnest(@q1::jsonb[]) AS a0(v) WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements((s.doc #> @q0::text[])) AS e1(v) WHERE e1.v = a0.v))"],
            ["text[]:tags", "jsonb[]:\"a\"|\"b\""]
        },
        {
            """{"items":{"$elemMatch":{"price":{"$gt":3},"$or":[{"kind":"a"},{"kind":"b"}]}}}""",
            ["EXISTS (SELECT 1 FROM jsonb_array_elements((s.doc #> @q0::text[])) AS e0(v) WHERE", "(e0.v #> @q1::text[]) > @q2::jsonb", "(e0.v #> @q3::text[]) = @q4::jsonb", " OR "],
            ["text[]:items", "text[]:price", "jsonb:3", "text[]:kind", "jsonb:\"a\"", "text[]:kind", "jsonb:\"b\""]
        },
        {
            """{"n":{"$elemMatch":{"$gte":3}}}""",
            ["jsonb_typeof(e0.v) = 'number' AND e0.v >= @q1::jsonb"],
            ["text[]:n", "jsonb:3"]
        },
        {
            """{"n":{"$allMatch":{"$gte":3}}}""",
            ["jsonb_array_length((s.doc #> @q0::text[])) > 0 AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements((s.doc #> @q0::text[])) AS e0(v) WHERE NOT ("],
            ["text[]:n", "jsonb:3"]
        },
        {
            """{"$or":[{"a":1},{"$and":[{"b":2},{"$nor":[{"c":3}]}]}]}""",
            ["((s.doc #> @q0::text[]) = @q1::jsonb) OR (((s.doc #> @q2::text[]) = @q3::jsonb) AND (NOT ((COALESCE((s.doc #> @q4::text[]) = @q5::jsonb, false)))))"],
            ["text[]:a", "jsonb:1", "text[]:b", "jsonb:2", "text[]:c", "jsonb:3"]
        },
        {
            """{"$nor":[{"a":{"$gt":1}},{"b":{"$in":[2]}}]}""",
            ["NOT ((COALESCE(jsonb_typeof((s.doc #> @q0::text[])) = 'number' AND (s.doc #> @q0::text[]) > @q1::jsonb, false)) OR (", "ELSE COALESCE((s.doc #> @q2::text[]) = ANY(@q3::jsonb[]), false) END"],
            ["text[]:a", "jsonb:1", "text[]:b", "jsonb[]:2"]
        },
        {
            """{"n":{"$allMatch":{"k":"v"}}}""",
            ["WHERE NOT (COALESCE((e0.v #> @q1::text[]) = @q2::jsonb, false))"],
            ["text[]:n", "text[]:k", "jsonb:\"v\""]
        },
        {
            """{"$not":{"a":1}}""",
            ["NOT (COALESCE((s.doc #> @q0::text[]) = @q1::jsonb, false))"],
            ["text[]:a", "jsonb:1"]
        },
        {
            """{"a":{"$not":{"$gt":1}}}""",
            ["(s.doc #> @q0::text[]) IS NOT NULL AND NOT (COALESCE(jsonb_typeof("],
            ["text[]:a", "jsonb:1"]
        },
        {
            """{"a":{"$or":[{"$lt":1},{"$gt":9}]}}""",
            ["(s.doc #> @q0::text[]) IS NOT NULL AND (", " OR "],
            ["text[]:a", "jsonb:1", "jsonb:9"]
        },
        {
            """{"_id":"k1"}""",
            ["s.key = @q0::bytea"],
            ["bytea:6b31"]
        },
        {
            """{"_id":"\u0000marble\u0000m1\u0000"}""",
            ["s.key = @q0::bytea"],
            ["bytea:006d6172626c65006d3100"]
        },
        {
            """{"_id":{"$gt":"a","$lte":"\u00e9"}}""",
            ["s.key > @q0::bytea", "s.key <= @q1::bytea"],
            ["bytea:61", "bytea:c3a9"]
        },
        {
            """{"_id":{"$ne":"a"}}""",
            ["s.key <> @q0::bytea"],
            ["bytea:61"]
        },
        {
            """{"_id":{"$in":["a","b",3]}}""",
            ["s.key = ANY(@q0::bytea[])"],
            ["bytea[]:61|62"]
        },
        {
            """{"_id":{"$nin":["a"]}}""",
            ["NOT (s.key = ANY(@q0::bytea[]))"],
            ["bytea[]:61"]
        },
        {
            """{"_id":{"$regex":"^a"}}""",
            ["(CASE WHEN position('\\x00'::bytea in s.key) = 0 THEN convert_from(s.key, 'UTF8') END) ~ @q0::text"],
            ["text:^a"]
        },
        {
            """{"$not":{"_id":{"$regex":"^a"}}}""",
            ["NOT (COALESCE((CASE WHEN position('\\x00'::bytea in s.key) = 0 THEN convert_from(s.key, 'UTF8') END) ~ @q0::text, false))"],
            ["text:^a"]
        },
        {
            """{"_id":{"$beginsWith":"\u0000a"}}""",
            ["substr(s.key, 1, length(@q0::bytea)) = @q0::bytea"],
            ["bytea:0061"]
        },
        {
            """{"_id":{"$gt":3}}""",
            ["FALSE"],
            []
        },
        {
            """{}""",
            ["TRUE"],
            []
        },
        {
            """{"$and":[]}""",
            ["TRUE"],
            []
        },
    };

    [Theory]
    [MemberData(nameof(Selectors))]
    public void Selectors_translate_to_parameterised_sql(string selector, string[] fragments, string[] parameters)
    {
        var query = MangoQueryTranslator.Translate($$"""{"selector":{{selector}}}""");

        var position = 0;
        foreach (var fragment in fragments)
        {
            var found = query.Where.IndexOf(fragment, position, StringComparison.Ordinal);
            Assert.True(found >= 0, $"'{fragment}' not found (in order) in: {query.Where}");
            position = found;
        }

        Assert.Equal(parameters, query.Parameters.Select(Describe));
        for (var i = 0; i < query.Parameters.Count; i++)
        {
            Assert.Equal("q" + i, query.Parameters[i].Name);
        }

        AssertBalanced(query.ToSql("s.key", "state s"));
    }

    private static string Describe(SqlParameterValue parameter) => parameter.PgType + ":" + parameter.Value switch
    {
        string[] values => string.Join("|", values),
        byte[] bytes => Convert.ToHexStringLower(bytes),
        byte[][] arrays => string.Join("|", arrays.Select(Convert.ToHexStringLower)),
        var value => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Parentheses balance outside string literals: a cheap check that fragments compose.</summary>
    private static void AssertBalanced(string sql)
    {
        var depth = 0;
        var inLiteral = false;
        foreach (var c in sql)
        {
            if (c == '\'')
            {
                inLiteral = !inLiteral;
            }
            else if (!inLiteral)
            {
                depth += c switch { '(' => 1, ')' => -1, _ => 0 };
                Assert.True(depth >= 0, sql);
            }
        }

        Assert.False(inLiteral, sql);
        Assert.Equal(0, depth);
    }

    public static TheoryData<string, string> Errors => new()
    {
        { "not json", "query is not valid JSON" },
        { "[1]", "query must be a JSON object, found an array" },
        { """{"limit":1}""", "query has no selector" },
        { """{"selector":[]}""", "selector must be a JSON object, found an array" },
        { """{"selector":"a"}""", "selector must be a JSON object, found a string" },
        { """{"selector":{"a":{"$mod":[2,0]}}}""", "unsupported operator $mod in selector at path 'a'" },
        { """{"selector":{"a.b":{"$type":"string"}}}""", "unsupported operator $type in selector at path 'a.b'" },
        { """{"selector":{"$text":"x"}}""", "unsupported operator $text in selector at path ''" },
        { """{"selector":{"a":{"$foo":1}}}""", "unsupported operator $foo in selector at path 'a'" },
        { """{"selector":{"x":{"$elemMatch":{"$mod":[2,0]}}}}""", "unsupported operator $mod in selector at path 'x[]'" },
        { """{"selector":{"$or":[{"a":{"b":{"$keyMapMatch":{}}}}]}}""", "unsupported operator $keyMapMatch in selector at path 'a.b'" },
        { """{"selector":{"$gt":1}}""", "operator $gt at the top of the selector needs a field" },
        { """{"selector":{"$or":{"a":1}}}""", "operator $or in selector at path '' needs an array of selectors, found an object" },
        { """{"selector":{"$and":[1]}}""", "selector at path '' must be a JSON object, found a number 1" },
        { """{"selector":{"$not":[]}}""", "operator $not in selector at path '' needs a selector object" },
        { """{"selector":{"a":{"$in":1}}}""", "operator $in in selector at path 'a' needs an array, found a number 1" },
        { """{"selector":{"a":{"$nin":"x"}}}""", "operator $nin in selector at path 'a' needs an array" },
        { """{"selector":{"a":{"$all":{}}}}""", "operator $all in selector at path 'a' needs an array" },
        { """{"selector":{"a":{"$exists":1}}}""", "operator $exists in selector at path 'a' needs a boolean" },
        { """{"selector":{"a":{"$regex":1}}}""", "operator $regex in selector at path 'a' needs a string" },
        { """{"selector":{"a":{"$size":-1}}}""", "operator $size in selector at path 'a' needs a non-negative integer" },
        { """{"selector":{"a":{"$size":1.5}}}""", "operator $size in selector at path 'a' needs a non-negative integer" },
        { """{"selector":{"a":{"$elemMatch":1}}}""", "operator $elemMatch in selector at path 'a' needs a selector object" },
        { """{"selector":{"a":{"$gt":[1]}}}""", "operator $gt in selector at path 'a' needs a number, string, boolean or null" },
        { """{"selector":{},"limit":-1}""", "limit must not be negative, found -1" },
        { """{"selector":{},"limit":"5"}""", "limit must be an integer, found a string" },
        { """{"selector":{},"limit":2.5}""", "limit must be an integer" },
        { """{"selector":{},"skip":-3}""", "skip must not be negative, found -3" },
        { """{"selector":{},"sort":"a"}""", "sort must be an array" },
        { """{"selector":{},"sort":[{"a":"up"}]}""", "sort direction of 'a' must be \"asc\" or \"desc\"" },
        { """{"selector":{},"sort":[{"a":"asc","b":"asc"}]}""", "must have exactly one field" },
        { """{"selector":{},"sort":[1]}""", "sort entry must be a field name" },
        { """{"selector":{},"fields":"a"}""", "fields must be an array of field names, found a string" },
        { """{"selector":{},"fields":[1]}""", "fields must be an array of field names, found a number 1 in it" },
        { """{"selector":{},"use_index":5}""", "use_index must be a design document name" },
        { """{"selector":{},"frobnicate":true}""", "unsupported query option 'frobnicate'" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Bad_queries_fail_with_a_message_naming_the_problem(string query, string message)
    {
        var error = Assert.Throws<QueryException>(() => MangoQueryTranslator.Translate(query));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Hostile => new()
    {
        "a'); DROP TABLE x;--",
        "'; DELETE FROM state WHERE 'a'='a",
        "x\" OR 1=1 --",
        "x$$; DROP TABLE x; $$",
        "@evil::text",
        "a\\'b",
        "E'\\x41'",
        "/* */ key",
        "\u0000",
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Field_names_and_values_appear_only_in_parameters(string hostile)
    {
        var s = JsonSerializer.Serialize(hostile);
        var queries = new[]
        {
            """{"selector":{⟪S⟫:⟪S⟫}}""",
            """{"selector":{⟪S⟫:{"$eq":⟪S⟫,"$ne":⟪S⟫,"$gt":⟪S⟫,"$lte":⟪S⟫}}}""",
            """{"selector":{⟪S⟫:{"$in":[⟪S⟫],"$nin":[⟪S⟫],"$all":[⟪S⟫],"$regex":⟪S⟫,"$beginsWith":⟪S⟫}}}""",
            """{"selector":{"$or":[{⟪F⟫:{"$elemMatch":{⟪S⟫:⟪S⟫}}},{"_id":⟪S⟫},{"_id":{"$gt":⟪S⟫,"$in":[⟪S⟫]}}]}}""",
            """{"selector":{⟪S⟫:{"x":⟪S⟫}},"sort":[⟪S⟫,{⟪S⟫:"desc"}],"fields":[⟪S⟫]}""",
        }.Select(q => q.Replace("⟪F⟫", JsonSerializer.Serialize("a." + hostile), StringComparison.Ordinal).Replace("⟪S⟫", s, StringComparison.Ordinal));
        foreach (var json in queries)
        {
            var query = MangoQueryTranslator.Translate(json);
            var sql = query.ToSql("s.key, s.value", "state s");
            Assert.DoesNotContain(hostile, sql, StringComparison.Ordinal);
            Assert.DoesNotContain("DROP", sql, StringComparison.Ordinal);
            Assert.DoesNotContain("DELETE", sql, StringComparison.Ordinal);
            Assert.DoesNotContain("--", sql, StringComparison.Ordinal);
            Assert.DoesNotContain(";", sql, StringComparison.Ordinal);
            AssertBalanced(sql);
            Assert.Contains(query.Parameters, p => Flatten(p.Value).Any(v => v.Contains(hostile, StringComparison.Ordinal)));
        }

        var page = MangoQueryTranslator.TranslatePage("""{"selector":{}}""", 10, string.Empty);
        var next = MangoQueryTranslator.TranslatePage("""{"selector":{}}""", 10, page.NextBookmark(1, hostile));
        Assert.DoesNotContain(hostile, next.Where, StringComparison.Ordinal);
        Assert.Contains(next.Parameters, p => p.Value is byte[] bytes && bytes.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(hostile)));
    }

    private static string[] Flatten(object value) => value switch
    {
        string[] values => values,
        string text => [text],
        byte[] bytes => [Encoding.UTF8.GetString(bytes)],
        byte[][] arrays => [.. arrays.Select(Encoding.UTF8.GetString)],
        _ => [],
    };

    [Fact]
    public void Every_user_string_of_a_large_query_is_only_in_parameters()
    {
        var json = """
            {"selector":{"docType":"marble","owner":{"$in":["tom","jerry"]},"size":{"$gt":10},
             "$or":[{"color":{"$regex":"^re"}},{"tags":{"$all":["shiny"]}}],"meta.created":{"$exists":true}},
             "sort":[{"size":"desc"}],"fields":["owner","size"],"limit":5,"skip":2,"use_index":["_design/idx","bySize"]}
            """;
        var query = MangoQueryTranslator.Translate(json);
        var sql = query.ToSql("s.key", "state s");
        foreach (var word in new[] { "docType", "marble", "owner", "tom", "jerry", "size", "color", "^re", "tags", "shiny", "meta", "created", "idx", "bySize" })
        {
            Assert.DoesNotContain(word, sql, StringComparison.Ordinal);
        }

        Assert.Matches("LIMIT @q[0-9]+::bigint OFFSET @q[0-9]+::bigint$", sql);
        Assert.Equal(5L, query.Limit);
        Assert.Equal(2L, query.Skip);
        Assert.Equal(["owner", "size"], query.Fields.Select(f => f.Text));
    }

    [Fact]
    public void Sort_orders_by_couchdb_type_order_then_value_then_key_and_requires_the_fields()
    {
        var query = MangoQueryTranslator.Translate("""{"selector":{"a":1},"sort":[{"b.c":"desc"},"d"]}""");

        Assert.Equal([new SortField(FieldPath.Parse("b.c"), true), new SortField(FieldPath.Parse("d"), false)], query.Sort);
        Assert.Contains("((s.doc #> @q2::text[]) IS NOT NULL)", query.Where, StringComparison.Ordinal);
        Assert.Contains("((s.doc #> @q3::text[]) IS NOT NULL)", query.Where, StringComparison.Ordinal);
        Assert.Equal(
            "CASE jsonb_typeof((s.doc #> @q2::text[])) WHEN 'null' THEN 0 WHEN 'boolean' THEN 1 WHEN 'number' THEN 2 WHEN 'string' THEN 3 WHEN 'array' THEN 4 ELSE 5 END DESC, "
            + "CASE WHEN jsonb_typeof((s.doc #> @q2::text[])) <> 'string' THEN (s.doc #> @q2::text[]) END DESC, "
            + "(CASE WHEN jsonb_typeof((s.doc #> @q2::text[])) = 'string' THEN (s.doc #> @q2::text[]) #>> '{}' END) COLLATE \"C\" DESC, "
            + "CASE jsonb_typeof((s.doc #> @q3::text[])) WHEN 'null' THEN 0 WHEN 'boolean' THEN 1 WHEN 'number' THEN 2 WHEN 'string' THEN 3 WHEN 'array' THEN 4 ELSE 5 END, "
            + "CASE WHEN jsonb_typeof((s.doc #> @q3::text[])) <> 'string' THEN (s.doc #> @q3::text[]) END, "
            + "(CASE WHEN jsonb_typeof((s.doc #> @q3::text[])) = 'string' THEN (s.doc #> @q3::text[]) #>> '{}' END) COLLATE \"C\", "
            + "s.key",
            query.OrderBy);
        Assert.Equal(new[] { "b", "c" }, (string[])query.Parameters[2].Value);
    }

    [Theory]
    [InlineData("""[]""", "s.key")]
    [InlineData("""["_id"]""", "s.key")]
    [InlineData("""[{"_id":"desc"}]""", "s.key DESC")]
    [InlineData("""[{"a":"asc"},{"b":"desc"}]""", "COLLATE \"C\" DESC, s.key DESC")]
    public void Order_always_ends_with_the_key_as_bytes(string sort, string suffix)
    {
        var query = MangoQueryTranslator.Translate($$"""{"selector":{},"sort":{{sort}}}""");
        Assert.EndsWith(suffix, query.OrderBy, StringComparison.Ordinal);
        Assert.DoesNotContain("s.key COLLATE", query.OrderBy, StringComparison.Ordinal);
    }

    [Fact]
    public void Limit_and_skip_are_parameters_and_absent_when_not_asked()
    {
        var none = MangoQueryTranslator.Translate("""{"selector":{}}""");
        Assert.Equal(string.Empty, none.LimitOffset);
        Assert.Empty(none.Parameters);
        Assert.Equal("SELECT s.key FROM state s WHERE (s.ns = @ns) AND (TRUE) ORDER BY s.key", none.ToSql("s.key", "state s", "s.ns = @ns"));

        var both = MangoQueryTranslator.Translate("""{"selector":{},"limit":0,"skip":7}""");
        Assert.Equal("LIMIT @q0::bigint OFFSET @q1::bigint", both.LimitOffset);
        Assert.Equal([new SqlParameterValue("q0", 0L, "bigint"), new SqlParameterValue("q1", 7L, "bigint")], both.Parameters);
    }

    [Fact]
    public void Options_rename_the_alias_and_parameters_and_are_validated()
    {
        var query = MangoQueryTranslator.Translate("""{"selector":{"_id":"k","a":1}}""", new QueryTranslatorOptions { TableAlias = "st", ParameterPrefix = "sel_" });
        Assert.Equal("(st.key = @sel_0::bytea) AND ((st.doc #> @sel_1::text[]) = @sel_2::jsonb)", query.Where);
        Assert.Throws<ArgumentException>(() => MangoQueryTranslator.Translate("{\"selector\":{}}", new QueryTranslatorOptions { TableAlias = "s; drop" }));
        Assert.Throws<ArgumentException>(() => MangoQueryTranslator.Translate("{\"selector\":{}}", new QueryTranslatorOptions { ParameterPrefix = "P" }));
    }

    [Theory]
    [InlineData("a", new[] { "a" })]
    [InlineData("a.b.c", new[] { "a", "b", "c" })]
    [InlineData("a\\.b", new[] { "a.b" })]
    [InlineData("a\\.b.c\\.d", new[] { "a.b", "c.d" })]
    [InlineData("a\\b", new[] { "a\\b" })]
    [InlineData("a..b", new[] { "a", "", "b" })]
    [InlineData("items.0.name", new[] { "items", "0", "name" })]
    [InlineData("", new[] { "" })]
    public void Field_paths_split_on_unescaped_dots(string text, string[] segments)
    {
        var path = FieldPath.Parse(text);
        Assert.Equal(segments, path.Segments);
        Assert.Equal(text, path.Text);
    }

    [Fact]
    public void Use_index_and_couchdb_only_options_are_accepted_and_ignored()
    {
        var query = MangoQueryTranslator.Translate("""{"selector":{},"use_index":"_design/x","execution_stats":true,"bookmark":"abc","r":1}""");
        Assert.Equal("TRUE", query.Where);
        MangoQueryTranslator.Translate("""{"selector":{},"use_index":["_design/x","y"]}""");
    }

    public static TheoryData<string, string, string> Projections => new()
    {
        { """{"owner":"tom","size":3,"color":"red"}""", """["owner","size"]""", """{"owner":"tom","size":3}""" },
        { """{"b":1,"a":{"z":1,"y":[{"d":1,"c":2}]}}""", """[]""", """{"a":{"y":[{"c":2,"d":1}],"z":1},"b":1}""" },
        { """{"a":{"b":{"c":1,"d":2},"e":3},"f":4}""", """["a.b.c","f"]""", """{"a":{"b":{"c":1}},"f":4}""" },
        { """{"a":{"b":1,"c":2}}""", """["a.b","a"]""", """{"a":{"b":1,"c":2}}""" },
        { """{"a":{"b":1,"c":2}}""", """["a","a.b"]""", """{"a":{"b":1,"c":2}}""" },
        { """{"a.b":1,"a":{"b":2}}""", """["a\\.b"]""", """{"a.b":1}""" },
        { """{"a":1}""", """["missing","a.x","_id","a"]""", """{"a":1}""" },
        { """{"n":1.50,"big":12345678901234567890}""", """["n","big"]""", """{"big":12345678901234567890,"n":1.50}""" },
        { """{"a":[{"b":1}]}""", """["a.0.b"]""", """{}""" },
    };

    [Theory]
    [MemberData(nameof(Projections))]
    public void Projection_keeps_only_the_fields_in_sorted_key_order(string document, string fields, string expected)
    {
        var query = MangoQueryTranslator.Translate($$"""{"selector":{},"fields":{{fields}}}""");
        using var doc = JsonDocument.Parse(document);
        Assert.Equal(expected, Encoding.UTF8.GetString(query.Project(doc.RootElement)));
    }

    [Fact]
    public void Projection_escapes_strings_as_go_encoding_json_does()
    {
        // Members sorted by UTF-8 bytes; "<", ">", "&", U+2028, U+2029 and controls escaped with lower-case hex;
        // \n \r \t short; other non-ASCII (é, 😀, DEL) raw; duplicate members keep the last, as a Go map does.
        const string Document = "{\"z\":\"\\u003Ca&b>\",\"\u00e9\":1,\"a\":\"\\u2028\\u2029\\u0001\\u001f\\n\\r\\t\\b\\f\\\"\\\\/\u007f\u00e9\ud83d\ude00\",\"d\":1,\"d\":2}";
        using var doc = JsonDocument.Parse(Document);
        var projected = QueryProjection.Project(doc.RootElement, []);
        const string Expected = "{\"a\":\"\\u2028\\u2029\\u0001\\u001f\\n\\r\\t\\u0008\\u000c\\\"\\\\/\u007f\u00e9\ud83d\ude00\",\"d\":2,\"z\":\"\\u003ca\\u0026b\\u003e\",\"\u00e9\":1}";
        Assert.Equal(Expected, Encoding.UTF8.GetString(projected));
        Assert.Equal(Encoding.UTF8.GetBytes(Expected), projected);
    }

    [Fact]
    public void Projection_refuses_a_non_object()
    {
        using var doc = JsonDocument.Parse("[1]");
        Assert.Throws<ArgumentException>(() => QueryProjection.Project(doc.RootElement, []));
    }
}
