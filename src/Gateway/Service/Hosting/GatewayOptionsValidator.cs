using Microsoft.Extensions.Options;
using ZonCoin.Gateway.Nodes;
using ZonCoin.Hosting;

namespace ZonCoin.Gateway.Hosting;

/// <summary>Checks <see cref="GatewayOptions"/> at start and names every bad setting.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var (setting, value) in new[] { (nameof(options.ListenAddress), options.ListenAddress), (nameof(options.OperationsListenAddress), options.OperationsListenAddress) })
        {
            if (!Endpoints.IsValid(value))
            {
                failures.Add($"Gateway:{setting}: '{value}' is not a host:port address with an IP or localhost host");
            }
        }
        if (string.IsNullOrWhiteSpace(options.MspId))
        {
            failures.Add("Gateway:MspId: required (the MSP ID of the organisation this gateway serves)");
        }
        if (string.IsNullOrWhiteSpace(options.MspDirectory) || !Directory.Exists(options.MspDirectory))
        {
            failures.Add($"Gateway:MspDirectory: '{options.MspDirectory}' is not a directory (the gateway's msp/ folder with signcerts/ and keystore/)");
        }
        if (options.Peers.Count == 0)
        {
            failures.Add("Gateway:Peers: at least one peer of the gateway's organisation is required (--peer host:port)");
        }
        // Without an MSP ID (reported above) a plain host:port is still a well-formed address: parse it as the own
        // organisation's rather than calling it malformed.
        var ownMspId = string.IsNullOrWhiteSpace(options.MspId) ? null : options.MspId;
        var own = 0;
        for (var i = 0; i < options.Peers.Count; i++)
        {
            if (!PeerAddress.TryParse(options.Peers[i], ownMspId ?? "(own)", out var peer))
            {
                failures.Add($"Gateway:Peers:{i}: '{options.Peers[i]}' is not host:port or MSPID@host:port");
            }
            else if (ownMspId is null || peer.MspId == ownMspId)
            {
                own++;
            }
        }
        if (options.Peers.Count > 0 && own == 0)
        {
            failures.Add($"Gateway:Peers: none is a peer of {options.MspId}; list the gateway's own peer without an MSP ID");
        }
        foreach (var (setting, value) in new[]
        {
            (nameof(options.EndorsementTimeout), options.EndorsementTimeout),
            (nameof(options.BroadcastTimeout), options.BroadcastTimeout),
            (nameof(options.CommitStatusTimeout), options.CommitStatusTimeout),
            (nameof(options.DialTimeout), options.DialTimeout),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"Gateway:{setting}: must be a positive duration");
            }
        }
        if (options.ConcurrencyLimit <= 0)
        {
            failures.Add("Gateway:ConcurrencyLimit: must be at least 1");
        }
        if (!options.Insecure)
        {
            failures.AddRange(options.Tls.Validate("Gateway:Tls"));
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
