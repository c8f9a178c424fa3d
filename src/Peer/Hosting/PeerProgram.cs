using ZonCoin.Hosting;

namespace ZonCoin.Peer.Hosting;

/// <summary>
/// The peer process (<see cref="PeerHostExtensions.AddPeer"/>). Settings come from <c>appsettings.json</c>,
/// environment variables (<c>Peer__X</c>) and flags: <c>--listen</c>, <c>--address</c>, <c>--admin-listen</c>,
/// <c>--operations-listen</c>, <c>--data-dir</c>, <c>--msp-id</c>, <c>--msp-dir</c>, <c>--tls-dir</c> and
/// <c>--insecure</c> (development only). Exit codes: 0 after a clean stop, 2 for bad settings, 1 when the peer
/// could not start.
/// </summary>
public static class PeerProgram
{
    /// <summary>The peer's flags.</summary>
    public static NodeCommandLine CommandLine { get; } = new(
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["--listen"] = "Peer:ListenAddress",
            ["--address"] = "Peer:Address",
            ["--admin-listen"] = "Peer:AdminListenAddress",
            ["--operations-listen"] = "Peer:OperationsListenAddress",
            ["--data-dir"] = "Peer:DataDirectory",
            ["--msp-id"] = "Peer:MspId",
            ["--msp-dir"] = "Peer:MspDirectory",
            ["--tls-dir"] = "Peer:Tls:Directory",
            ["--insecure"] = "Peer:Insecure",
        },
        BooleanFlags: ["--insecure"],
        ListFlags: new Dictionary<string, string>());

    public static Task<int> Main(string[] args) => NodeHost.RunAsync("peer", args, CommandLine, builder => builder.AddPeer());
}
