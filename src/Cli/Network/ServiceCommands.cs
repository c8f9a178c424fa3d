using ZonCoin.Cli.Crypto;
using ZonCoin.Cli.Topology;
using ZonCoin.Gateway.Client;

namespace ZonCoin.Cli.Network;

/// <summary>
/// The command lines of the services the CLI starts (<c>dotnet zoncoin-peer.dll …</c>, files beside zoncoin.dll, or
/// their natively compiled executables) and
/// where <c>zoncoin crypto generate</c> put an org's node and user folders; shared by the benchmark's
/// <see cref="LocalNetwork"/> and <c>zoncoin network up</c>.
/// </summary>
internal static class ServiceCommands
{
    public const string OrdererDll = "zoncoin-orderer.dll";
    public const string PeerDll = "zoncoin-peer.dll";
    public const string GatewayDll = "zoncoin-gateway.dll";

    /// <summary>Quiet logging (warnings and errors only).</summary>
    public static readonly IReadOnlyList<string> Quiet = ["--Logging:LogLevel:Default", "Warning"];

    /// <summary>A DLL beside zoncoin.dll.</summary>
    public static string Beside(string dll) => Path.Combine(AppContext.BaseDirectory, dll);

    /// <summary>
    /// The command line that runs a service: its natively compiled executable when <c>./zoncoin</c> built one
    /// (<c>native/NAME/NAME</c> beside zoncoin.dll, NAME being the DLL's name without extension), else
    /// <c>dotnet DLL</c>. <paramref name="dll"/> is a file name beside zoncoin.dll or a full path.
    /// </summary>
    public static List<string> CommandLine(string dll, IEnumerable<string> args) => CommandLine(dll, args, AppContext.BaseDirectory);

    internal static List<string> CommandLine(string dll, IEnumerable<string> args, string cliDirectory)
    {
        var path = Path.IsPathFullyQualified(dll) ? dll : Path.Combine(cliDirectory, dll);
        var name = Path.GetFileNameWithoutExtension(path);
        var native = Path.Combine(cliDirectory, "native", name, name);
        return File.Exists(native) ? [native, .. args] : ["dotnet", path, .. args];
    }

    /// <summary>What identifies a service's process in its command line: the DLL, or the native executable.</summary>
    public static string? Program(IReadOnlyList<string> commandLine) => commandLine.Count switch
    {
        0 => null,
        > 1 when commandLine[0] == "dotnet" => commandLine[1],
        _ => commandLine[0],
    };

    /// <summary>The node's TLS flag: <c>--tls-dir DIR</c>, or <c>--insecure</c> when <paramref name="tlsDirectory"/> is null.</summary>
    public static IEnumerable<string> Tls(string? tlsDirectory) => tlsDirectory is null ? ["--insecure", "true"] : ["--tls-dir", tlsDirectory];

    public static List<string> Orderer(string listen, string admin, string operations, string dataDirectory, string mspId, string nodeDirectory, bool tls) =>
    [
        "--listen", listen, "--admin-listen", admin, "--operations-listen", operations,
        "--data-dir", dataDirectory, "--msp-id", mspId, "--msp-dir", Path.Combine(nodeDirectory, "msp"),
        .. Tls(tls ? Path.Combine(nodeDirectory, "tls") : null),
    ];

    public static List<string> Peer(string listen, string admin, string operations, string dataDirectory, string mspId, string nodeDirectory, bool tls) =>
    [
        "--listen", listen, "--admin-listen", admin, "--operations-listen", operations,
        "--data-dir", dataDirectory, "--msp-id", mspId, "--msp-dir", Path.Combine(nodeDirectory, "msp"),
        .. Tls(tls ? Path.Combine(nodeDirectory, "tls") : null),
    ];

    /// <summary>A gateway as <paramref name="userDirectory"/>'s user; with TLS it serves and dials with the TLS folder of <paramref name="peerDirectory"/>.</summary>
    public static List<string> Gateway(string listen, string operations, string mspId, string userDirectory, string peerEndpoint, string peerDirectory, bool tls) =>
    [
        "--listen", listen, "--operations-listen", operations, "--msp-id", mspId,
        "--msp-dir", Path.Combine(userDirectory, "msp"), "--peer", peerEndpoint,
        .. Tls(tls ? Path.Combine(peerDirectory, "tls") : null),
    ];

    /// <summary>A topology organisation's crypto material: its peers and orderers, an Admin and User1, under CRYPTO/&lt;org in lower case&gt;.</summary>
    public static OrgCryptoRequest CryptoRequest(OrganizationTopology org, string cryptoDirectory) =>
        new(org.Name, org.MspId, org.EffectiveDomain, org.Peers.Count, org.Orderers.Count, 1, Path.Combine(cryptoDirectory, org.Name.ToLowerInvariant()));

    public static string NodeDirectory(OrgCryptoRequest org, string kind, string node) => Path.Combine(org.OutputDirectory, kind, $"{node}.{org.Domain}");

    public static string UserDirectory(OrgCryptoRequest org, string user) => Path.Combine(org.OutputDirectory, "users", $"{user}@{org.Domain}");

    /// <summary>The first file (by name) of an MSP subfolder such as signcerts/ or keystore/.</summary>
    public static string FirstFile(string mspDirectory, string folder) => Directory.GetFiles(Path.Combine(mspDirectory, folder)).Order(StringComparer.Ordinal).First();

    /// <summary>An org's connection profile: its gateway, its User1 as identity and its Admin as admin.</summary>
    public static ConnectionProfile Profile(OrgCryptoRequest org, string gatewayEndpoint, string? gatewayTlsRoot, IReadOnlyList<string> channels)
    {
        var user = Path.Combine(UserDirectory(org, "User1"), "msp");
        var admin = Path.Combine(UserDirectory(org, "Admin"), "msp");
        return new ConnectionProfile
        {
            Name = org.Org,
            MspId = org.MspId,
            Gateway = new GatewayProfile { Endpoint = gatewayEndpoint, TlsRootCertPath = gatewayTlsRoot },
            Identity = new IdentityProfile { CertPath = FirstFile(user, "signcerts"), KeyPath = FirstFile(user, "keystore") },
            Admin = new IdentityProfile { CertPath = FirstFile(admin, "signcerts"), KeyPath = FirstFile(admin, "keystore") },
            Channels = channels,
        };
    }
}
