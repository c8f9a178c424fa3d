using System.Text;

namespace ZonCoin.Chaincode.Token.Tests.Support;

/// <summary>Orders keys by their UTF-8 bytes, as Fabric's state databases do.</summary>
internal sealed class Utf8Comparer : IComparer<string>
{
    public static readonly Utf8Comparer Instance = new();

    public int Compare(string? x, string? y) =>
        Encoding.UTF8.GetBytes(x ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));
}
