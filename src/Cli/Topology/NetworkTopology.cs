using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace ZonCoin.Cli.Topology;

/// <summary>
/// <c>network.yaml</c>: the organisations of a consortium, where their MSP folders and nodes are, how
/// ordering works and which orgs are members of which channel. Paths are relative to the file.
/// </summary>
internal sealed class NetworkTopology
{
    public string Name { get; set; } = "zoncoin";

    public List<OrganizationTopology> Organizations { get; set; } = [];

    public OrderingTopology Ordering { get; set; } = new();

    public List<ChannelTopology> Channels { get; set; } = [];

    /// <summary>Folder the file was loaded from; relative paths resolve against it.</summary>
    [YamlIgnore]
    public string BaseDirectory { get; set; } = ".";

    public static NetworkTopology Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new TopologyException($"topology file '{path}' does not exist");
        }
        NetworkTopology? topology;
        try
        {
            topology = new DeserializerBuilder()
                .WithNamingConvention(CamelCaseNamingConvention.Instance)
                .Build()
                .Deserialize<NetworkTopology>(File.ReadAllText(path));
        }
        catch (YamlException ex)
        {
            throw new TopologyException($"'{path}' line {ex.Start.Line}: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
        topology ??= new NetworkTopology();
        topology.BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        topology.Validate(path);
        return topology;
    }

    public OrganizationTopology Organization(string name) =>
        Organizations.FirstOrDefault(o => o.Name == name)
        ?? throw new TopologyException($"organization '{name}' is not defined in the topology (defined: {string.Join(", ", Organizations.Select(o => o.Name))})");

    public ChannelTopology Channel(string name) =>
        Channels.FirstOrDefault(c => c.Name == name)
        ?? throw new TopologyException($"channel '{name}' is not defined in the topology (defined: {string.Join(", ", Channels.Select(c => c.Name))})");

    public string Resolve(string path) => Path.GetFullPath(Path.Combine(BaseDirectory, path));

    private void Validate(string path)
    {
        if (Organizations.Count == 0)
        {
            throw new TopologyException($"'{path}': no organizations defined");
        }
        foreach (var org in Organizations)
        {
            if (string.IsNullOrWhiteSpace(org.Name) || string.IsNullOrWhiteSpace(org.MspId) || string.IsNullOrWhiteSpace(org.Msp))
            {
                throw new TopologyException($"'{path}': every organization needs name, mspId and msp (the MSP folder)");
            }
        }
        var duplicate = Organizations.GroupBy(o => o.Name).FirstOrDefault(g => g.Count() > 1)
            ?? Organizations.GroupBy(o => o.MspId).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new TopologyException($"'{path}': organization '{duplicate.Key}' is defined more than once");
        }
        if (!Organizations.Any(o => o.Orderers.Count > 0))
        {
            throw new TopologyException($"'{path}': no organization runs an orderer (give one an 'orderers' list)");
        }
        if (Ordering.Type is not ("solo" or "kafka"))
        {
            throw new TopologyException($"'{path}': ordering.type must be solo or kafka, not '{Ordering.Type}'");
        }
        if (Ordering.Type == "kafka" && Ordering.Brokers.Count == 0)
        {
            throw new TopologyException($"'{path}': kafka ordering needs ordering.brokers");
        }
        foreach (var channel in Channels)
        {
            if (channel.Organizations.Count == 0)
            {
                throw new TopologyException($"'{path}': channel '{channel.Name}' has no organizations");
            }
            foreach (var member in channel.Organizations)
            {
                _ = Organization(member);
            }
        }
    }
}

internal sealed class OrganizationTopology
{
    public string Name { get; set; } = "";

    public string MspId { get; set; } = "";

    /// <summary>The org's MSP folder (as written by <c>zoncoin crypto generate</c>: OUT/msp).</summary>
    public string Msp { get; set; } = "";

    /// <summary>host:port of the org's peers.</summary>
    public List<string> Peers { get; set; } = [];

    /// <summary>host:port of the org's ordering nodes.</summary>
    public List<string> Orderers { get; set; } = [];

    /// <summary>host:port of the org's gateways.</summary>
    public List<string> Gateways { get; set; } = [];
}

internal sealed class OrderingTopology
{
    /// <summary><c>solo</c> or <c>kafka</c>.</summary>
    public string Type { get; set; } = "solo";

    public List<string> Brokers { get; set; } = [];

    /// <summary>Batch timeout, e.g. <c>2s</c> or <c>500ms</c>.</summary>
    public string BatchTimeout { get; set; } = "2s";

    public uint MaxMessageCount { get; set; } = 500;

    public uint AbsoluteMaxBytes { get; set; } = 10 * 1024 * 1024;

    public uint PreferredMaxBytes { get; set; } = 2 * 1024 * 1024;
}

internal sealed class ChannelTopology
{
    public string Name { get; set; } = "";

    /// <summary>Names of the member (application) organizations.</summary>
    public List<string> Organizations { get; set; } = [];
}

/// <summary>A topology file that cannot be used; the message names the file and the problem.</summary>
internal sealed class TopologyException : Exception
{
    public TopologyException(string message) : base(message) { }

    public TopologyException(string message, Exception inner) : base(message, inner) { }
}
