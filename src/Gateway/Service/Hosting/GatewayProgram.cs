using ZonCoin.Hosting;

namespace ZonCoin.Gateway.Hosting;

/// <summary>
/// The gateway process (<see cref="GatewayHostExtensions.AddGateway"/>). Settings come from <c>appsettings.json</c>,
/// environment variables (<c>Gateway__X</c>) and flags: <c>--listen</c>, <c>--operations-listen</c>, <c>--msp-id</c>,
/// <c>--msp-dir</c>, <c>--tls-dir</c>, <c>--peer</c> (repeatable, or comma-separated: <c>host:port</c> or
/// <c>MSPID@host:port</c>), <c>--concurrency-limit</c> and <c>--insecure</c> (development only). Exit codes: 0 after a
/// clean stop, 2 for bad settings, 1 when the gateway could not start.
/// </summary>
public static class GatewayProgram
{
    /// <summary>The gateway's flags.</summary>
    public static NodeCommandLine CommandLine { get; } = new(
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["--listen"] = "Gateway:ListenAddress",
            ["--operations-listen"] = "Gateway:OperationsListenAddress",
            ["--msp-id"] = "Gateway:MspId",
            ["--msp-dir"] = "Gateway:MspDirectory",
            ["--tls-dir"] = "Gateway:Tls:Directory",
            ["--insecure"] = "Gateway:Insecure",
            ["--concurrency-limit"] = "Gateway:ConcurrencyLimit",
        },
        BooleanFlags: ["--insecure"],
        ListFlags: new Dictionary<string, string>(StringComparer.Ordinal) { ["--peer"] = "Gateway:Peers" });

    public static Task<int> Main(string[] args) => NodeHost.RunAsync("gateway", args, CommandLine, builder => builder.AddGateway());
}
