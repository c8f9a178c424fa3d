using Microsoft.Extensions.Options;
using ZonCoin.Hosting;

namespace ZonCoin.Peer.Hosting;

/// <summary>Checks the peer's settings at start; every failure names the setting.</summary>
internal sealed class PeerOptionsValidator : IValidateOptions<PeerOptions>
{
    public ValidateOptionsResult Validate(string? name, PeerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var (setting, value) in new[]
        {
            (nameof(options.ListenAddress), options.ListenAddress),
            (nameof(options.AdminListenAddress), options.AdminListenAddress),
            (nameof(options.OperationsListenAddress), options.OperationsListenAddress),
        })
        {
            if (!Endpoints.IsValid(value))
            {
                failures.Add($"Peer:{setting}: '{value}' is not a host:port address with an IP or localhost host");
            }
        }
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("Peer:DataDirectory: required (where block stores and state databases are kept)");
        }
        if (string.IsNullOrWhiteSpace(options.MspId))
        {
            failures.Add("Peer:MspId: required (this peer's organisation MSP ID)");
        }
        if (string.IsNullOrWhiteSpace(options.MspDirectory) || !Directory.Exists(options.MspDirectory))
        {
            failures.Add($"Peer:MspDirectory: '{options.MspDirectory}' is not a directory (this peer's msp/ folder with signcerts/ and keystore/)");
        }
        if (options.StateDatabase != "sqlite")
        {
            failures.Add($"Peer:StateDatabase: '{options.StateDatabase}' is not supported yet; use sqlite");
        }
        if (options.ChaincodeExecuteTimeout <= TimeSpan.Zero)
        {
            failures.Add("Peer:ChaincodeExecuteTimeout: must be a positive duration");
        }
        if (!options.Insecure)
        {
            failures.AddRange(options.Tls.Validate("Peer:Tls"));
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
