using System.Buffers;
using System.Text;

namespace ZonCoin.Ledger.State.Postgres.Query;

/// <summary>
/// Writes JSON strings escaped as Go's <c>encoding/json</c> <c>Marshal</c> escapes them (HTML escaping on, as Fabric's
/// CouchDB layer re-marshals query results): <c>"</c> and <c>\</c> with a backslash; <c>\n</c>, <c>\r</c>,
/// <c>\t</c>; other control characters below U+0020 as <c>\u00XX</c>; <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c> as
/// <c>\u003c</c>, <c>\u003e</c>, <c>\u0026</c>; U+2028 and U+2029 as <c>\u2028</c>, <c>\u2029</c>; hex digits lower
/// case; everything else (DEL and all other non-ASCII) as raw UTF-8. A lone surrogate becomes U+FFFD, as Go writes
/// invalid UTF-8.
/// </summary>
internal static class GoJsonWriter
{
    private const string Hex = "0123456789abcdef";

    /// <summary>Appends <paramref name="value"/> as a quoted JSON string.</summary>
    public static void WriteString(IBufferWriter<byte> output, string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        builder.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '<' or '>' or '&' or '\u2028' or '\u2029' or < ' ':
                    builder.Append("\\u")
                        .Append(Hex[(c >> 12) & 0xF])
                        .Append(Hex[(c >> 8) & 0xF])
                        .Append(Hex[(c >> 4) & 0xF])
                        .Append(Hex[c & 0xF]);
                    break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                    {
                        builder.Append(c).Append(value[++i]);
                    }
                    else
                    {
                        builder.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
                    }

                    break;
            }
        }

        builder.Append('"');
        WriteRaw(output, builder.ToString());
    }

    /// <summary>Appends ASCII or other text as UTF-8, unchanged.</summary>
    public static void WriteRaw(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        var written = Encoding.UTF8.GetBytes(text, span);
        output.Advance(written);
    }

    /// <summary>Appends one ASCII character.</summary>
    public static void WriteByte(IBufferWriter<byte> output, char c)
    {
        output.GetSpan(1)[0] = (byte)c;
        output.Advance(1);
    }
}
