using System.Text.Json;

namespace ZonCoin.Chaincode.TestKit;

/// <summary>
/// A small evaluator of CouchDB-style rich queries over JSON values: a <c>selector</c> of field equalities and
/// <c>$lt</c> / <c>$gte</c> string comparisons, and at most one ascending <c>sort</c> field. Values that are not JSON
/// objects never match; anything else in a query throws <see cref="NotSupportedException"/>.
/// </summary>
public static class SelectorQuery
{
    /// <summary>The entries of <paramref name="state"/> that match <paramref name="query"/>, in key order unless the query sorts.</summary>
    /// <param name="state">The entries to search, in key order.</param>
    /// <param name="query">The query, e.g. <c>{"selector":{"owner":"alice"},"sort":[{"name":"asc"}]}</c>.</param>
    public static IReadOnlyList<KeyValuePair<string, byte[]>> Evaluate(IEnumerable<KeyValuePair<string, byte[]>> state, string query)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var document = JsonDocument.Parse(query);
        var selector = document.RootElement.GetProperty("selector");
        var matches = new List<(KeyValuePair<string, byte[]> Entry, JsonElement Doc)>();
        foreach (var entry in state)
        {
            if (entry.Value.Length == 0 || entry.Value[0] != (byte)'{')
            {
                continue;
            }
            using var parsed = JsonDocument.Parse(entry.Value);
            var doc = parsed.RootElement.Clone();
            if (selector.EnumerateObject().All(condition => Matches(doc, condition)))
            {
                matches.Add((entry, doc));
            }
        }
        if (document.RootElement.TryGetProperty("sort", out var sort))
        {
            var fields = sort.EnumerateArray().ToList();
            var field = fields.Count == 1 ? fields[0].EnumerateObject().Single() : throw new NotSupportedException("the evaluator sorts on one field only");
            if (field.Value.GetString() != "asc")
            {
                throw new NotSupportedException("the evaluator sorts in ascending order only");
            }
            matches = [.. matches.OrderBy(m => m.Doc.GetProperty(field.Name).GetString(), StringComparer.Ordinal)];
        }
        return [.. matches.Select(m => m.Entry)];
    }

    private static bool Matches(JsonElement doc, JsonProperty condition)
    {
        if (!doc.TryGetProperty(condition.Name, out var actual))
        {
            return false;
        }
        if (condition.Value.ValueKind != JsonValueKind.Object)
        {
            return actual.GetRawText() == condition.Value.GetRawText();
        }
        return condition.Value.EnumerateObject().All(op => op.Name switch
        {
            "$lt" => string.CompareOrdinal(actual.GetString(), op.Value.GetString()) < 0,
            "$gte" => string.CompareOrdinal(actual.GetString(), op.Value.GetString()) >= 0,
            _ => throw new NotSupportedException($"the evaluator has no {op.Name}"),
        });
    }
}
