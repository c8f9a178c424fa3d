namespace ZonCoin.Cli.Tests.Support;

/// <summary>The repository checkout the tests run from (the folder holding ZonCoin.sln).</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ZonCoin.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("ZonCoin.sln not found above the test folder");
    }
}
