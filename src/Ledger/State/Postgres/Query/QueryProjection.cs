using System.Text.Json;

namespace ZonCoin.Ledger.State.Postgres.Query;

/// <summary>
/// Applies a query's <c>fields</c> to a result document, as CouchDB returns only those fields.
/// </summary>
/// <remarks>
/// A dotted field keeps the nested member inside its parents (<c>"a.b"</c> gives <c>{"a":{"b":...}}</c>); only
/// object members are followed (not array indexes); missing fields are left out; when a field and one of its
/// subfields are both listed, the whole field is kept. <c>_id</c> is left out, as Fabric strips it from the value
/// it returns. Object members are written in ordinal key order at every depth, as Fabric re-marshals query results
/// from a Go map; numbers keep their original text. Strings may be escaped differently from Fabric's output.
/// </remarks>
public static class QueryProjection
{
    /// <summary>The projected document as UTF-8 JSON; all of it (keys sorted) when <paramref name="fields"/> is empty.</summary>
    /// <exception cref="ArgumentException"><paramref name="document"/> is not a JSON object.</exception>
    public static byte[] Project(JsonElement document, IReadOnlyList<FieldPath> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (document.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"Only a JSON object can be projected, not {MangoQueryTranslator.Kind(document)}.", nameof(document));
        }

        var root = new Node();
        if (fields.Count == 0)
        {
            root.Whole = document;
        }
        else
        {
            foreach (var field in fields)
            {
                if (!field.IsId)
                {
                    Insert(root, document, field.Segments);
                }
            }
        }

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, root);
        }

        return stream.ToArray();
    }

    private static void Insert(Node root, JsonElement document, IReadOnlyList<string> segments)
    {
        var value = document;
        foreach (var segment in segments)
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(segment, out value))
            {
                return;
            }
        }

        var node = root;
        foreach (var segment in segments)
        {
            if (node.Whole is not null)
            {
                return;
            }

            if (!node.Children.TryGetValue(segment, out var child))
            {
                child = new Node();
                node.Children.Add(segment, child);
            }

            node = child;
        }

        node.Whole = value;
        node.Children.Clear();
    }

    private static void Write(Utf8JsonWriter writer, Node node)
    {
        if (node.Whole is { } whole)
        {
            WriteSorted(writer, whole);
            return;
        }

        writer.WriteStartObject();
        foreach (var (name, child) in node.Children)
        {
            writer.WritePropertyName(name);
            Write(writer, child);
        }

        writer.WriteEndObject();
    }

    private static void WriteSorted(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteSorted(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteSorted(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }

    private sealed class Node
    {
        public JsonElement? Whole { get; set; }

        public SortedDictionary<string, Node> Children { get; } = new(StringComparer.Ordinal);
    }
}
