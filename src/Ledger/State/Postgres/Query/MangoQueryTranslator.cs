using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ZonCoin.Ledger.State.Postgres.Query;

/// <summary>
/// Translates a CouchDB Mango query, as Fabric chaincode passes to <c>GetQueryResult</c> and
/// <c>GetQueryResultWithPagination</c>, into parameterised PostgreSQL (15 or later) over the state table:
/// <c>key bytea</c> (the key's UTF-8 bytes), <c>value bytea</c>, <c>doc jsonb</c> (NULL when the value is not a
/// JSON object).
/// Every field name and every value goes into a parameter; the SQL text holds only the translator's own
/// fixed fragments, the table alias and parameter placeholders.
/// </summary>
/// <remarks>
/// <para><b>Query options.</b> <c>selector</c> (required, an object), <c>sort</c>, <c>limit</c>, <c>skip</c>,
/// <c>fields</c>, <c>use_index</c> (checked to be a string or array of strings, then ignored: PostgreSQL plans
/// with its own indexes). CouchDB's <c>bookmark</c>, <c>execution_stats</c>, <c>r</c>, <c>conflicts</c>,
/// <c>update</c>, <c>stable</c> and <c>stale</c> are accepted and ignored (pagination uses the bookmark passed to
/// <see cref="TranslatePage"/>); any other option is an error. With no <c>limit</c> every match is returned
/// (the caller may cap it, as Fabric caps with <c>totalQueryLimit</c>). The namespace restriction is the caller's.</para>
/// <para><b>Fields.</b> Dots separate nested members, <c>\.</c> is a literal dot (see <see cref="FieldPath"/>);
/// a numeric segment also indexes arrays. <c>{"a": {"b": 1}}</c> means <c>{"a.b": 1}</c>, as in CouchDB, except
/// that <c>{"a": {}}</c> is equality with the empty object. <c>_id</c> at the top level is the key column, compared as
/// bytes: operands go as <c>bytea</c> parameters holding their UTF-8 bytes, so <c>= &lt;&gt; &lt; &gt;</c> and
/// <c>$in</c> follow memcmp order (Go's <c>bytes.Compare</c>, Fabric's key order) and composite keys (which
/// start with U+0000, which <c>text</c> cannot hold) work; <c>$beginsWith</c> compares the byte prefix, and
/// <c>$regex</c> matches only keys without a NUL byte (read as text).</para>
/// <para><b>Missing fields.</b> As in CouchDB, a condition on a field that a document lacks is false, whatever
/// the operator (<c>$ne</c>, <c>$nin</c> and <c>$not</c> under a field included), except <c>{"$exists": false}</c>.
/// The top-level <c>$not</c> and <c>$nor</c> are plain negations, so they also match rows whose value is not
/// JSON (<c>doc</c> NULL), as CouchDB matches Fabric's binary-value documents.</para>
/// <para><b>Equality</b> (<c>$eq</c>, implicit equality, <c>$ne</c>, <c>$in</c>, <c>$nin</c>, <c>$all</c>) is
/// jsonb equality: same type and value, numbers numerically (1 equals 1.0), arrays element by element in order,
/// objects by members in any order. <c>$in</c>/<c>$nin</c> on an array field test its elements (CouchDB's
/// behaviour); <c>$eq</c> on an array field compares the whole array.</para>
/// <para><b>Ordering comparisons</b> (<c>$gt $gte $lt $lte</c>) match only values of the operand's JSON type,
/// unlike CouchDB, whose collation makes every string greater than every number: numbers compare numerically
/// (exact decimal), strings by Unicode code point (PostgreSQL <c>COLLATE "C"</c>, not CouchDB's ICU collation;
/// the same on every peer), <c>false &lt; true</c>, and <c>null</c> equals only <c>null</c>. An array or object
/// operand is an error. On <c>_id</c> the operand must be a string, otherwise nothing matches.</para>
/// <para><b>Others.</b> <c>$exists</c> takes a boolean. <c>$regex</c> takes a string and matches only string
/// fields with PostgreSQL's <c>~</c>: the POSIX dialect (PostgreSQL's advanced regular expressions), not PCRE
/// as CouchDB uses. Common patterns behave alike; possessive quantifiers, named groups and <c>\K</c> do not exist,
/// and embedded options such as <c>(?i)</c> are allowed only at the very start. An invalid pattern fails when the
/// query runs, not here.
/// <c>$size</c> takes a non-negative integer and matches arrays of that length. <c>$all</c> takes an array and
/// matches an array field holding every element (an empty <c>$all</c> matches nothing). <c>$elemMatch</c> and
/// <c>$allMatch</c> take a selector applied to each element (operators there apply to the element itself, so
/// <c>{"$elemMatch": {"$gt": 3}}</c> works); <c>$allMatch</c> needs a non-empty array. <c>$beginsWith</c> takes a
/// string prefix. <c>$and</c>, <c>$or</c>, <c>$nor</c> take arrays of selectors (empty: true, true, true) and
/// <c>$not</c> a selector; all four nest freely, at the top level and under a field.
/// <c>$mod</c>, <c>$type</c>, <c>$text</c>, <c>$keyMapMatch</c> and unknown operators are errors.</para>
/// <para><b>Sort.</b> <c>["a", {"b": "desc"}]</c>; directions may differ per field. As with a CouchDB json index,
/// documents lacking a sort field are left out. Values order by CouchDB's type order
/// (null &lt; false &lt; true &lt; numbers &lt; strings &lt; arrays &lt; objects), then numbers numerically,
/// strings by code point, arrays and objects by PostgreSQL's jsonb order; then by key, in the last sort field's
/// direction, so the order is total and paging is stable. No sort orders by key.</para>
/// </remarks>
public static class MangoQueryTranslator
{
    private static readonly HashSet<string> IgnoredOptions =
        ["bookmark", "execution_stats", "r", "conflicts", "update", "stable", "stale"];

