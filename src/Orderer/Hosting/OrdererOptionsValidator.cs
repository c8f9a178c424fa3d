using Microsoft.Extensions.Options;
using ZonCoin.Hosting;

namespace ZonCoin.Orderer.Hosting;

/// <summary>Checks the orderer's settings at start; every failure names the setting.</summary>
internal sealed class OrdererOptionsValidator : IValidateOptions<OrdererOptions>
{
    public ValidateOptionsResult Validate(string? name, OrdererOptions options)
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
                failures.Add($"Orderer:{setting}: '{value}' is not a host:port address with an IP or localhost host");
            }
        }
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("Orderer:DataDirectory: required (where block stores are kept)");
        }
        if (string.IsNullOrWhiteSpace(options.MspId))
        {
            failures.Add("Orderer:MspId: required (this orderer's organisation MSP ID)");
        }
        if (string.IsNullOrWhiteSpace(options.MspDirectory) || !Directory.Exists(options.MspDirectory))
        {
            failures.Add($"Orderer:MspDirectory: '{options.MspDirectory}' is not a directory (this orderer's msp/ folder with signcerts/ and keystore/)");
        }
        if (options.ConsensusType is not ("solo" or "kafka"))
        {
            failures.Add($"Orderer:ConsensusType: '{options.ConsensusType}' is not supported; use solo or kafka");
        }
        if (!options.Insecure)
        {
            failures.AddRange(options.Tls.Validate("Orderer:Tls"));
        }
        if (options.Kafka.ReplicationFactor < 1)
        {
            failures.Add("Orderer:Kafka:ReplicationFactor: must be at least 1");
        }
        foreach (var broker in options.Kafka.Brokers.Where(broker => !broker.Contains(':', StringComparison.Ordinal)))
        {
            failures.Add($"Orderer:Kafka:Brokers: '{broker}' is not a host:port address");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
