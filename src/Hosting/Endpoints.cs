using System.Globalization;
using System.Net;

namespace ZonCoin.Hosting;

/// <summary>Parses listen addresses written as <c>host:port</c>.</summary>
public static class Endpoints
{
    /// <summary>
    /// Parses <c>127.0.0.1:7050</c>, <c>[::1]:7050</c> or <c>localhost:7050</c> (loopback). Throws
    /// <see cref="FormatException"/> with the offending text for anything else.
    /// </summary>
    public static IPEndPoint Parse(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
        {
            throw new FormatException($"'{address}' is not a host:port address");
        }
        var host = address[..colon].Trim('[', ']');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }
        if (!IPAddress.TryParse(host, out var ip))
        {
            throw new FormatException($"'{address}': the host must be an IP address or localhost");
        }
        return new IPEndPoint(ip, port);
    }

    /// <summary>
    /// True when <paramref name="address"/> is an address to dial: <c>host:port</c> with a DNS name or an IP address
    /// (IPv6 in brackets) and a port from 1 to 65535. Unlike a listen address, the host need not be an IP address.
    /// </summary>
    public static bool IsDialable(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return false;
        }
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > IPEndPoint.MaxPort)
        {
            return false;
        }
        var host = address[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            return Uri.CheckHostName(host[1..^1]) == UriHostNameType.IPv6;
        }
        return Uri.CheckHostName(host) is UriHostNameType.Dns or UriHostNameType.IPv4;
    }

    /// <summary>True when <paramref name="address"/> parses.</summary>
    public static bool IsValid(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return false;
        }
        try
        {
            Parse(address);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
