namespace ZonCoin.Interop.Tests.Support;

/// <summary>Locations in the repository, found by walking up from the test binaries to ZonCoin.sln.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RepoRoot => Root.Value;

    /// <summary>tests/interop: the Node package holding the official Fabric client and the tools.</summary>
    public static string InteropDirectory => Path.Combine(RepoRoot, "tests", "interop");

    public static string VectorsDirectory => Path.Combine(InteropDirectory, "vectors");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ZonCoin.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"no ZonCoin.sln above {AppContext.BaseDirectory}");
    }
}
