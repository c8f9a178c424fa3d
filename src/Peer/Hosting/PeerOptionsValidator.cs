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
        failures.AddRange(new NodeSettings("Peer", "peer", options.ListenAddress, options.AdminListenAddress, options.OperationsListenAddress,
            options.DataDirectory, options.MspId, options.MspDirectory, options.Insecure, options.Tls).Validate());
        if (options.StateDatabase != "sqlite")
        {
            failures.Add($"Peer:StateDatabase: '{options.StateDatabase}' is not supported yet; use sqlite");
        }
        if (options.ChaincodeExecuteTimeout <= TimeSpan.Zero)
        {
            failures.Add("Peer:ChaincodeExecuteTimeout: must be a positive duration");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
