using ZonCoin.Hosting;

namespace ZonCoin.Orderer.Hosting;

/// <summary>
/// The orderer process (<see cref="OrdererHostExtensions.AddOrderer"/>). Settings come from <c>appsettings.json</c>,
/// environment variables (<c>Orderer__X</c>) and flags: <c>--listen</c>, <c>--admin-listen</c>,
/// <c>--operations-listen</c>, <c>--data-dir</c>, <c>--msp-id</c>, <c>--msp-dir</c>, <c>--tls-dir</c>,
/// <c>--consensus</c>, <c>--kafka-brokers</c> (comma-separated), <c>--adaptive-cutting</c> (<c>true</c>, the default,
/// or <c>false</c>) and <c>--insecure</c> (development only: no TLS).
/// Exit codes: 0 after a clean stop, 2 for bad settings, 1 when the node failed.
/// </summary>
public static class OrdererProgram
{
    /// <summary>The orderer's flags.</summary>
    public static NodeCommandLine CommandLine { get; } = new(
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["--listen"] = "Orderer:ListenAddress",
            ["--admin-listen"] = "Orderer:AdminListenAddress",
            ["--operations-listen"] = "Orderer:OperationsListenAddress",
            ["--data-dir"] = "Orderer:DataDirectory",
            ["--msp-id"] = "Orderer:MspId",
            ["--msp-dir"] = "Orderer:MspDirectory",
            ["--tls-dir"] = "Orderer:Tls:Directory",
            ["--consensus"] = "Orderer:ConsensusType",
            ["--adaptive-cutting"] = "Orderer:AdaptiveCutting",
            ["--insecure"] = "Orderer:Insecure",
        },
        BooleanFlags: ["--insecure"],
        ListFlags: new Dictionary<string, string>(StringComparer.Ordinal) { ["--kafka-brokers"] = "Orderer:Kafka:Brokers" });

    public static Task<int> Main(string[] args) => NodeHost.RunAsync("orderer", args, CommandLine, builder => builder.AddOrderer());
}
