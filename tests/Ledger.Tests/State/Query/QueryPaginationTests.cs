using System.Text;
using ZonCoin.Ledger.State;
using ZonCoin.Ledger.State.Postgres.Query;

namespace ZonCoin.Ledger.Tests.State.Query;

public sealed class QueryPaginationTests
{
    [Fact]
    public void A_key_ordered_query_pages_after_the_last_key()
    {
        const string Json = """{"selector":{"owner":"tom"},"limit":100,"skip":2}""";
        var first = MangoQueryTranslator.TranslatePage(Json, 10, null);

        Assert.Equal(10L, first.Limit);
        Assert.Equal(2L, first.Skip);
        Assert.Equal("LIMIT @q2::bigint OFFSET @q3::bigint", first.LimitOffset);
        Assert.DoesNotContain("s.key COLLATE", first.Where, StringComparison.Ordinal);

        var bookmark = first.NextBookmark(10, "marble\u00e9 09");
        var second = MangoQueryTranslator.TranslatePage(Json, 10, bookmark);
        Assert.EndsWith("(s.key > @q2::bytea)", second.Where, StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetBytes("marble\u00e9 09"), (byte[])second.Parameters[2].Value);
        Assert.Equal(0L, second.Skip);
        Assert.Equal("LIMIT @q3::bigint", second.LimitOffset);

        Assert.NotEqual(bookmark, second.NextBookmark(3, "marble99"));
        Assert.Equal(bookmark, second.NextBookmark(0, null));
    }

    [Fact]
    public void A_descending_key_sort_pages_before_the_last_key()
    {
        const string Json = """{"selector":{},"sort":[{"_id":"desc"}]}""";
        var first = MangoQueryTranslator.TranslatePage(Json, 2, string.Empty);
        var second = MangoQueryTranslator.TranslatePage(Json, 2, first.NextBookmark(2, "m"));
        Assert.Equal("s.key < @q0::bytea", second.Where[(second.Where.LastIndexOf('(') + 1)..^1]);
    }

    [Fact]
    public void A_query_sorted_by_fields_pages_by_offset_counting_the_skip()
    {
        const string Json = """{"selector":{"size":{"$gt":1}},"sort":["size"],"skip":5}""";
        var first = MangoQueryTranslator.TranslatePage(Json, 3, string.Empty);
        Assert.Equal(5L, first.Skip);

        var bookmark = first.NextBookmark(3, "k8");
        var second = MangoQueryTranslator.TranslatePage(Json, 3, bookmark);
        Assert.Equal(8L, second.Skip);
        Assert.Equal(3L, second.Limit);
        Assert.DoesNotContain("s.key >", second.Where, StringComparison.Ordinal);

        var third = MangoQueryTranslator.TranslatePage(Json, 3, second.NextBookmark(2, null));
        Assert.Equal(10L, third.Skip);
        Assert.Equal(second.NextBookmark(2, null), third.NextBookmark(0, null));
    }

    [Fact]
    public void Page_size_zero_means_no_limit_and_negative_is_refused()
    {
        var all = MangoQueryTranslator.TranslatePage("""{"selector":{},"limit":4}""", 0, "");
        Assert.Null(all.Limit);
        Assert.Equal(string.Empty, all.LimitOffset);

        var error = Assert.Throws<QueryException>(() => MangoQueryTranslator.TranslatePage("""{"selector":{}}""", -1, ""));
        Assert.Contains("page size -1 is negative", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("e30")] // {}
    [InlineData("eyJvIjotMX0")] // {"o":-1}
    [InlineData("eyJrIjoxfQ")] // {"k":1}
    [InlineData("W10")] // []
    [InlineData("bm90IGpzb24")] // not json
    public void Malformed_bookmarks_are_refused(string bookmark)
    {
        var error = Assert.Throws<QueryException>(() => MangoQueryTranslator.TranslatePage("""{"selector":{}}""", 5, bookmark));
        Assert.StartsWith("invalid bookmark", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_bookmark_cannot_continue_a_query_sorted_by_fields()
    {
        var keyBookmark = MangoQueryTranslator.TranslatePage("""{"selector":{}}""", 5, "").NextBookmark(5, "k5");
        var error = Assert.Throws<QueryException>(() => MangoQueryTranslator.TranslatePage("""{"selector":{},"sort":["a"]}""", 5, keyBookmark));
        Assert.Contains("bookmark does not belong to this query", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_offset_bookmark_also_continues_a_key_ordered_query()
    {
        var offset = MangoQueryTranslator.TranslatePage("""{"selector":{},"sort":["a"]}""", 5, "").NextBookmark(5, "k5");
        Assert.Equal(5L, MangoQueryTranslator.TranslatePage("""{"selector":{}}""", 5, offset).Skip);
    }

    [Fact]
    public void Bookmarks_are_url_safe_base64_of_json()
    {
        var bookmark = MangoQueryTranslator.TranslatePage("""{"selector":{}}""", 5, "").NextBookmark(1, "a/b+c?");
        Assert.Matches("^[A-Za-z0-9_-]+$", bookmark);
        Assert.Equal("""{"k":"a/b\u002Bc?"}""", Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(bookmark)));
    }

    [Fact]
    public void A_query_not_translated_for_paging_has_no_bookmark()
    {
        var query = MangoQueryTranslator.Translate("""{"selector":{}}""");
        Assert.Throws<InvalidOperationException>(() => query.NextBookmark(1, "k"));
        var page = MangoQueryTranslator.TranslatePage("""{"selector":{}}""", 1, "");
        Assert.Throws<InvalidOperationException>(() => page.NextBookmark(1, null));
    }
}
