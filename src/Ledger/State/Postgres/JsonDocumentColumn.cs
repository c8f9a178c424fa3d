using System.Globalization;
using System.Text.Json;

namespace ZonCoin.Ledger.State.Postgres;

/// <summary>
/// What goes in the <c>doc jsonb</c> column beside a value: the value's JSON text when it is a JSON object that
/// PostgreSQL can store as jsonb, else null (the value is then invisible to rich queries, as a non-JSON value is
/// to CouchDB selectors). Must be a pure function of the value's bytes: every peer decides the same.
/// </summary>
internal static class JsonDocumentColumn
{
    /// <summary>Limits that keep a number inside PostgreSQL's numeric (at most 16,383 digits after the point).</summary>
    private const int MaxNumberLength = 1000;

    private const int MaxExponent = 1000;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    /// <summary>The JSON text of <paramref name="value"/> when it is a storable JSON object; null otherwise.</summary>
    public static string? Of(ReadOnlyMemory<byte> value)
    {
        // Cheap rejection of binary and scalar values (no exception thrown for them).
        var span = value.Span;
        var first = 0;
        while (first < span.Length && span[first] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            first++;
        }
        if (first == span.Length || span[first] != (byte)'{')
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(value, Options);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object && Storable(root) ? root.GetRawText() : null;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // A string escape that is not valid UTF-16 (a lone surrogate): jsonb would refuse it too.
            return null;
        }
    }

    /// <summary>
    /// False when PostgreSQL would refuse the document as jsonb: a string or property name with NUL (jsonb
    /// refuses <c>\u0000</c>) or a lone surrogate escape, or a number outside numeric's range.
    /// </summary>
    private static bool Storable(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!StorableText(property.Name) || !Storable(property.Value))
                    {
                        return false;
                    }
                }
                return true;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (!Storable(item))
                    {
                        return false;
                    }
                }
                return true;
            case JsonValueKind.String:
                return StorableText(element.GetString()!);
            case JsonValueKind.Number:
                return StorableNumber(element.GetRawText());
            default:
                return true;
        }
    }

    private static bool StorableText(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0' || char.IsLowSurrogate(c))
            {
                return false;
            }
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 == text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    private static bool StorableNumber(string raw)
    {
        if (raw.Length > MaxNumberLength)
        {
            return false;
        }
        var e = raw.AsSpan().IndexOfAny('e', 'E');
        return e < 0 || (int.TryParse(raw.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent) && Math.Abs(exponent) <= MaxExponent);
    }
}
