using System.Globalization;

namespace ZonCoin.Ledger.Blocks;

/// <summary>Names and lists the segment files <c>blockfile_000000</c>, <c>blockfile_000001</c>, … of a store.</summary>
internal static class SegmentFiles
{
    private const string Prefix = "blockfile_";

    public static string Name(int segment) => Prefix + segment.ToString("D6", CultureInfo.InvariantCulture);

    public static string PathOf(string directory, int segment) => Path.Combine(directory, Name(segment));

    /// <summary>The segment numbers present, which must run 0, 1, 2, … without a gap.</summary>
    public static int[] List(string directory)
    {
        var numbers = new List<int>();
        foreach (var path in Directory.EnumerateFiles(directory, Prefix + "*"))
        {
            var suffix = Path.GetFileName(path)[Prefix.Length..];
            if (suffix.Length >= 6 && suffix.All(char.IsAsciiDigit)
                && int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                numbers.Add(number);
            }
        }
        numbers.Sort();
        for (var i = 0; i < numbers.Count; i++)
        {
            if (numbers[i] != i)
            {
                throw new BlockStoreException($"Block store corrupt: segment {Name(i)} is missing in {directory} (found {Name(numbers[i])}).")
                {
                    Segment = Name(i),
                };
            }
        }
        return [.. numbers];
    }
}
