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
        failures.AddRange(new NodeSettings("Orderer", "orderer", options.ListenAddress, options.AdminListenAddress, options.OperationsListenAddress,
            options.DataDirectory, options.MspId, options.MspDirectory, options.Insecure, options.Tls).Validate());
        if (options.ConsensusType is not ("solo" or "kafka"))
        {
            failures.Add($"Orderer:ConsensusType: '{options.ConsensusType}' is not supported; use solo or kafka");
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
