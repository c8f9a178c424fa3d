using System.CommandLine;
using ZonCoin.Cli.Admin;

namespace ZonCoin.Cli.Commands;

/// <summary>
/// <c>zoncoin peer join|list</c>: a peer's channel participation API (its admin endpoint), shaped like the orderer's.
/// </summary>
internal static class PeerCommands
{
    public static Command Create()
    {
        var peer = new Option<string>("--peer") { Description = "The peer's admin endpoint, host:port", Required = true };
        var caFile = new Option<FileInfo?>("--ca-file") { Description = "TLS CA of the peer (turns on HTTPS; needs --client-cert and --client-key)" };
        var clientCert = new Option<FileInfo?>("--client-cert") { Description = "Admin client TLS certificate (PEM)" };
        var clientKey = new Option<FileInfo?>("--client-key") { Description = "Admin client TLS key (PEM)" };
        var channel = new Option<string>("--channel") { Description = "Channel name", Required = true };
        var block = new Option<FileInfo>("--block") { Description = "The channel's genesis block", Required = true };

        AdminConnection Connection(ParseResult parse) => new(
            parse.GetValue(peer)!, parse.GetValue(caFile)?.FullName, parse.GetValue(clientCert)?.FullName, parse.GetValue(clientKey)?.FullName, "peer");

        var join = new Command("join", "Join the peer to a channel from its genesis block") { channel, block, peer, caFile, clientCert, clientKey };
        join.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            using var client = new ParticipationClient(Connection(parse));
            var bytes = await File.ReadAllBytesAsync(parse.GetValue(block)!.FullName, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(await client.JoinAsync(bytes, cancellationToken).ConfigureAwait(false));
        }));

        var listChannel = new Option<string?>("--channel") { Description = "Show one channel (height, committed chaincodes) instead of listing all" };
        var list = new Command("list", "List the channels a peer has joined, or show one") { listChannel, peer, caFile, clientCert, clientKey };
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
