using System.Globalization;

namespace ZonCoin.Hosting;

/// <summary>Turns a node's friendly flags into configuration command-line arguments.</summary>
public static class CommandLineFlags
{
    /// <summary>
    /// Rewrites <paramref name="args"/> so the configuration command-line provider can read them: a boolean
    /// flag given without a value gets <c>true</c>, and a comma-separated list flag becomes indexed keys
    /// (<c>--kafka-brokers a,b</c> → <c>--Orderer:Kafka:Brokers:0 a --Orderer:Kafka:Brokers:1 b</c>); a list flag
    /// given again goes on with the next index.
    /// </summary>
    public static string[] Normalize(IReadOnlyList<string> args, IReadOnlyCollection<string> booleanFlags, IReadOnlyDictionary<string, string> listFlags)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(booleanFlags);
        ArgumentNullException.ThrowIfNull(listFlags);
        var result = new List<string>(args.Count + 4);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (booleanFlags.Contains(arg))
            {
                var hasValue = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
                result.Add(arg);
                result.Add(hasValue ? args[++i] : "true");
                continue;
            }
            if (listFlags.TryGetValue(arg, out var key) && i + 1 < args.Count)
            {
                var index = counts.GetValueOrDefault(key);
                foreach (var item in args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    result.Add($"--{key}:{index++.ToString(CultureInfo.InvariantCulture)}");
                    result.Add(item);
                }
                counts[key] = index;
                continue;
            }
            result.Add(arg);
        }
        return [.. result];
    }
}
