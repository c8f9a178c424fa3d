using System.Text;

namespace ZonCoin.Ledger.State.Postgres.Query;

/// <summary>
/// A field of a JSON document as Mango names it: segments separated by dots (<c>"a.b.c"</c>), a dot inside a
/// name escaped with a backslash (<c>"a\.b"</c> is the single member <c>a.b</c>). A backslash before any other
/// character is kept as it is. Segments are member names; a numeric segment also indexes into an array in
/// selectors (PostgreSQL's <c>#&gt;</c> does both), as CouchDB does.
/// </summary>
public sealed class FieldPath : IEquatable<FieldPath>
{
    private FieldPath(string text, IReadOnlyList<string> segments)
    {
        Text = text;
        Segments = segments;
    }

    /// <summary>The field as written in the query.</summary>
    public string Text { get; }

    /// <summary>The member names, dots unescaped.</summary>
    public IReadOnlyList<string> Segments { get; }

    /// <summary>True for the field <c>_id</c>: the state key, not a member of the document.</summary>
    public bool IsId => Segments.Count == 1 && Segments[0] == "_id";

    /// <summary>Splits a Mango field name into segments.</summary>
    public static FieldPath Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var segments = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] == '.')
            {
                current.Append('.');
                i++;
            }
            else if (c == '.')
            {
                segments.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        segments.Add(current.ToString());
        return new FieldPath(text, segments);
    }

    /// <summary>This path followed by <paramref name="child"/>'s segments.</summary>
    internal FieldPath Append(FieldPath child) =>
        new(Text.Length == 0 ? child.Text : Text + "." + child.Text, [.. Segments, .. child.Segments]);

    internal static FieldPath Empty { get; } = new(string.Empty, []);

    /// <inheritdoc />
    public bool Equals(FieldPath? other) => other is not null && Segments.SequenceEqual(other.Segments, StringComparer.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as FieldPath);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var segment in Segments)
        {
            hash.Add(segment, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
