using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Cli.Topology;

namespace ZonCoin.Cli.Commands;

/// <summary>Runs a command body and turns the errors users can act on into a one-line message and exit code 1.</summary>
internal static class CommandErrors
{
    public static int Run(Action body)
    {
        try
        {
            body();
            return 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException
            or CryptoException or IdentityException or MspConfigurationException or MalformedMessageException or TopologyException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
    }
}
