using System.Text.Json;

namespace ZonCoin.Ledger.State.Postgres.Query;

/// <summary>
/// A rich query translated to PostgreSQL: SQL fragments over the table alias <see cref="TableAlias"/> plus the
/// parameters they reference. Compose them with <see cref="ToSql"/> (or by hand), adding the namespace condition.
/// </summary>
public sealed class TranslatedQuery
{
    private readonly PageState? _page;

    internal TranslatedQuery(
        string tableAlias,
        string where,
        string orderBy,
        string limitOffset,
        IReadOnlyList<SqlParameterValue> parameters,
        IReadOnlyList<FieldPath> fields,
        IReadOnlyList<SortField> sort,
        long? limit,
        long skip,
        PageState? page)
    {
        TableAlias = tableAlias;
        Where = where;
        OrderBy = orderBy;
        LimitOffset = limitOffset;
        Parameters = parameters;
        Fields = fields;
        Sort = sort;
        Limit = limit;
        Skip = skip;
        _page = page;
    }

    /// <summary>The alias the fragments use for the state table.</summary>
    public string TableAlias { get; }

    /// <summary>The boolean condition of the selector (and the sort fields' existence); never empty.</summary>
    public string Where { get; }

    /// <summary>The ORDER BY list (without the keywords); always ends with the key, so the order is total.</summary>
    public string OrderBy { get; }

    /// <summary><c>LIMIT @x</c>, <c>OFFSET @y</c>, both, or empty.</summary>
    public string LimitOffset { get; }

    /// <summary>Every parameter the fragments reference, in order of first use.</summary>
    public IReadOnlyList<SqlParameterValue> Parameters { get; }

    /// <summary>The <c>fields</c> projection; empty when the query returns whole documents.</summary>
    public IReadOnlyList<FieldPath> Fields { get; }

    /// <summary>The parsed <c>sort</c>.</summary>
    public IReadOnlyList<SortField> Sort { get; }

    /// <summary>The row limit (the page size when paginated); null for none.</summary>
    public long? Limit { get; }

    /// <summary>The number of rows skipped (the bookmark's offset when paginated, 0 after a key bookmark).</summary>
    public long Skip { get; }

    /// <summary>
    /// A whole statement: <c>SELECT {selectList} FROM {from} WHERE ({extraCondition}) AND (...) ORDER BY ... LIMIT ...</c>.
    /// <paramref name="from"/> must name the state table with <see cref="TableAlias"/>; <paramref name="extraCondition"/>
    /// is the caller's (the namespace restriction, with the caller's own parameters).
    /// </summary>
    public string ToSql(string selectList, string from, string? extraCondition = null)
    {
        var where = string.IsNullOrEmpty(extraCondition) ? Where : $"({extraCondition}) AND ({Where})";
        var sql = $"SELECT {selectList} FROM {from} WHERE {where} ORDER BY {OrderBy}";
        return LimitOffset.Length == 0 ? sql : sql + " " + LimitOffset;
    }

    /// <summary>
    /// The bookmark of the page after this one, for <c>GetQueryResultWithPagination</c>'s response metadata, given
    /// how many rows this page returned and the key of the last one. Queries ordered by key (no <c>sort</c>, or
    /// <c>sort</c> on <c>_id</c> alone) get a key bookmark: the next page starts after that key, so writes between
    /// pages neither repeat nor skip rows. Queries sorted by document fields get an offset bookmark (the rows read
    /// so far, counting <c>skip</c>): a key alone cannot say where such an order resumes, so a write between pages
    /// that adds or removes rows before the position shifts the next page by that many rows (CouchDB's own
    /// bookmark resumes after the last sort values instead). An empty page returns the bookmark it was given, so
    /// asking again returns an empty page again.
    /// </summary>
    /// <exception cref="InvalidOperationException">The query was not translated with <see cref="MangoQueryTranslator.TranslatePage"/>, or a key is needed and missing.</exception>
    public string NextBookmark(int returnedCount, string? lastKey)
    {
        if (_page is null)
        {
            throw new InvalidOperationException("Only a query translated with TranslatePage has bookmarks.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(returnedCount);
        if (returnedCount == 0)
        {
            return _page.Bookmark;
        }

        if (_page.KeyOrdered)
        {
            return lastKey is null
                ? throw new InvalidOperationException("A key-ordered page needs the key of its last row for the next bookmark.")
                : QueryBookmark.ForKey(lastKey);
        }

        return QueryBookmark.ForOffset(_page.Offset + returnedCount);
    }

    /// <summary>The document as the query returns it: only <see cref="Fields"/> when given (see <see cref="QueryProjection.Project"/>).</summary>
    public byte[] Project(JsonElement document) => QueryProjection.Project(document, Fields);
}
