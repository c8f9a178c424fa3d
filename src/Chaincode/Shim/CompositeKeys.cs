using System.Text;

namespace ZonCoin.Chaincode.Shim;

/// <summary>
/// Fabric's composite keys: <c>\u0000objectType\u0000attr1\u0000attr2\u0000</c>. Neither the object type nor an
/// attribute may contain U+0000 (the separator, the minimum rune) or U+10FFFF (the maximum rune, which ends a
/// partial-key range); both must be valid UTF-16 (so valid UTF-8 on the wire).
/// </summary>
public static class CompositeKeys
{
    /// <summary>The namespace character that starts every composite key and separates its parts.</summary>
    public const char Separator = '\u0000';

    /// <summary>U+10FFFF, the largest code point: the exclusive end of a partial composite key range.</summary>
    public const string MaxUnicodeRune = "\U0010FFFF";

    /// <summary>Builds a composite key from an object type and attributes.</summary>
    /// <param name="objectType">The object type, e.g. <c>owner~asset</c>.</param>
    /// <param name="attributes">The attributes, in order.</param>
    public static string Create(string objectType, params IEnumerable<string> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        Validate(objectType, "object type");
        var key = new StringBuilder().Append(Separator).Append(objectType).Append(Separator);
        foreach (var attribute in attributes)
        {
            Validate(attribute, "attribute");
            key.Append(attribute).Append(Separator);
        }
        return key.ToString();
    }

    /// <summary>Splits a composite key into its object type and attributes; a simple key gives ("", []).</summary>
    /// <param name="compositeKey">A key made by <see cref="Create"/>.</param>
    public static (string ObjectType, IReadOnlyList<string> Attributes) Split(string compositeKey)
    {
        if (string.IsNullOrEmpty(compositeKey) || compositeKey.Length < 2 || compositeKey[0] != Separator)
        {
            return ("", []);
        }
        var parts = compositeKey[1..].Split(Separator);
        // The key ends with a separator, so the last part is always empty.
        return (parts[0], parts.Length > 2 ? parts[1..^1] : []);
    }

    /// <summary>The [start, end) range that covers every key with the given prefix of attributes.</summary>
    /// <param name="objectType">The object type.</param>
    /// <param name="attributes">A prefix of the attributes (possibly none).</param>
    public static (string StartKey, string EndKey) PartialRange(string objectType, params IEnumerable<string> attributes)
    {
        var start = Create(objectType, attributes);
        return (start, start + MaxUnicodeRune);
    }

    private static void Validate(string value, string what)
    {
        ArgumentNullException.ThrowIfNull(value);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == Separator)
            {
                throw new ArgumentException($"{what} '{value}' contains U+0000, which composite keys reserve as their separator");
            }
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    throw new ArgumentException($"{what} '{value}' is not valid UTF-8: a lone surrogate at {i}");
                }
                if (char.ConvertToUtf32(c, value[i + 1]) == 0x10FFFF)
                {
                    throw new ArgumentException($"{what} '{value}' contains U+10FFFF, which composite keys reserve as the maximum rune");
                }
                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                throw new ArgumentException($"{what} '{value}' is not valid UTF-8: a lone surrogate at {i}");
            }
        }
    }
}
