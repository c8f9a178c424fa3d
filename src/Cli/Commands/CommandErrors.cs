using ZonCoin.Cli.Topology;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;

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
        catch (Exception ex) when (IsUserError(ex))
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
    }

    public static async Task<int> RunAsync(Func<Task> body)
    {
        try
        {
            await body().ConfigureAwait(false);
            return 0;
        }
        catch (Exception ex) when (IsUserError(ex))
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static bool IsUserError(Exception ex) =>
        ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException
            or CryptoException or IdentityException or MspConfigurationException or MalformedMessageException or TopologyException
            or System.Security.Cryptography.CryptographicException or Grpc.Core.RpcException
            or Gateway.Client.GatewayException or Gateway.Client.CommitException;
}
