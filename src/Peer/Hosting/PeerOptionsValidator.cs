using Microsoft.Extensions.Options;
using Npgsql;
using ZonCoin.Hosting;
using ZonCoin.Peer.Channels;

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
        foreach (var (chaincode, address) in options.ChaincodeAddresses)
        {
            if (!Endpoints.IsDialable(address))
            {
                failures.Add($"Peer:ChaincodeAddresses:{chaincode}: '{address}' is not a host:port address");
            }
        }
        switch (options.StateDatabase)
        {
            case StateDatabaseProvider.Sqlite:
                break;
            case StateDatabaseProvider.Postgres:
                if (string.IsNullOrWhiteSpace(options.PostgresConnectionString))
                {
                    failures.Add("Peer:PostgresConnectionString: required when Peer:StateDatabase is postgres");
                }
                else
                {
                    try
                    {
                        _ = new NpgsqlConnectionStringBuilder(options.PostgresConnectionString);
                    }
                    catch (ArgumentException ex)
                    {
                        failures.Add($"Peer:PostgresConnectionString: not a valid connection string ({ex.Message})");
                    }
                }
                break;
            default:
                failures.Add($"Peer:StateDatabase: '{options.StateDatabase}' is not supported; use sqlite or postgres");
                break;
        }
        if (!string.IsNullOrEmpty(options.Address) && !Endpoints.IsDialable(options.Address))
        {
            failures.Add($"Peer:Address: '{options.Address}' is not a host:port address");
        }
        failures.AddRange(GatewayFailures(options.Gateway));
        if (options.ChaincodeExecuteTimeout <= TimeSpan.Zero)
        {
            failures.Add("Peer:ChaincodeExecuteTimeout: must be a positive duration");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> GatewayFailures(PeerGatewaySettings gateway)
    {
        if (gateway.EndorsementTimeout <= TimeSpan.Zero)
        {
            yield return "Peer:Gateway:EndorsementTimeout: must be a positive duration";
        }
        if (gateway.BroadcastTimeout <= TimeSpan.Zero)
        {
            yield return "Peer:Gateway:BroadcastTimeout: must be a positive duration";
        }
        if (gateway.DialTimeout <= TimeSpan.Zero)
        {
            yield return "Peer:Gateway:DialTimeout: must be a positive duration";
        }
        if (gateway.ConcurrencyLimit <= 0)
        {
            yield return "Peer:Gateway:ConcurrencyLimit: must be at least 1";
        }
    }
}