    private static readonly HashSet<string> RejectedOperators = ["$mod", "$type", "$text", "$keyMapMatch"];

    /// <summary>Translates a query for <c>GetQueryResult</c>.</summary>
    /// <exception cref="QueryException">The query is malformed or uses something unsupported.</exception>
    public static TranslatedQuery Translate(string queryJson, QueryTranslatorOptions? options = null) =>
        Run(queryJson, options, page: null);

    /// <summary>
    /// Translates one page of <c>GetQueryResultWithPagination(query, pageSize, bookmark)</c>. As in Fabric, the
    /// page size replaces the query's own <c>limit</c>; a page size of 0 means no limit. The query's <c>skip</c>
    /// applies to the first page only. An empty or null bookmark starts at the beginning; pass the
    /// previous page's <see cref="TranslatedQuery.NextBookmark"/> for the next one. See
    /// <see cref="TranslatedQuery.NextBookmark"/> for the bookmark format.
    /// </summary>
    /// <exception cref="QueryException">The query or bookmark is malformed, or the page size is negative.</exception>
    public static TranslatedQuery TranslatePage(string queryJson, int pageSize, string? bookmark, QueryTranslatorOptions? options = null)
    {
        if (pageSize < 0)
        {
            throw new QueryException($"page size {pageSize.ToString(CultureInfo.InvariantCulture)} is negative");
        }

        return Run(queryJson, options, new PageRequest(pageSize, bookmark ?? string.Empty));
    }

