using System.CommandLine;
using System.Globalization;
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
        var genesis = new Command("genesis", "Write a channel's genesis (config) block from the topology") { topology, channel, output };
        genesis.SetAction(parse => CommandErrors.Run(() =>
        {
            var block = GenesisBlock(NetworkTopology.Load(parse.GetValue(topology)!.FullName), parse.GetValue(channel)!);
            var path = parse.GetValue(output)!.FullName;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, block.ToByteArray());
            Console.WriteLine($"genesis block for channel '{parse.GetValue(channel)}' written to {path} ({block.CalculateSize()} bytes)");
        }));
        return new Command("channel", "Channel administration") { genesis };
    }

    internal static ZonCoin.Protos.Common.Block GenesisBlock(NetworkTopology topology, string channelName)
    {
        var channel = topology.Channel(channelName);
        var members = channel.Organizations.Select(topology.Organization).Select(org => Definition(topology, org)).ToList();
        var ordererOrgs = topology.Organizations.Where(o => o.Orderers.Count > 0).Select(org => Definition(topology, org)).ToList();
        var ordering = topology.Ordering;
        var config = ChannelConfigBuilder.Create(channelName, members, ordererOrgs, new OrderingDefinition
        {
            ConsensusType = ordering.Type,
            KafkaBrokers = ordering.Brokers,
            BatchTimeout = ParseDuration(ordering.BatchTimeout),
            MaxMessageCount = ordering.MaxMessageCount,
            AbsoluteMaxBytes = ordering.AbsoluteMaxBytes,
            PreferredMaxBytes = ordering.PreferredMaxBytes,
        });
        return Blocks.Genesis(ConfigUpdates.CreateConfigEnvelope(config));
    }

    private static OrganizationDefinition Definition(NetworkTopology topology, OrganizationTopology org) =>
        new(org.Name, org.MspId, MspDirectory.LoadDefinition(topology.Resolve(org.Msp), org.MspId))
        {
            PeerEndpoints = org.Peers,
            OrdererEndpoints = org.Orderers,
            GatewayEndpoints = org.Gateways,
        };

    /// <summary>Parses Go-style durations as Fabric's configtx.yaml writes them: <c>2s</c>, <c>500ms</c>, <c>1m</c>.</summary>
    internal static TimeSpan ParseDuration(string text)
    {
        var units = new (string Suffix, double Milliseconds)[] { ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000) };
        foreach (var (suffix, ms) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                && value > 0 && (suffix != "m" || !text.EndsWith("ms", StringComparison.Ordinal)))
            {
                return TimeSpan.FromMilliseconds(value * ms);
            }
        }
        throw new TopologyException($"batch timeout '{text}' is not a positive duration such as 2s or 500ms");
    }
}
