using System.Text;

namespace ZonCoin.Chaincode.TestKit;

/// <summary>Orders keys by their UTF-8 bytes, as Fabric's state databases do.</summary>
public sealed class Utf8Comparer : IComparer<string>
{
    /// <summary>The one instance.</summary>
    public static readonly Utf8Comparer Instance = new();

    private Utf8Comparer()
    {
    }

    /// <inheritdoc />
    public int Compare(string? x, string? y) =>
        Encoding.UTF8.GetBytes(x ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));

    /// <summary>True when <paramref name="key"/> lies in [<paramref name="start"/>, <paramref name="end"/>); an empty end is unbounded.</summary>
    /// <param name="key">The key.</param>
    /// <param name="start">The inclusive start.</param>
    /// <param name="end">The exclusive end, or empty for no end.</param>
    public bool InRange(string key, string start, string end) =>
        Compare(key, start) >= 0 && (end.Length == 0 || Compare(key, end) < 0);
}
