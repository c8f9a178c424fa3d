using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace ZonCoin.Ledger.State.Postgres.Query;

/// <summary>
/// Where the next page of a paginated rich query starts. Opaque to chaincode, like CouchDB's bookmark: base64url
/// (no padding) of a small UTF-8 JSON object, either <c>{"k":"last key"}</c> (key-ordered queries) or
/// <c>{"o":offset}</c> (queries sorted by document fields). The empty string is the first page.
/// </summary>
internal sealed record QueryBookmark(string? LastKey, long? Offset)
{
    public static QueryBookmark Start { get; } = new(null, null);

    public static string ForKey(string lastKey)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["k"] = lastKey }, LedgerJson.Default.DictionaryStringString);
        return Base64Url.EncodeToString(json);
    }

    public static string ForOffset(long offset)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, long> { ["o"] = offset }, LedgerJson.Default.DictionaryStringInt64);
        return Base64Url.EncodeToString(json);
    }

    public static QueryBookmark Decode(string bookmark)
    {
        if (bookmark.Length == 0)
        {
            return Start;
        }

        try
        {
            using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(bookmark));
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.GetPropertyCount() == 1)
            {
                if (root.TryGetProperty("k", out var key) && key.ValueKind == JsonValueKind.String)
                {
                    return new QueryBookmark(key.GetString(), null);
                }

                if (root.TryGetProperty("o", out var offset) && offset.TryGetInt64(out var number) && number >= 0)
                {
                    return new QueryBookmark(null, number);
                }
            }
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            throw new QueryException($"invalid bookmark '{MangoQueryTranslator.Truncate(bookmark)}'", e);
        }

        throw new QueryException($"invalid bookmark '{MangoQueryTranslator.Truncate(bookmark)}'");
    }
}

/// <summary>The pagination state of a page translated by <see cref="MangoQueryTranslator.TranslatePage"/>.</summary>
internal sealed record PageState(string Bookmark, bool KeyOrdered, long Offset);
