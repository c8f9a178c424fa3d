using System.CommandLine;
using Spectre.Console;
using ZonCoin.Cli.Demo;
using ZonCoin.Cli.Network;
using ZonCoin.Cli.Topology;
using ZonCoin.Gateway.Client;

namespace ZonCoin.Cli.Commands;

/// <summary>
/// <c>zoncoin demo</c>: brings the local consortium up (or checks that it is up: <c>network up</c> starts only what is
/// missing), then runs the pharma scenario (<see cref="PharmaDemo"/>) through each organisation's connection profile.
/// Exits non-zero when a step fails.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var topology = new Option<FileInfo>("--topology") { Description = "The topology file", DefaultValueFactory = _ => new FileInfo("network.yaml") };
        var dir = LocalNetworkDirectory.CreateOption();
        var noTls = new Option<bool>("--no-tls") { Description = "Start the network without TLS when it is not running (development only)" };
        var command = new Command("demo", "Run the pharma scenario on the local consortium (starting it if needed): product, batch, escrow payment, cold-chain shipment, custody, cashback rewards, redemption, serial verification, recall")
        {
            topology, dir, noTls,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            NetworkState state;
            try
            {
                var loaded = NetworkTopology.Load(parse.GetValue(topology)!.FullName);
                state = await ConsortiumNetwork.UpAsync(loaded, LocalNetworkDirectory.Resolve(parse.GetValue(dir)), !parse.GetValue(noTls), Console.Out, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TopologyException or InvalidOperationException or IOException)
            {
                await Console.Error.WriteLineAsync($"error: the network is not up: {ex.Message}").ConfigureAwait(false);
                return 1;
            }
            var profiles = state.Organizations.ToDictionary(org => org.MspId, org => ConnectionProfile.Load(org.ConnectionProfile), StringComparer.Ordinal);
            return await PharmaDemo.RunAsync(profiles, AnsiConsole.Console, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
