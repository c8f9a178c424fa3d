namespace ZonCoin.Integration.Tests.Support;

/// <summary>Where the built binaries are: each service is run from its own output folder.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration these tests were built with (Release in CI).</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string OrdererDll => Binary("src/Orderer", "zoncoin-orderer.dll");

    public static string PeerDll => Binary("src/Peer", "zoncoin-peer.dll");

    /// <summary>The peer with a fault-injection hook (tests/Peer.FaultHost).</summary>
    public static string PeerFaultHostDll => Binary("tests/Peer.FaultHost", "zoncoin-peer-faulthost.dll");

    public static string GatewayDll => Binary("src/Gateway/Service", "zoncoin-gateway.dll");

    public static string ChaincodeSampleDll => Binary("src/Chaincode.Sample", "ZonCoin.Chaincode.Sample.dll");

    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "zoncoin.dll");

    /// <summary>tests/interop: the Node package with the official Fabric npm packages and the tools that use them.</summary>
    public static string InteropDirectory => Path.Combine(Root, "tests", "interop");

    private static string Binary(string project, string dll)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{dll} is not built; run dotnet build first", path);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ZonCoin.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("cannot find the repository root (ZonCoin.sln) above " + AppContext.BaseDirectory);
    }
}
