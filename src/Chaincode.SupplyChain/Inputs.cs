using System.Globalization;
using System.Text.Json;

namespace ZonCoin.Chaincode.SupplyChain;

/// <summary>Parses and checks the string arguments Fabric passes; every failure is an <see cref="ArgumentException"/> with a clear message.</summary>
public static class Inputs
{
    /// <summary>The one time format accepted and stored: ISO-8601 UTC with whole seconds, which sorts as text.</summary>
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>The longest lot or serial number (GS1 AI 10 and AI 21 allow 20 characters).</summary>
    public const int MaxGs1TextLength = 20;

    /// <summary>The lowest physically possible temperature, °C.</summary>
    public const decimal AbsoluteZeroC = -273.15m;

    // GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1).
    private const string Gs1CharacterSet82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

    /// <summary>True when <paramref name="gtin"/> is 14 digits whose last is the GS1 check digit of the first 13.</summary>
    /// <param name="gtin">The candidate GTIN-14.</param>
    public static bool IsValidGtin14(string? gtin)
    {
        if (gtin is not { Length: 14 } || !gtin.All(char.IsAsciiDigit))
        {
            return false;
        }
        return gtin[13] - '0' == Gs1CheckDigit(gtin.AsSpan(0, 13));
    }

    /// <summary>
    /// The GS1 mod-10 check digit of <paramref name="digits"/>: from the right, weights 3, 1, 3, …; the digit that
    /// brings the weighted sum to a multiple of ten.
    /// </summary>
    /// <param name="digits">The data digits without the check digit.</param>
    public static int Gs1CheckDigit(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var weight = (digits.Length - i) % 2 == 1 ? 3 : 1;
            sum += (digits[i] - '0') * weight;
        }
        return (10 - sum % 10) % 10;
    }

    /// <summary>Checks a GTIN-14.</summary>
    /// <param name="gtin">The argument.</param>
    public static string Gtin(string gtin)
    {
        if (!IsValidGtin14(gtin))
        {
            throw new ArgumentException(gtin is { Length: 14 } && gtin.All(char.IsAsciiDigit)
                ? $"GTIN {gtin} has a wrong check digit (expected {Gs1CheckDigit(gtin.AsSpan(0, 13))})"
                : $"GTIN '{gtin}' must be 14 digits (GTIN-14, pad shorter GTINs with leading zeros)");
        }
        return gtin;
    }

    /// <summary>Checks a lot or serial number: 1–20 characters of GS1's character set 82.</summary>
    /// <param name="value">The argument.</param>
    /// <param name="what">Its name in messages.</param>
    public static string Gs1Text(string value, string what)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxGs1TextLength || !value.All(c => Gs1CharacterSet82.Contains(c, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"{what} '{value}' must be 1 to {MaxGs1TextLength} characters of the GS1 character set 82 (letters, digits and !\"%&'()*+,-./:;<=>?_)");
        }
        return value;
    }

    /// <summary>Checks an identifier (shipment, sensor, MSP ID, hold): not empty, at most <paramref name="maxLength"/> characters, no control characters.</summary>
    /// <param name="value">The argument.</param>
    /// <param name="what">Its name in messages.</param>
    /// <param name="maxLength">The longest allowed.</param>
    public static string Id(string value, string what, int maxLength = 64)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{what} must not be empty");
        }
        if (value.Length > maxLength || value.Any(char.IsControl) || value.Any(char.IsSurrogate) || value.Trim().Length != value.Length)
        {
            throw new ArgumentException($"{what} '{value}' must be at most {maxLength} characters without control characters or surrounding spaces");
        }
        return value;
    }

    /// <summary>Parses an ISO-8601 UTC time with whole seconds, e.g. <c>2026-11-21T12:00:00Z</c>.</summary>
    /// <param name="value">The argument.</param>
    /// <param name="what">Its name in messages.</param>
    public static DateTimeOffset Time(string value, string what)
    {
        if (!DateTimeOffset.TryParseExact(value, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            throw new ArgumentException($"{what} '{value}' is not an ISO-8601 UTC time like 2026-11-21T12:00:00Z");
        }
        return time;
    }

    /// <summary>Formats a time as stored: UTC, whole seconds (truncated).</summary>
    /// <param name="time">The time.</param>
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>Parses a temperature in °C written as a decimal number, e.g. <c>7.5</c> or <c>-20</c>.</summary>
    /// <param name="value">The argument.</param>
    /// <param name="what">Its name in messages.</param>
    public static decimal Temperature(string value, string what)
    {
        if (!decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var celsius))
        {
            throw new ArgumentException($"{what} '{value}' is not a decimal temperature in °C like 7.5");
        }
        if (celsius < AbsoluteZeroC || celsius > 1000m)
        {
            throw new ArgumentException($"{what} {value} °C is outside {AbsoluteZeroC} to 1000 °C");
        }
        return celsius;
    }

    /// <summary>Parses a positive decimal integer.</summary>
    /// <param name="value">The argument.</param>
    /// <param name="what">Its name in messages.</param>
    /// <param name="max">The largest allowed.</param>
    public static int PositiveInteger(string value, string what, int max = int.MaxValue)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1 || number > max)
        {
            throw new ArgumentException($"{what} '{value}' must be a decimal integer from 1 to {max}");
        }
        return number;
    }

    /// <summary>Parses a JSON array of serial numbers; none may repeat.</summary>
    /// <param name="json">The argument, e.g. <c>["S1","S2"]</c>.</param>
    public static IReadOnlyList<string> Serials(string json)
    {
        using var document = Parse(json, "serials");
        if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() == 0)
        {
            throw new ArgumentException("serials must be a non-empty JSON array of strings");
        }
        var serials = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var element in document.RootElement.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                throw new ArgumentException($"serials must be strings, found {element.GetRawText()}");
            }
            var serial = Gs1Text(element.GetString()!, "serial");
            if (!seen.Add(serial))
            {
                throw new ArgumentException($"serial {serial} appears twice in the batch");
            }
            serials.Add(serial);
        }
        return serials;
    }

    /// <summary>Parses a JSON array of <c>{"gtin":…,"lot":…}</c>; none may repeat.</summary>
    /// <param name="json">The argument.</param>
    public static IReadOnlyList<BatchRef> Batches(string json)
    {
        using var document = Parse(json, "batches");
        if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() == 0)
        {
            throw new ArgumentException("batches must be a non-empty JSON array of {\"gtin\":…,\"lot\":…}");
        }
        var batches = new List<BatchRef>();
        foreach (var element in document.RootElement.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Object
                || !element.TryGetProperty("gtin", out var gtin) || gtin.ValueKind != JsonValueKind.String
                || !element.TryGetProperty("lot", out var lot) || lot.ValueKind != JsonValueKind.String)
            {
                throw new ArgumentException($"each batch must be {{\"gtin\":\"…\",\"lot\":\"…\"}}, found {element.GetRawText()}");
            }
            var batch = new BatchRef(Gtin(gtin.GetString()!), Gs1Text(lot.GetString()!, "lot"));
            if (batches.Contains(batch))
            {
                throw new ArgumentException($"batch {batch.Gtin}/{batch.Lot} appears twice in the shipment");
            }
            batches.Add(batch);
        }
        return batches;
    }

    private static JsonDocument Parse(string json, string what)
    {
        try
        {
            return JsonDocument.Parse(json ?? "");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{what} is not valid JSON: {e.Message}", e);
        }
    }
}
