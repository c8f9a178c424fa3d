using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ZonCoin.Rpc.Protocol;

/// <summary>Header names and encodings of the gRPC over HTTP/2 protocol.</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string StatusDetailsHeader = "grpc-status-details-bin";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string TeHeader = "te";
    public const string UserAgent = "zoncoin-rpc/1.0";

    /// <summary>Default maximum message size, both directions: 100 MB, enough for Fabric blocks.</summary>
    public const int DefaultMaxMessageSize = 100 * 1024 * 1024;

    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-type", "te", "host", "user-agent", "accept-encoding", "content-length", "grpc-timeout",
        "grpc-encoding", "grpc-accept-encoding", "grpc-status", "grpc-message", "grpc-status-details-bin",
        "grpc-previous-rpc-attempts", "grpc-retry-pushback-ms", "connection", "transfer-encoding", "keep-alive",
        "upgrade", "proxy-connection", "trailer", "date",
    };

    /// <summary>True for a content type of a gRPC request: application/grpc, optionally +proto or ;params.</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var rest = contentType.AsSpan(ContentType.Length);
        return rest.IsEmpty || rest[0] == ';' || rest.StartsWith("+proto", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Headers a user may not set or read as metadata (they belong to the protocol or HTTP).</summary>
    public static bool IsReservedHeader(string name) => ReservedHeaders.Contains(name) || name.StartsWith(':');

    /// <summary>Parses <c>grpc-timeout</c> (1–8 digits and a unit H, M, S, m, u, n).</summary>
    public static bool TryParseTimeout(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (string.IsNullOrEmpty(value) || value.Length < 2 || value.Length > 9
            || !long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }
        double ticks = value[^1] switch
        {
            'H' => amount * (double)TimeSpan.TicksPerHour,
            'M' => amount * (double)TimeSpan.TicksPerMinute,
            'S' => amount * (double)TimeSpan.TicksPerSecond,
            'm' => amount * (double)TimeSpan.TicksPerMillisecond,
            'u' => amount * (double)TimeSpan.TicksPerMicrosecond,
            'n' => amount / 100.0,
            _ => -1,
        };
        if (ticks < 0)
        {
            return false;
        }
        timeout = TimeSpan.FromTicks((long)Math.Min(ticks, TimeSpan.MaxValue.Ticks));
        return true;
    }

    /// <summary>Formats a timeout for <c>grpc-timeout</c>: at most 8 digits, in the finest unit that fits.</summary>
    public static string FormatTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return "1n";
        }
        const long max = 99_999_999;
        var ms = (long)Math.Ceiling(timeout.TotalMilliseconds);
        var micro = (long)Math.Ceiling(timeout.TotalMicroseconds);
        if (micro <= max)
        {
            return micro.ToString(CultureInfo.InvariantCulture) + "u";
        }
        if (ms <= max)
        {
            return ms.ToString(CultureInfo.InvariantCulture) + "m";
        }
        var seconds = (long)Math.Ceiling(timeout.TotalSeconds);
        if (seconds <= max)
        {
            return seconds.ToString(CultureInfo.InvariantCulture) + "S";
        }
        var minutes = (long)Math.Ceiling(timeout.TotalMinutes);
        return minutes <= max ? minutes.ToString(CultureInfo.InvariantCulture) + "M"
            : Math.Min((long)Math.Ceiling(timeout.TotalHours), max).ToString(CultureInfo.InvariantCulture) + "H";
    }

    /// <summary>Percent-encodes a status message as the protocol requires (UTF-8; bytes outside 0x20–0x7E and '%').</summary>
    public static string EncodeMessage(string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        var builder = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    /// <summary>Decodes a percent-encoded status message; malformed escapes are kept as they are.</summary>
    public static string DecodeMessage(string? encoded)
    {
        if (string.IsNullOrEmpty(encoded) || !encoded.Contains('%', StringComparison.Ordinal))
        {
            return encoded ?? "";
        }
        var bytes = new List<byte>(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == '%' && i + 2 < encoded.Length
                && byte.TryParse(encoded.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
            {
                bytes.Add(value);
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(encoded[i].ToString()));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>The <c>grpc-status-details-bin</c> value: a serialized <c>google.rpc.Status</c>.</summary>
    public static byte[] EncodeStatusDetails(Status status, IReadOnlyList<Any> details)
    {
        var message = new ZonCoin.Protos.Rpc.Status { Code = (int)status.StatusCode, Message = status.Detail };
        message.Details.AddRange(details);
        return message.ToByteArray();
    }

    /// <summary>Reads the details of a <c>grpc-status-details-bin</c> value; an unreadable one yields none.</summary>
    public static IReadOnlyList<Any> DecodeStatusDetails(byte[]? value)
    {
        if (value is null || value.Length == 0)
        {
            return [];
        }
        try
        {
            return [.. ZonCoin.Protos.Rpc.Status.Parser.ParseFrom(value).Details];
        }
        catch (InvalidProtocolBufferException)
        {
            return [];
        }
    }

    /// <summary>The header lines that carry <paramref name="metadata"/>: protocol headers left out, -bin values base64.</summary>
    public static IEnumerable<(string Name, string Value)> ToHeaders(Metadata metadata)
    {
        foreach (var entry in metadata)
        {
            if (!IsReservedHeader(entry.Key))
            {
                yield return (entry.Key, entry.IsBinary ? EncodeBinaryHeader(entry.ValueBytes) : entry.Value);
            }
        }
    }

    /// <summary>
    /// Metadata from received headers: protocol headers skipped, -bin values decoded (comma-joined values split),
    /// and entries that are not valid metadata dropped.
    /// </summary>
    public static Metadata FromHeaders(IEnumerable<KeyValuePair<string, IEnumerable<string?>>> headers)
    {
        var metadata = new Metadata();
        foreach (var (name, values) in headers)
        {
            if (IsReservedHeader(name))
            {
                continue;
            }
            var binary = name.EndsWith(Metadata.BinarySuffix, StringComparison.OrdinalIgnoreCase);
            foreach (var value in values)
            {
                if (value is null)
                {
                    continue;
                }
                try
                {
                    if (binary)
                    {
                        foreach (var part in value.Split(','))
                        {
                            metadata.Add(name, DecodeBinaryHeader(part));
                        }
                    }
                    else
                    {
                        metadata.Add(name, value);
                    }
                }
                catch (Exception ex) when (ex is FormatException or ArgumentException)
                {
                    // A header that is not valid metadata is nobody's business.
                }
            }
        }
        return metadata;
    }

    /// <summary>Base64 without padding for -bin headers (decoders accept both).</summary>
    public static string EncodeBinaryHeader(byte[] value) => Convert.ToBase64String(value).TrimEnd('=');

    public static byte[] DecodeBinaryHeader(string value)
    {
        var trimmed = value.Trim();
        var padded = trimmed.PadRight(trimmed.Length + ((4 - (trimmed.Length % 4)) % 4), '=');
        return Convert.FromBase64String(padded);
    }
}
