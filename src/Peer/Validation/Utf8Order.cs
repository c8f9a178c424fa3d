using System.Text;

namespace ZonCoin.Peer.Validation;

/// <summary>
/// Orders keys as Fabric does: by their UTF-8 bytes, which is Unicode code point order (not .NET's UTF-16
/// ordinal order, which puts U+E000..U+FFFF after supplementary characters).
/// </summary>
internal sealed class Utf8Order : IComparer<string>
{
    public static readonly Utf8Order Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        if (x is null)
        {
            return -1;
        }
        if (y is null)
        {
            return 1;
        }
        var left = x.EnumerateRunes();
        var right = y.EnumerateRunes();
        while (true)
        {
            var hasLeft = left.MoveNext();
            var hasRight = right.MoveNext();
            if (!hasLeft || !hasRight)
            {
                return hasLeft ? 1 : hasRight ? -1 : 0;
            }
            var order = left.Current.Value.CompareTo(right.Current.Value);
            if (order != 0)
            {
                return order;
            }
        }
    }

    /// <summary>True when <paramref name="key"/> is in [start, end); an empty end is unbounded.</summary>
    public static bool InRange(string key, string start, string end) =>
        Instance.Compare(key, start) >= 0 && (end.Length == 0 || Instance.Compare(key, end) < 0);
}
