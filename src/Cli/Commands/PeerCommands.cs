using System.CommandLine;
using ZonCoin.Cli.Admin;
using ZonCoin.Cli.Network;

namespace ZonCoin.Cli.Commands;

/// <summary>
/// <c>zoncoin peer join|list</c>: a peer's channel participation API (its admin endpoint), shaped like the orderer's.
/// </summary>
internal static class PeerCommands
{
    public static Command Create()
    {
        var peer = new Option<string?>("--peer") { Description = "The peer's admin endpoint, host:port (default: the local network's peers)" };
        var org = new Option<string?>("--org") { Description = "With the local network: only this organisation's peers (name or MSP ID)" };
        var networkDir = LocalNetworkDirectory.CreateOption();
        var caFile = new Option<FileInfo?>("--ca-file") { Description = "TLS CA of the peer (turns on HTTPS; needs --client-cert and --client-key)" };
        var clientCert = new Option<FileInfo?>("--client-cert") { Description = "Admin client TLS certificate (PEM)" };
        var clientKey = new Option<FileInfo?>("--client-key") { Description = "Admin client TLS key (PEM)" };
        var channel = new Option<string>("--channel") { Description = "Channel name", Required = true };
        var block = new Option<FileInfo>("--block") { Description = "The channel's genesis block", Required = true };

        // --peer wins; without it, the local network's peers (of --org) with their org's admin TLS files.
        IReadOnlyList<AdminConnection> Connections(ParseResult parse)
        {
            if (parse.GetValue(peer) is { } address)
            {
                return [new(address, parse.GetValue(caFile)?.FullName, parse.GetValue(clientCert)?.FullName, parse.GetValue(clientKey)?.FullName, "peer")];
            }
            var local = LocalNetworkDirectory.Require(parse, networkDir, "--peer");
            var orgs = parse.GetValue(org) is { } name ? [local.Organization(name)] : local.Organizations;
            return [.. orgs.SelectMany(o => o.Peers.Select(p => new AdminConnection(p.AdminEndpoint,
                parse.GetValue(caFile)?.FullName ?? o.TlsCaFile, parse.GetValue(clientCert)?.FullName ?? o.AdminTlsCertFile, parse.GetValue(clientKey)?.FullName ?? o.AdminTlsKeyFile, "peer")))];
        }

        AdminConnection Connection(ParseResult parse) => Connections(parse)[0];

        var join = new Command("join", "Join the peer (without --peer: every peer of the local network, or of --org) to a channel from its genesis block")
        {
            channel, block, peer, caFile, clientCert, clientKey, org, networkDir,
        };
        join.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var bytes = await File.ReadAllBytesAsync(parse.GetValue(block)!.FullName, cancellationToken).ConfigureAwait(false);
            foreach (var connection in Connections(parse))
            {
                using var client = new ParticipationClient(connection);
                Console.WriteLine(await client.JoinAsync(bytes, cancellationToken).ConfigureAwait(false));
            }
        }));

        var listChannel = new Option<string?>("--channel") { Description = "Show one channel (height, committed chaincodes) instead of listing all" };
        var list = new Command("list", "List the channels a peer has joined, or show one (without --peer: the local network's first peer, or --org's)")
        {
            listChannel, peer, caFile, clientCert, clientKey, org, networkDir,
        };
        list.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            using var client = new ParticipationClient(Connection(parse));
            var name = parse.GetValue(listChannel);
            Console.WriteLine(name is null
                ? await client.ListAsync(cancellationToken).ConfigureAwait(false)
                : await client.GetAsync(name, cancellationToken).ConfigureAwait(false));
        }));

        return new Command("peer", "Peer administration (channel participation)") { join, list };
    }
}
