using System.Globalization;
using System.Text.RegularExpressions;

namespace ZonCoin.Chaincode.Token;

/// <summary>Parses and checks the string arguments Fabric passes; every failure is an <see cref="ArgumentException"/> with a clear message.</summary>
internal static partial class Inputs
{
    public const int MaxTextLength = 1024;

    private static readonly string[] TimeFormats = ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"];

    /// <summary>A positive amount in the smallest unit: ASCII digits only, no sign, no fraction, fits a <see cref="long"/>.</summary>
    public static long PositiveAmount(string? text, string what) =>
        Amount(text, what) is var value && value > 0 ? value : throw new ArgumentException($"{what} must be positive, got {text}");

    /// <summary>An amount that may be zero.</summary>
    public static long Amount(string? text, string what)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw new ArgumentException($"{what} is missing: give a decimal integer in the smallest unit");
        }
        if (text[0] == '-')
        {
            throw new ArgumentException($"{what} must not be negative, got {text}");
        }
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                throw new ArgumentException($"{what} must be an unsigned decimal integer in the smallest unit, got '{text}'");
            }
        }
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new ArgumentException($"{what} {text} is too large (at most {long.MaxValue})");
        }
        return value;
    }

    /// <summary>An integer in [min, max].</summary>
    public static int Integer(string? text, string what, int min, int max)
    {
        if (string.IsNullOrEmpty(text) || !text.All(char.IsAsciiDigit)
            || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException($"{what} must be an integer from {min} to {max}, got '{text}'");
        }
        return value;
    }

    /// <summary>An ISO-8601 UTC time such as <c>2026-11-21T12:00:00Z</c>.</summary>
    public static DateTimeOffset Time(string? text, string what)
    {
        if (text is null || !DateTimeOffset.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            throw new ArgumentException($"bad time format for {what}: '{text}' (expected ISO-8601 UTC such as 2026-11-21T12:00:00Z)");
        }
        return value;
    }

    /// <summary>Formats a time as ISO-8601 UTC with only the fraction digits it needs.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>An identifier: 1–128 characters of letters, digits and <c>._:@/-</c>.</summary>
    public static string Id(string? text, string what) =>
        text is not null && IdPattern().IsMatch(text)
            ? text
            : throw new ArgumentException($"{what} '{text}' is not valid: use 1-128 letters, digits or ._:@/-");

    /// <summary>Free text (possibly empty) of at most <see cref="MaxTextLength"/> characters without control characters.</summary>
    public static string Text(string? text, string what, bool required = false)
    {
        text ??= "";
        if (required && text.Trim().Length == 0)
        {
            throw new ArgumentException($"{what} must not be empty");
        }
        if (text.Length > MaxTextLength)
        {
            throw new ArgumentException($"{what} is too long ({text.Length} characters, at most {MaxTextLength})");
        }
        if (text.Any(char.IsControl))
        {
            throw new ArgumentException($"{what} must not contain control characters");
        }
        return text;
    }

    /// <summary><c>true</c> or <c>false</c>.</summary>
    public static bool Boolean(string? text, string what) => text switch
    {
        "true" => true,
        "false" => false,
        _ => throw new ArgumentException($"{what} must be 'true' or 'false', got '{text}'"),
    };

    /// <summary>A well-formed account id (<c>MSPID:40 hex digits</c>); gives its MSP ID.</summary>
    public static string Account(string? text, string what, out string mspId) =>
        AccountIds.TryParse(text, out mspId)
            ? text!
            : throw new ArgumentException($"{what} '{text}' is not an account id (expected MSPID:<40 lowercase hex digits>)");

    [GeneratedRegex("^[A-Za-z0-9._:@/-]{1,128}$")]
    private static partial Regex IdPattern();
}
