using System.Globalization;
using System.CommandLine;
using Google.Protobuf;
using ZonCoin.Cli.Topology;
using ZonCoin.Core.Config;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;

namespace ZonCoin.Cli.Commands;

/// <summary><c>zoncoin channel genesis</c>.</summary>
internal static class ChannelCommands
{
    public static Command Create()
    {
        var topology = new Option<FileInfo>("--topology") { Description = "The network.yaml topology file", Required = true };
        var channel = new Option<string>("--channel") { Description = "Channel name (must be defined in the topology)", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the genesis block", Required = true };
        var crypto = new Option<DirectoryInfo?>("--crypto-dir") { Description = "Folder of the orgs' crypto material, one <org in lower case>/msp per org (default: .zoncoin/crypto beside the topology; an org's 'msp' setting wins)" };
        var genesis = new Command("genesis", "Write a channel's genesis (config) block from the topology") { topology, channel, output, crypto };
        genesis.SetAction(parse => CommandErrors.Run(() =>
        {
            var loaded = NetworkTopology.Load(parse.GetValue(topology)!.FullName);
            var cryptoDir = parse.GetValue(crypto)?.FullName ?? loaded.Resolve(Path.Combine(".zoncoin", "crypto"));
            var block = GenesisBlock(loaded, parse.GetValue(channel)!, cryptoDir);
            var path = parse.GetValue(output)!.FullName;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, block.ToByteArray());
            Console.WriteLine($"genesis block for channel '{parse.GetValue(channel)}' written to {path} ({block.CalculateSize()} bytes)");
        }));
        return new Command("channel", "Channel administration") { genesis, Fetch() };
    }

    /// <summary>
    /// <c>zoncoin channel fetch</c>: one block of a channel from an orderer, as a member admin: block 0 (what a new
    /// organisation's peer joins from), the newest, or the last config block.
    /// </summary>
    private static Command Fetch()
    {
        var channel = new Option<string>("--channel") { Description = "Channel name", Required = true };
        var which = new Option<string>("--block") { Description = "oldest (block 0), newest, config (the last config block) or a block number", DefaultValueFactory = _ => "oldest" };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the block", Required = true };
        var mspId = new Option<string>("--msp-id") { Description = "The admin's MSP ID", Required = true };
        var adminDir = new Option<string>("--admin-msp-dir") { Description = "The admin's MSP folder (signcerts/, keystore/)", Required = true };
        var orderer = new Option<string>("--orderer") { Description = "The orderer's gRPC address, host:port", Required = true };
        var caFiles = new Option<string[]>("--ca-file") { Description = "TLS CA of the orderer (repeatable; turns on TLS)" };
        var clientCert = new Option<FileInfo?>("--client-cert") { Description = "Client TLS certificate (PEM) for mutual TLS" };
        var clientKey = new Option<FileInfo?>("--client-key") { Description = "Client TLS key (PEM)" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait", DefaultValueFactory = _ => 60 };
        var fetch = new Command("fetch", "Fetch a block of a channel from an orderer (block 0 for a new organisation's peer to join)")
        {
            channel, which, output, mspId, adminDir, orderer, caFiles, clientCert, clientKey, timeout,
        };
        fetch.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var admin = Lifecycle.OrgAdmin.Load(parse.GetValue(mspId)!, parse.GetValue(adminDir)!, "");
            var connections = Lifecycle.GrpcConnections.Load(parse.GetValue(caFiles) ?? [], parse.GetValue(clientCert)?.FullName, parse.GetValue(clientKey)?.FullName);
            var client = new Governance.GovernanceClient(connections, parse.GetValue(channel)!, TimeSpan.FromSeconds(parse.GetValue(timeout)));
            var ordererAddress = parse.GetValue(orderer)!;
            var text = parse.GetValue(which)!;
            ZonCoin.Protos.Common.Block block;
            if (text == "config")
            {
                var newest = await client.FetchBlockAsync(admin, ordererAddress, DeliverRequests.Newest(), cancellationToken).ConfigureAwait(false);
                block = await client.FetchBlockAsync(admin, ordererAddress, DeliverRequests.Specified(Blocks.LastConfigIndex(newest)), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var position = text switch
                {
                    "oldest" => DeliverRequests.Specified(0),
                    "newest" => DeliverRequests.Newest(),
                    _ when ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) => DeliverRequests.Specified(number),
                    _ => throw new ArgumentException($"--block '{text}' is not oldest, newest, config or a block number"),
                };
                block = await client.FetchBlockAsync(admin, ordererAddress, position, cancellationToken).ConfigureAwait(false);
            }
            var path = parse.GetValue(output)!.FullName;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, block.ToByteArray(), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"block {block.Header.Number} of channel '{client.ChannelId}' written to {path}");
        }));
        return fetch;
    }

    /// <summary>
    /// The genesis block of <paramref name="channelName"/>, with org MSPs from <paramref name="cryptoDirectory"/> and
    /// node endpoints from <paramref name="endpoint"/> (default: the topology's <c>127.0.0.1:port</c>).
    /// </summary>
    internal static ZonCoin.Protos.Common.Block GenesisBlock(NetworkTopology topology, string channelName, string cryptoDirectory,
        Func<OrganizationTopology, NodeTopology, string>? endpoint = null)
    {
        endpoint ??= (_, node) => node.Endpoint;
        var channel = topology.Channel(channelName);
        var members = channel.Organizations.Select(topology.Organization).Select(org => Definition(topology, org, cryptoDirectory, endpoint)).ToList();
        var ordererOrgs = topology.OrdererOrganizations.Select(org => Definition(topology, org, cryptoDirectory, endpoint)).ToList();
        var ordering = topology.Ordering;
        var config = ChannelConfigBuilder.Create(channelName, members, ordererOrgs, new OrderingDefinition
        {
            ConsensusType = ordering.Type,
            KafkaBrokers = ordering.Brokers,
            BatchTimeout = NetworkTopology.ParseDuration(ordering.BatchTimeout),
            MaxMessageCount = ordering.MaxMessageCount,
            AbsoluteMaxBytes = ordering.AbsoluteMaxBytes,
            PreferredMaxBytes = ordering.PreferredMaxBytes,
        });
        return Blocks.Genesis(ConfigUpdates.CreateConfigEnvelope(config));
    }

    private static OrganizationDefinition Definition(NetworkTopology topology, OrganizationTopology org, string cryptoDirectory, Func<OrganizationTopology, NodeTopology, string> endpoint) =>
        new(org.Name, org.MspId, MspDirectory.LoadDefinition(topology.MspDirectory(org, cryptoDirectory), org.MspId))
        {
            PeerEndpoints = [.. org.Peers.Select(p => endpoint(org, p))],
            OrdererEndpoints = [.. org.Orderers.Select(o => endpoint(org, o))],
            GatewayEndpoints = org.Peers.Count == 0 ? [] : [org.GatewayEndpoint],
        };
}
