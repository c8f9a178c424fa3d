using System.CommandLine;
using ZonCoin.Cli.Admin;
using ZonCoin.Cli.Network;

namespace ZonCoin.Cli.Commands;

/// <summary>
/// <c>zoncoin orderer join|list|remove</c>: an orderer's channel participation API, as Fabric's
/// <c>osnadmin channel</c> commands.
/// </summary>
internal static class OrdererCommands
{
    public static Command Create()
    {
        var orderer = new Option<string?>("--orderer") { Description = "The orderer's admin endpoint, host:port (default: the local network's orderer)" };
        var networkDir = LocalNetworkDirectory.CreateOption();
        var caFile = new Option<FileInfo?>("--ca-file") { Description = "TLS CA of the orderer (turns on HTTPS; needs --client-cert and --client-key)" };
        var clientCert = new Option<FileInfo?>("--client-cert") { Description = "Admin client TLS certificate (PEM)" };
        var clientKey = new Option<FileInfo?>("--client-key") { Description = "Admin client TLS key (PEM)" };
        var channel = new Option<string>("--channel") { Description = "Channel name", Required = true };
        var block = new Option<FileInfo>("--block") { Description = "The channel's genesis block", Required = true };

        // --orderer wins; without it, the local network's first orderer with the orderer org admin's TLS files.
        AdminConnection Connection(ParseResult parse)
        {
            if (parse.GetValue(orderer) is { } address)
            {
                return new(address, parse.GetValue(caFile)?.FullName, parse.GetValue(clientCert)?.FullName, parse.GetValue(clientKey)?.FullName);
            }
            var local = LocalNetworkDirectory.Require(parse, networkDir, "--orderer").Orderers[0];
            return new(local.AdminEndpoint, parse.GetValue(caFile)?.FullName ?? local.TlsCaFile,
                parse.GetValue(clientCert)?.FullName ?? local.AdminTlsCertFile, parse.GetValue(clientKey)?.FullName ?? local.AdminTlsKeyFile);
        }

        var join = new Command("join", "Join the orderer to a channel from its genesis block") { channel, block, orderer, caFile, clientCert, clientKey, networkDir };
        join.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            using var client = new ParticipationClient(Connection(parse));
            var bytes = await File.ReadAllBytesAsync(parse.GetValue(block)!.FullName, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(await client.JoinAsync(bytes, cancellationToken).ConfigureAwait(false));
        }));

        var listChannel = new Option<string?>("--channel") { Description = "Show one channel instead of listing all" };
        var list = new Command("list", "List the channels an orderer serves, or show one") { listChannel, orderer, caFile, clientCert, clientKey, networkDir };
        list.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            using var client = new ParticipationClient(Connection(parse));
            var name = parse.GetValue(listChannel);
            Console.WriteLine(name is null
                ? await client.ListAsync(cancellationToken).ConfigureAwait(false)
                : await client.GetAsync(name, cancellationToken).ConfigureAwait(false));
        }));

        var remove = new Command("remove", "Remove a channel from the orderer (its blocks are deleted)") { channel, orderer, caFile, clientCert, clientKey, networkDir };
        remove.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            using var client = new ParticipationClient(Connection(parse));
            await client.RemoveAsync(parse.GetValue(channel)!, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"channel '{parse.GetValue(channel)}' removed");
        }));

        return new Command("orderer", "Orderer administration (channel participation)") { join, list, remove };
    }
}
