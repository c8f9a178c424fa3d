using System.CommandLine;

namespace ZonCoin.Cli.Network;

/// <summary>
/// Where the local network lives: <c>--dir</c>, else <c>ZONCOIN_NETWORK_DIR</c>, else <c>./.zoncoin</c>. Admin commands
/// whose endpoint and identity flags are absent use the network recorded there (<see cref="NetworkState"/>).
/// </summary>
internal static class LocalNetworkDirectory
{
    public const string EnvironmentVariable = "ZONCOIN_NETWORK_DIR";

    public static Option<DirectoryInfo?> CreateOption() => new("--dir")
    {
        Description = $"The local network's folder (default: ${EnvironmentVariable}, else ./.zoncoin)",
    };

    public static string Resolve(DirectoryInfo? dir) =>
        dir?.FullName
        ?? (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment ? Path.GetFullPath(fromEnvironment) : Path.GetFullPath(".zoncoin"));

    /// <summary>The recorded network, or null when the folder holds none.</summary>
    public static NetworkState? TryLoad(ParseResult parse, Option<DirectoryInfo?> option)
    {
        var dir = Resolve(parse.GetValue(option));
        return File.Exists(NetworkState.PathIn(dir)) ? NetworkState.Load(dir) : null;
    }

    /// <summary>The recorded network; throws naming the flags to give when there is none.</summary>
    public static NetworkState Require(ParseResult parse, Option<DirectoryInfo?> option, string flags)
    {
        var dir = Resolve(parse.GetValue(option));
        return TryLoad(parse, option)
            ?? throw new ArgumentException($"give {flags}, or start a local network first ('zoncoin network up'; none is recorded in {dir})");
    }
}
