using System.CommandLine;
using System.Globalization;
using ZonCoin.Cli.Network;
using ZonCoin.Cli.Topology;

namespace ZonCoin.Cli.Commands;

/// <summary><c>zoncoin network up|status|down</c>: the consortium of a topology file as local background processes.</summary>
internal static class NetworkCommands
{
    public static Command Create()
    {
        var topology = new Option<FileInfo>("--topology") { Description = "The topology file", DefaultValueFactory = _ => new FileInfo("network.yaml") };
        var noTls = new Option<bool>("--no-tls") { Description = "Run every node without TLS (development only)" };
        var purge = new Option<bool>("--purge") { Description = "Also delete the network's folder (crypto, ledgers, logs)" };
        var upDir = LocalNetworkDirectory.CreateOption();
        var statusDir = LocalNetworkDirectory.CreateOption();
        var downDir = LocalNetworkDirectory.CreateOption();

        var up = new Command("up", "Start the consortium (or whatever of it does not run): crypto, orderers, PostgreSQL, peers, chaincode hosts, gateways, channels, contracts, connection profiles")
        {
            topology, upDir, noTls,
        };
        up.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var loaded = NetworkTopology.Load(parse.GetValue(topology)!.FullName);
            var dir = LocalNetworkDirectory.Resolve(parse.GetValue(upDir));
            var state = await ConsortiumNetwork.UpAsync(loaded, dir, !parse.GetValue(noTls), Console.Out, cancellationToken).ConfigureAwait(false);
            await PrintStatusAsync(state, cancellationToken).ConfigureAwait(false);
            Console.WriteLine();
            Console.WriteLine($"network '{state.Name}' is up ({(state.Tls ? "TLS" : "no TLS")}); connection profiles:");
            foreach (var org in state.Organizations)
            {
                Console.WriteLine($"  {org.Name,-14} {org.ConnectionProfile}");
            }
            Console.WriteLine($"stop it with: zoncoin network down --dir {state.Directory}");
        }));

        var status = new Command("status", "List the network's services (pid, alive, endpoint) and each peer's ledger height per channel") { statusDir };
        status.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var state = LocalNetworkDirectory.Require(parse, statusDir, "--dir");
            await PrintStatusAsync(state, cancellationToken).ConfigureAwait(false);
        }));

        var down = new Command("down", "Stop every service of the network (SIGTERM, then SIGKILL); --purge deletes its folder") { downDir, purge };
        down.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var dir = LocalNetworkDirectory.Resolve(parse.GetValue(downDir));
            if (LocalNetworkDirectory.TryLoad(parse, downDir) is { } state)
            {
                await ConsortiumNetwork.DownAsync(state, Console.Out, cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"network '{state.Name}' is down");
            }
            else
            {
                Console.WriteLine($"no network recorded in {dir}");
            }
            if (parse.GetValue(purge) && Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
                Console.WriteLine($"deleted {dir}");
            }
        }));

        var orgName = new Option<string>("--name") { Description = "The new organisation's name, e.g. Pharmacy", Required = true };
        var orgMspId = new Option<string?>("--msp-id") { Description = "Its MSP ID (default: <name>MSP)" };
        var addDir = LocalNetworkDirectory.CreateOption();
        var addOrg = new Command("add-org", "Onboard an organisation into every channel of the running network: org init, proposals voted by the member admins and applied, its peer (joined, caught up), chaincode hosts, approvals and gateway, its connection profile")
        {
            orgName, orgMspId, addDir,
        };
        addOrg.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var current = LocalNetworkDirectory.Require(parse, addDir, "--dir");
            var state = await ConsortiumNetwork.AddOrgAsync(current.Directory, parse.GetValue(orgName)!, parse.GetValue(orgMspId), Console.Out, cancellationToken).ConfigureAwait(false);
            var org = state.Organization(parse.GetValue(orgName)!);
            Console.WriteLine($"organization '{org.Name}' ({org.MspId}) added to network '{state.Name}'; connection profile: {org.ConnectionProfile}");
        }));

        return new Command("network", "A local consortium from network.yaml: up, status, down, add-org") { up, status, down, addOrg };
    }

    private static async Task PrintStatusAsync(NetworkState state, CancellationToken cancellationToken)
    {
        Console.WriteLine($"{"SERVICE",-34} {"PID",-8} {"STATE",-6} ENDPOINT");
        foreach (var service in state.Services)
        {
            var alive = ConsortiumNetwork.IsAlive(service);
            Console.WriteLine($"{service.Name,-34} {service.Pid.ToString(CultureInfo.InvariantCulture),-8} {(alive ? "alive" : "dead"),-6} {service.Endpoint}");
        }
        Console.WriteLine();
        Console.WriteLine($"{"PEER",-34} {"CHANNEL",-16} HEIGHT");
        foreach (var org in state.Organizations)
        {
            foreach (var peer in org.Peers)
            {
                var heights = await ConsortiumNetwork.HeightsAsync(peer, cancellationToken).ConfigureAwait(false);
                foreach (var channel in org.Channels)
                {
                    var height = heights is null ? "unreachable" : heights.TryGetValue(channel, out var h) ? h.ToString(CultureInfo.InvariantCulture) : "not joined";
                    Console.WriteLine($"{peer.Name,-34} {channel,-16} {height}");
                }
            }
        }
    }
}
