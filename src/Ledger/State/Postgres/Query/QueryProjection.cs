using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ZonCoin.Ledger.State.Postgres.Query;

/// <summary>
/// Applies a query's <c>fields</c> to a result document, as CouchDB returns only those fields.
/// </summary>
/// <remarks>
/// A dotted field keeps the nested member inside its parents (<c>"a.b"</c> gives <c>{"a":{"b":...}}</c>); only
/// object members are followed (not array indexes); missing fields are left out; when a field and one of its
/// subfields are both listed, the whole field is kept. <c>_id</c> is left out, as Fabric strips it from the value
/// it returns. The output is what Fabric's CouchDB layer re-marshals from a Go map: compact, members sorted by
/// their UTF-8 bytes at every depth (the last of duplicate members kept), numbers as written, strings escaped as
/// Go's <c>encoding/json</c> does (<see cref="GoJsonWriter"/>).
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

        var output = new ArrayBufferWriter<byte>();
        Write(output, root);
        return output.WrittenSpan.ToArray();
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

    private static void Write(ArrayBufferWriter<byte> output, Node node)
    {
        if (node.Whole is { } whole)
        {
            WriteSorted(output, whole);
            return;
        }

        GoJsonWriter.WriteByte(output, '{');
        var first = true;
        foreach (var (name, child) in node.Children)
        {
            if (!first)
            {
                GoJsonWriter.WriteByte(output, ',');
            }

            first = false;
            GoJsonWriter.WriteString(output, name);
            GoJsonWriter.WriteByte(output, ':');
            Write(output, child);
        }

        GoJsonWriter.WriteByte(output, '}');
    }

    private static void WriteSorted(ArrayBufferWriter<byte> output, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
            {
                // A Go map keeps the last of duplicate members and marshals members sorted by key (byte order of
                // UTF-8, which ordinal UTF-16 order equals except around surrogates; the sort below uses UTF-8).
                var members = new SortedDictionary<string, JsonElement>(Utf8Order.Instance);
                foreach (var property in value.EnumerateObject())
                {
                    members[property.Name] = property.Value;
                }

                GoJsonWriter.WriteByte(output, '{');
                var first = true;
                foreach (var (name, member) in members)
                {
                    if (!first)
                    {
                        GoJsonWriter.WriteByte(output, ',');
                    }

                    first = false;
                    GoJsonWriter.WriteString(output, name);
                    GoJsonWriter.WriteByte(output, ':');
                    WriteSorted(output, member);
                }

                GoJsonWriter.WriteByte(output, '}');
                break;
            }

            case JsonValueKind.Array:
            {
                GoJsonWriter.WriteByte(output, '[');
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!first)
                    {
                        GoJsonWriter.WriteByte(output, ',');
                    }

                    first = false;
                    WriteSorted(output, item);
                }

                GoJsonWriter.WriteByte(output, ']');
                break;
            }

            case JsonValueKind.String:
                GoJsonWriter.WriteString(output, value.GetString()!);
                break;
            default:
                // Numbers as written (Fabric decodes with UseNumber), true, false, null.
                GoJsonWriter.WriteRaw(output, value.GetRawText());
                break;
        }
    }

    /// <summary>Orders strings by their UTF-8 bytes, as Go sorts map keys.</summary>
    private sealed class Utf8Order : IComparer<string>
    {
        public static Utf8Order Instance { get; } = new();

        public int Compare(string? x, string? y) =>
            Encoding.UTF8.GetBytes(x ?? string.Empty).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? string.Empty));
    }

    private sealed class Node
    {
        public JsonElement? Whole { get; set; }

        public SortedDictionary<string, Node> Children { get; } = new(Utf8Order.Instance);
    }
}
