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
        return new Command("channel", "Channel administration") { genesis };
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
            GatewayEndpoints = org.Gateway is null ? [] : [org.Gateway.Endpoint],
        };
}