    private static TranslatedQuery Run(string queryJson, QueryTranslatorOptions? options, PageRequest? page)
    {
        ArgumentNullException.ThrowIfNull(queryJson);
        options ??= new QueryTranslatorOptions();
        options.Validate();

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(queryJson);
        }
        catch (JsonException e)
        {
            throw new QueryException($"query is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new QueryException($"query must be a JSON object, found {Kind(root)}");
            }

            JsonElement? selector = null;
            JsonElement? sort = null;
            long? limit = null;
            long skip = 0;
            IReadOnlyList<FieldPath> fields = [];
            foreach (var option in root.EnumerateObject())
            {
                switch (option.Name)
                {
                    case "selector":
                        selector = option.Value;
                        break;
                    case "sort":
                        sort = option.Value;
                        break;
                    case "limit":
                        limit = NonNegative(option.Value, "limit");
                        break;
                    case "skip":
                        skip = NonNegative(option.Value, "skip");
                        break;
                    case "fields":
                        fields = ParseFields(option.Value);
                        break;
                    case "use_index":
                        CheckUseIndex(option.Value);
                        break;
                    default:
                        if (!IgnoredOptions.Contains(option.Name))
                        {
                            throw new QueryException($"unsupported query option '{option.Name}'");
                        }

                        break;
                }
            }

            if (selector is null)
            {
                throw new QueryException("query has no selector");
            }

            if (selector.Value.ValueKind != JsonValueKind.Object)
            {
                throw new QueryException($"selector must be a JSON object, found {Kind(selector.Value)}");
            }

            var sortFields = sort is null ? [] : ParseSort(sort.Value);
            var builder = new Builder(options);
            var where = new List<string> { builder.Selector(selector.Value, Target.Document(options.TableAlias), documentRoot: true) };
            var orderBy = new List<string>();
            foreach (var field in sortFields)
            {
                if (!field.Field.IsId)
                {
                    var expression = builder.Path(options.TableAlias + ".doc", field.Field);
                    where.Add($"{expression} IS NOT NULL");
                    var direction = field.Descending ? " DESC" : string.Empty;
                    orderBy.Add($"CASE jsonb_typeof({expression}) WHEN 'null' THEN 0 WHEN 'boolean' THEN 1 WHEN 'number' THEN 2 WHEN 'string' THEN 3 WHEN 'array' THEN 4 ELSE 5 END{direction}");
                    orderBy.Add($"CASE WHEN jsonb_typeof({expression}) <> 'string' THEN {expression} END{direction}");
                    orderBy.Add($"(CASE WHEN jsonb_typeof({expression}) = 'string' THEN {expression} #>> '{{}}' END) COLLATE \"C\"{direction}");
                }
            }

            var keyDescending = sortFields.Count > 0 && sortFields[^1].Descending;
            orderBy.Add($"{options.TableAlias}.key{(keyDescending ? " DESC" : string.Empty)}");
            var keyOrdered = sortFields.All(f => f.Field.IsId);

            PageState? pageState = null;
            if (page is not null)
            {
                limit = page.PageSize == 0 ? null : page.PageSize;
                var position = QueryBookmark.Decode(page.Bookmark);
                if (position.LastKey is not null)
                {
                    if (!keyOrdered)
                    {
                        throw new QueryException("bookmark does not belong to this query: it continues a key-ordered query, but the query sorts by other fields");
                    }

                    where.Add($"{options.TableAlias}.key {(keyDescending ? "<" : ">")} {builder.Param(Utf8(position.LastKey), "bytea")}");
                    skip = 0;
                }
                else if (position.Offset is { } offset)
                {
                    skip = offset;
                }

                pageState = new PageState(page.Bookmark, keyOrdered, skip);
            }

            if (options.MaxLimit is { } max && (limit is null || limit > max))
            {
                limit = max;
            }

            var limitOffset = new StringBuilder();
            if (limit is { } l)
            {
                limitOffset.Append("LIMIT ").Append(builder.Param(l, "bigint"));
            }

            if (skip > 0)
            {
                limitOffset.Append(limitOffset.Length > 0 ? " " : string.Empty).Append("OFFSET ").Append(builder.Param(skip, "bigint"));
            }

            return new TranslatedQuery(
                options.TableAlias,
                where.Count == 1 ? where[0] : string.Join(" AND ", where.Select(w => "(" + w + ")")),
                string.Join(", ", orderBy),
                limitOffset.ToString(),
                builder.Parameters,
                fields,
                sortFields,
                limit,
                skip,
                pageState);
        }
    }

    private static long NonNegative(JsonElement value, string option)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            throw new QueryException($"{option} must be an integer, found {Kind(value)} {Truncate(value.GetRawText())}");
        }

        if (number < 0)
        {
            throw new QueryException($"{option} must not be negative, found {number.ToString(CultureInfo.InvariantCulture)}");
        }

        return number;
    }

    private static List<FieldPath> ParseFields(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new QueryException($"fields must be an array of field names, found {Kind(value)}");
        }

        var fields = new List<FieldPath>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw new QueryException($"fields must be an array of field names, found {Kind(item)} {Truncate(item.GetRawText())} in it");
            }

            fields.Add(FieldPath.Parse(item.GetString()!));
        }

        return fields;
    }

    private static void CheckUseIndex(JsonElement value)
    {
        var valid = value.ValueKind == JsonValueKind.String
            || (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(i => i.ValueKind == JsonValueKind.String));
        if (!valid)
        {
            throw new QueryException($"use_index must be a design document name or [design document, index name], found {Kind(value)}");
        }
    }

    private static List<SortField> ParseSort(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new QueryException($"sort must be an array of field names or {{\"field\": \"asc\"|\"desc\"}} objects, found {Kind(value)}");
        }

        var sort = new List<SortField>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                sort.Add(new SortField(FieldPath.Parse(item.GetString()!), Descending: false));
                continue;
            }

            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new QueryException($"sort entry must be a field name or {{\"field\": \"asc\"|\"desc\"}}, found {Kind(item)} {Truncate(item.GetRawText())}");
            }

            var properties = item.EnumerateObject().ToList();
            if (properties.Count != 1)
            {
                throw new QueryException($"sort entry {Truncate(item.GetRawText())} must have exactly one field");
            }

            var direction = properties[0].Value;
            var text = direction.ValueKind == JsonValueKind.String ? direction.GetString() : null;
            if (text is not ("asc" or "desc"))
            {
                throw new QueryException($"sort direction of '{properties[0].Name}' must be \"asc\" or \"desc\", found {Truncate(direction.GetRawText())}");
            }

            sort.Add(new SortField(FieldPath.Parse(properties[0].Name), text == "desc"));
        }

        return sort;
    }

    internal static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    internal static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    internal static string Truncate(string text) => text.Length <= 60 ? text : text[..57] + "...";

    private sealed record PageRequest(int PageSize, string Bookmark);

    /// <summary>What a field condition applies to: a jsonb expression plus a path, or the key column.</summary>
    private sealed class Target
    {
        private Target(string baseExpression, FieldPath path, string? keyColumn, string label)
        {
            BaseExpression = baseExpression;
            FieldPath = path;
            KeyColumn = keyColumn;
            Label = label;
        }

        public string BaseExpression { get; }

        public FieldPath FieldPath { get; }

        /// <summary>The key column when the target is <c>_id</c>.</summary>
        public string? KeyColumn { get; }

        /// <summary>The field as the error messages name it.</summary>
        public string Label { get; }

        public static Target Document(string alias) => new(alias + ".doc", FieldPath.Empty, null, string.Empty);

        /// <summary>
        /// The key: comparisons use the bytea column; the jsonb base expression (for <c>IS NOT NULL</c> and the array
        /// operators, which never match a key) is the key as a JSON string, empty for a key with a NUL byte.
        /// </summary>
        public static Target Key(string alias) => new($"to_jsonb(COALESCE({KeyText(alias)}, ''))", FieldPath.Empty, alias + ".key", "_id");

        /// <summary>The key as text when it holds no NUL byte (PostgreSQL text cannot), else NULL.</summary>
        public static string KeyText(string alias) =>
            $"(CASE WHEN position('\\x00'::bytea in {alias}.key) = 0 THEN convert_from({alias}.key, 'UTF8') END)";

        public static Target Element(string expression, string label) => new(expression, FieldPath.Empty, null, label);

        public Target Child(FieldPath child) =>
            new(BaseExpression, FieldPath.Append(child), null, Label.Length == 0 ? child.Text : Label + "." + child.Text);
    }

    private sealed class Builder
    {
        private readonly QueryTranslatorOptions _options;
        private readonly List<SqlParameterValue> _parameters = [];
        private readonly Dictionary<Target, string> _expressions = [];
        private int _aliases;

        /// <summary>Above 0 inside a negation, where a NULL (missing field) must read as false, not unknown.</summary>
        private int _strict;

        public Builder(QueryTranslatorOptions options)
        {
            _options = options;
        }

        public IReadOnlyList<SqlParameterValue> Parameters => _parameters;

        public string Param(object value, string pgType)
        {
            var name = _options.ParameterPrefix + _parameters.Count.ToString(CultureInfo.InvariantCulture);
            _parameters.Add(new SqlParameterValue(name, value, pgType));
            return $"@{name}::{pgType}";
        }

        public string Path(string baseExpression, FieldPath path) =>
            path.Segments.Count == 0 ? baseExpression : $"({baseExpression} #> {Param(path.Segments.ToArray(), "text[]")})";

        /// <summary>The target's jsonb value: <c>(base #&gt; @path)</c>, NULL when missing.</summary>
        private string Expression(Target target) =>
            target.FieldPath.Segments.Count == 0 ? target.BaseExpression : $"({target.BaseExpression} #> {PathParameter(target)})";

        /// <summary>
        /// The target's value as text: <c>(base #&gt;&gt; @path)</c>, the string itself for a JSON string (the form an
        /// expression index on <c>(doc #&gt;&gt; '{a}') COLLATE "C"</c> serves).
        /// </summary>
        private string TextExpression(Target target) =>
            target.FieldPath.Segments.Count == 0 ? $"({target.BaseExpression} #>> '{{}}')" : $"({target.BaseExpression} #>> {PathParameter(target)})";

        private string PathParameter(Target target)
        {
            if (!_expressions.TryGetValue(target, out var parameter))
            {
                parameter = Param(target.FieldPath.Segments.ToArray(), "text[]");
                _expressions[target] = parameter;
            }

            return parameter;
        }

        /// <summary>
        /// A predicate that is NULL when its field is missing. Outside negations NULL already rejects the row, and the
        /// bare comparison stays usable by expression indexes; inside one it must become false.
        /// </summary>
        private string Nullable(string predicate) => _strict > 0 ? $"COALESCE({predicate}, false)" : predicate;

        /// <summary>Translates <paramref name="negated"/>'s content with NULLs made false.</summary>
        private string Strict(Func<string> negated)
        {
            _strict++;
            try
            {
                return negated();
            }
            finally
            {
                _strict--;
            }
        }

        private string NextAlias(string stem) => stem + (_aliases++).ToString(CultureInfo.InvariantCulture);

        /// <summary>A selector (an object of field conditions and operators) applied to <paramref name="target"/>.</summary>
        public string Selector(JsonElement selector, Target target, bool documentRoot)
        {
            if (selector.ValueKind != JsonValueKind.Object)
            {
                throw new QueryException($"selector at path '{target.Label}' must be a JSON object, found {Kind(selector)} {Truncate(selector.GetRawText())}");
            }

            var parts = new List<string>();
            foreach (var property in selector.EnumerateObject())
            {
                if (property.Name.StartsWith('$'))
                {
                    parts.Add(Operator(target, property.Name, property.Value, documentRoot));
                }
                else
                {
                    var field = FieldPath.Parse(property.Name);
                    var child = documentRoot && field.IsId ? Target.Key(_options.TableAlias) : target.Child(field);
                    parts.Add(FieldCondition(child, property.Value));
                }
            }

            return And(parts);
        }

        private static string And(List<string> parts) => parts.Count switch
        {
            0 => "TRUE",
            1 => parts[0],
            _ => string.Join(" AND ", parts.Select(p => "(" + p + ")")),
        };

        /// <summary>The value of a field in a selector: an object of operators or subfields, or a value to equal.</summary>
        private string FieldCondition(Target target, JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.Object && value.EnumerateObject().Any())
            {
                return Selector(value, target, documentRoot: false);
            }

            return Equal(target, value);
        }

        private string Operator(Target target, string name, JsonElement argument, bool documentRoot)
        {
            switch (name)
            {
                case "$and":
                case "$or":
                case "$nor":
                {
                    if (argument.ValueKind != JsonValueKind.Array)
                    {
                        throw new QueryException($"operator {name} in selector at path '{target.Label}' needs an array of selectors, found {Kind(argument)}");
                    }

                    var parts = name == "$nor"
                        ? argument.EnumerateArray().Select(item => Strict(() => Selector(item, target, documentRoot))).ToList()
                        : argument.EnumerateArray().Select(item => Selector(item, target, documentRoot)).ToList();
                    var combined = name switch
                    {
                        "$and" => And(parts),
                        "$or" => parts.Count == 0 ? "TRUE" : string.Join(" OR ", parts.Select(p => "(" + p + ")")),
                        _ => parts.Count == 0 ? "TRUE" : "NOT (" + string.Join(" OR ", parts.Select(p => "(" + p + ")")) + ")",
                    };
                    return documentRoot ? combined : $"{Expression(target)} IS NOT NULL AND ({combined})";
                }

                case "$not":
                {
                    if (argument.ValueKind != JsonValueKind.Object)
                    {
                        throw new QueryException($"operator $not in selector at path '{target.Label}' needs a selector object, found {Kind(argument)}");
                    }

                    var negated = $"NOT ({Strict(() => Selector(argument, target, documentRoot))})";
                    return documentRoot ? negated : $"{Expression(target)} IS NOT NULL AND {negated}";
                }
            }

            if (RejectedOperators.Contains(name) || !IsLeafOperator(name))
            {
                throw new QueryException($"unsupported operator {name} in selector at path '{target.Label}'");
            }

            if (documentRoot)
            {
                throw new QueryException($"operator {name} at the top of the selector needs a field: write {{\"field\": {{\"{name}\": ...}}}}");
            }

            return Leaf(target, name, argument);
        }

        private static bool IsLeafOperator(string name) => name is "$eq" or "$ne" or "$gt" or "$gte" or "$lt" or "$lte"
            or "$in" or "$nin" or "$exists" or "$regex" or "$beginsWith" or "$size" or "$all" or "$elemMatch" or "$allMatch";

        private string Leaf(Target target, string name, JsonElement argument)
        {
            var key = target.KeyColumn;
            switch (name)
            {
                case "$eq":
                    return Equal(target, argument);
                case "$ne":
                    if (key is not null)
                    {
                        return argument.ValueKind == JsonValueKind.String ? $"{key} <> {Param(Utf8(argument.GetString()!), "bytea")}" : "TRUE";
                    }

                    return Nullable($"{Expression(target)} <> {Param(argument.GetRawText(), "jsonb")}");
                case "$gt":
                    return Compare(target, ">", name, argument);
                case "$gte":
                    return Compare(target, ">=", name, argument);
                case "$lt":
                    return Compare(target, "<", name, argument);
                case "$lte":
                    return Compare(target, "<=", name, argument);
                case "$in":
                    return In(target, name, argument);
                case "$nin":
                    return key is not null
                        ? $"NOT ({Strict(() => In(target, name, argument))})"
                        : $"{Expression(target)} IS NOT NULL AND NOT {Strict(() => In(target, name, argument))}";
                case "$exists":
                {
                    if (argument.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        throw Operand(name, target, "a boolean", argument);
                    }

                    var exists = argument.ValueKind == JsonValueKind.True;
                    if (key is not null)
                    {
                        return exists ? "TRUE" : "FALSE";
                    }

                    return $"{Expression(target)} IS {(exists ? "NOT NULL" : "NULL")}";
                }

                case "$regex":
                case "$beginsWith":
                {
                    if (argument.ValueKind != JsonValueKind.String)
                    {
                        throw Operand(name, target, "a string", argument);
                    }

                    if (key is not null)
                    {
                        if (name == "$regex")
                        {
                            return Nullable($"{Target.KeyText(_options.TableAlias)} ~ {Param(argument.GetString()!, "text")}");
                        }

                        var prefix = Param(Utf8(argument.GetString()!), "bytea");
                        return $"substr({key}, 1, length({prefix})) = {prefix}";
                    }

                    var text = TextExpression(target);
                    var pattern = Param(argument.GetString()!, "text");
                    var test = name == "$regex" ? $"{text} ~ {pattern}" : $"starts_with({text}, {pattern})";
                    return Nullable($"jsonb_typeof({Expression(target)}) = 'string' AND {test}");
                }

                case "$size":
                {
                    if (argument.ValueKind != JsonValueKind.Number || !argument.TryGetInt32(out var size) || size < 0)
                    {
                        throw Operand(name, target, "a non-negative integer", argument);
                    }

                    var x = Expression(target);
                    return $"CASE WHEN jsonb_typeof({x}) = 'array' THEN jsonb_array_length({x}) = {Param(size, "integer")} ELSE false END";
                }

                case "$all":
                {
                    if (argument.ValueKind != JsonValueKind.Array)
                    {
                        throw Operand(name, target, "an array", argument);
                    }

                    var x = Expression(target);
                    var values = Param(argument.EnumerateArray().Select(v => v.GetRawText()).ToArray(), "jsonb[]");
                    var wanted = NextAlias("a");
                    var element = NextAlias("e");
                    return $"CASE WHEN jsonb_typeof({x}) = 'array' THEN cardinality({values}) > 0 AND NOT EXISTS (SELECT 1 FROM unnest({values}) AS {wanted}(v) WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements({x}) AS {element}(v) WHERE {element}.v = {wanted}.v)) ELSE false END";
                }

                default: // $elemMatch, $allMatch
                {
                    if (argument.ValueKind != JsonValueKind.Object)
                    {
                        throw Operand(name, target, "a selector object", argument);
                    }

                    var x = Expression(target);
                    var element = NextAlias("e");
                    var elementTarget = Target.Element(element + ".v", target.Label + "[]");
                    var condition = name == "$elemMatch"
                        ? Selector(argument, elementTarget, documentRoot: false)
                        : Strict(() => Selector(argument, elementTarget, documentRoot: false));
                    return name == "$elemMatch"
                        ? $"CASE WHEN jsonb_typeof({x}) = 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements({x}) AS {element}(v) WHERE {condition}) ELSE false END"
                        : $"CASE WHEN jsonb_typeof({x}) = 'array' THEN jsonb_array_length({x}) > 0 AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements({x}) AS {element}(v) WHERE NOT ({condition})) ELSE false END";
                }
            }
        }

        private static QueryException Operand(string name, Target target, string wanted, JsonElement found) =>
            new($"operator {name} in selector at path '{target.Label}' needs {wanted}, found {Kind(found)} {Truncate(found.GetRawText())}");

        private string Equal(Target target, JsonElement value)
        {
            if (target.KeyColumn is { } key)
            {
                return value.ValueKind == JsonValueKind.String ? $"{key} = {Param(Utf8(value.GetString()!), "bytea")}" : "FALSE";
            }

            return Nullable($"{Expression(target)} = {Param(value.GetRawText(), "jsonb")}");
        }

        private string Compare(Target target, string sqlOperator, string name, JsonElement operand)
        {
            if (operand.ValueKind is JsonValueKind.Array or JsonValueKind.Object)
            {
                throw Operand(name, target, "a number, string, boolean or null", operand);
            }

            if (target.KeyColumn is { } key)
            {
                return operand.ValueKind == JsonValueKind.String
                    ? $"{key} {sqlOperator} {Param(Utf8(operand.GetString()!), "bytea")}"
                    : "FALSE";
            }

            var x = Expression(target);
            if (operand.ValueKind == JsonValueKind.String)
            {
                return Nullable($"jsonb_typeof({x}) = 'string' AND {TextExpression(target)} COLLATE \"C\" {sqlOperator} {Param(operand.GetString()!, "text")}");
            }

            var type = operand.ValueKind switch
            {
                JsonValueKind.Number => "number",
                JsonValueKind.Null => "null",
                _ => "boolean",
            };
            return Nullable($"jsonb_typeof({x}) = '{type}' AND {x} {sqlOperator} {Param(operand.GetRawText(), "jsonb")}");
        }

        private string In(Target target, string name, JsonElement operand)
        {
            if (operand.ValueKind != JsonValueKind.Array)
            {
                throw Operand(name, target, "an array", operand);
            }

            if (target.KeyColumn is { } key)
            {
                var keys = operand.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => Utf8(v.GetString()!)).ToArray();
                return $"{key} = ANY({Param(keys, "bytea[]")})";
            }

            var x = Expression(target);
            var values = Param(operand.EnumerateArray().Select(v => v.GetRawText()).ToArray(), "jsonb[]");
            var element = NextAlias("e");
            return $"(CASE WHEN jsonb_typeof({x}) = 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements({x}) AS {element}(v) WHERE {element}.v = ANY({values})) ELSE {Nullable($"{x} = ANY({values})")} END)";
        }
    }
}
