using System.Text.Json;

namespace ZonCoin.Interop.Tests.Support;

/// <summary>Reads the tools' JSON output: base64 byte fields and strings, failing clearly when one is absent.</summary>
internal static class JsonBytes
{
    public static byte[] Bytes(this JsonElement element, string property) =>
        Convert.FromBase64String(element.Text(property));

    public static string Text(this JsonElement element, string property) =>
        element.GetProperty(property).GetString() ?? throw new InvalidDataException($"'{property}' is null");
}
