using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ZonCoin.Gateway.Nodes;

/// <summary>A peer the gateway may call: its organisation and its <c>host:port</c>.</summary>
internal sealed record PeerAddress(string MspId, string Endpoint)
{
    /// <summary>Parses <c>host:port</c> (a peer of <paramref name="defaultMspId"/>) or <c>MSPID@host:port</c>.</summary>
    public static bool TryParse(string? text, string defaultMspId, [NotNullWhen(true)] out PeerAddress? peer)
    {
        peer = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var mspId = at < 0 ? defaultMspId : text[..at];
        var endpoint = at < 0 ? text : text[(at + 1)..];
        if (string.IsNullOrWhiteSpace(mspId) || !IsHostPort(endpoint))
        {
            return false;
        }
        peer = new PeerAddress(mspId, endpoint);
        return true;
    }

    /// <summary>
    /// An IP address (IPv6 in brackets), <c>localhost</c> or a DNS name (as peers of other organisations are often
    /// listed), then a port of 1–65535 in plain digits: a peer is dialled, so neither port 0 (a listener's "any
    /// port") nor a signed or space-padded number that would only fail later when connecting is accepted.
    /// </summary>
    private static bool IsHostPort(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return colon > 0
            && int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            && Uri.CheckHostName(endpoint[..colon]) != UriHostNameType.Unknown;
    }

    public override string ToString() => $"{Endpoint} ({MspId})";
}
