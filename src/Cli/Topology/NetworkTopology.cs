using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;
using ZonCoin.Core.Policies;
using ZonCoin.Protos.Common;

namespace ZonCoin.Cli.Topology;

/// <summary>
/// <c>network.yaml</c>: the organisations of a consortium with their nodes and ports, how ordering works, which orgs
/// are members of which channel and which contracts run where. Relative paths resolve against the file's folder.
/// Every node listens on 127.0.0.1; a node's admin port defaults to its port + 10000 and its operations port
/// (<c>/healthz</c>, <c>/metrics</c>) to its port + 20000. An org's host for a contract listens on the contract's
/// port + the org's index among the channel's members.
/// </summary>
internal sealed class NetworkTopology
{
    public const string Host = "127.0.0.1";

    /// <summary>The endorsement policy value that means the channel's default (<c>/Channel/Application/Endorsement</c>).</summary>
    public const string Majority = "MAJORITY";

    public string Name { get; set; } = "zoncoin";

    public List<OrganizationTopology> Organizations { get; set; } = [];

    public OrderingTopology Ordering { get; set; } = new();

    public List<ChannelTopology> Channels { get; set; } = [];

    public List<ContractTopology> Contracts { get; set; } = [];

    /// <summary>Folder the file was loaded from; relative paths resolve against it.</summary>
    [YamlIgnore]
    public string BaseDirectory { get; set; } = ".";

    /// <summary>The file it was loaded from (absolute).</summary>
    [YamlIgnore]
    public string Path { get; set; } = "";

    public IEnumerable<OrganizationTopology> OrdererOrganizations => Organizations.Where(o => o.Orderers.Count > 0);

    public IEnumerable<OrganizationTopology> MemberOrganizations => Organizations.Where(o => o.Orderers.Count == 0);

    public static NetworkTopology Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new TopologyException($"topology file '{path}' does not exist");
        }
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses and validates topology text; <paramref name="path"/> names the file in errors and anchors relative paths.</summary>
    public static NetworkTopology Parse(string yaml, string path)
    {
        NetworkTopology? topology;
        try
        {
            topology = new DeserializerBuilder()
                .WithNamingConvention(CamelCaseNamingConvention.Instance)
                .Build()
                .Deserialize<NetworkTopology>(yaml);
        }
        catch (YamlException ex)
        {
            throw new TopologyException($"'{path}' line {ex.Start.Line}: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
        topology ??= new NetworkTopology();
        topology.Path = System.IO.Path.GetFullPath(path);
        topology.BaseDirectory = System.IO.Path.GetDirectoryName(topology.Path)!;
        topology.Validate(path);
        return topology;
    }

    public OrganizationTopology Organization(string name) =>
        Organizations.FirstOrDefault(o => o.Name == name)
        ?? throw new TopologyException($"organization '{name}' is not defined in the topology (defined: {string.Join(", ", Organizations.Select(o => o.Name))})");

    public ChannelTopology Channel(string name) =>
        Channels.FirstOrDefault(c => c.Name == name)
        ?? throw new TopologyException($"channel '{name}' is not defined in the topology (defined: {string.Join(", ", Channels.Select(c => c.Name))})");

    public string Resolve(string path) => System.IO.Path.GetFullPath(System.IO.Path.Combine(BaseDirectory, path));

    /// <summary>The org's MSP folder: its <c>msp</c> setting, else <c>CRYPTO/&lt;org in lower case&gt;/msp</c>.</summary>
    public string MspDirectory(OrganizationTopology org, string cryptoDirectory) =>
        string.IsNullOrWhiteSpace(org.Msp) ? System.IO.Path.Combine(cryptoDirectory, org.Name.ToLowerInvariant(), "msp") : Resolve(org.Msp);

    /// <summary>The port of <paramref name="org"/>'s host for <paramref name="contract"/>: its port + the org's index among the channel's members.</summary>
    public int ContractPort(ContractTopology contract, OrganizationTopology org)
    {
        var index = Channel(contract.Channel).Organizations.IndexOf(org.Name);
        if (index < 0)
        {
            throw new TopologyException($"organization '{org.Name}' is not a member of channel '{contract.Channel}' of contract '{contract.Name}'");
        }
        return contract.Port + index;
    }

    private void Validate(string path)
    {
        var problems = new List<string>();
        ValidateOrganizations(problems);
        ValidateOrdering(problems);
        ValidateChannels(problems);
        ValidateContracts(problems);
        if (problems.Count == 0)
        {
            ValidatePorts(problems);
        }
        if (problems.Count > 0)
        {
            throw new TopologyException($"'{path}': {string.Join("; ", problems)}");
        }
    }

    private void ValidateOrganizations(List<string> problems)
    {
        if (Organizations.Count == 0)
        {
            problems.Add("no organizations defined");
            return;
        }
        foreach (var org in Organizations)
        {
            if (string.IsNullOrWhiteSpace(org.Name) || string.IsNullOrWhiteSpace(org.MspId))
            {
                problems.Add("every organization needs a name and an mspId");
                continue;
            }
            if (org.Orderers.Count > 0 && (org.Peers.Count > 0 || org.Gateway is not null))
            {
                problems.Add($"organization '{org.Name}' runs orderers and peers; give orderers and peers to different organizations");
            }
            if (org.Orderers.Count == 0 && org.Peers.Count == 0)
            {
                problems.Add($"organization '{org.Name}' has neither orderers nor peers");
            }
            if (org.Peers.Count == 0 && org.Gateway is not null)
            {
                problems.Add($"organization '{org.Name}' has a gateway but no peers for it");
            }
            foreach (var node in org.Orderers.Concat<NodeTopology>(org.Peers))
            {
                if (string.IsNullOrWhiteSpace(node.Name))
                {
                    problems.Add($"a node of organization '{org.Name}' has no name");
                }
            }
            foreach (var peer in org.Peers)
            {
                if (peer.StateDatabase is not ("sqlite" or "postgres"))
                {
                    problems.Add($"peer '{peer.Name}' of organization '{org.Name}': unknown stateDatabase '{peer.StateDatabase}' (use sqlite or postgres)");
                }
            }
            foreach (var duplicate in org.Orderers.Concat<NodeTopology>(org.Peers).GroupBy(n => n.Name).Where(g => g.Count() > 1))
            {
                problems.Add($"organization '{org.Name}' has more than one node named '{duplicate.Key}'");
            }
        }
        foreach (var duplicate in Organizations.GroupBy(o => o.Name).Where(g => g.Count() > 1)
            .Concat(Organizations.GroupBy(o => o.MspId).Where(g => g.Count() > 1)))
        {
            problems.Add($"organization '{duplicate.Key}' is defined more than once");
        }
        if (!OrdererOrganizations.Any())
        {
            problems.Add("no organization runs an orderer (give one an 'orderers' list)");
        }
    }

    private void ValidateOrdering(List<string> problems)
    {
        if (Ordering.Type is not ("solo" or "kafka"))
        {
            problems.Add($"ordering.type must be solo or kafka, not '{Ordering.Type}'");
        }
        if (Ordering.Type == "kafka" && Ordering.Brokers.Count == 0)
        {
            problems.Add("kafka ordering needs ordering.brokers");
        }
        if (Ordering.Type == "solo" && OrdererOrganizations.Sum(o => o.Orderers.Count) > 1)
        {
            problems.Add("solo ordering runs exactly one orderer node");
        }
        try
        {
            _ = ParseDuration(Ordering.BatchTimeout);
        }
        catch (TopologyException ex)
        {
            problems.Add($"ordering.batchTimeout: {ex.Message}");
        }
        if (Ordering.MaxMessageCount == 0)
        {
            problems.Add("ordering.maxMessageCount must be positive");
        }
    }

    private void ValidateChannels(List<string> problems)
    {
        foreach (var duplicate in Channels.GroupBy(c => c.Name).Where(g => g.Count() > 1))
        {
            problems.Add($"channel '{duplicate.Key}' is defined more than once");
        }
        foreach (var channel in Channels)
        {
            if (string.IsNullOrWhiteSpace(channel.Name))
            {
                problems.Add("a channel has no name");
            }
            if (channel.Organizations.Count == 0)
            {
                problems.Add($"channel '{channel.Name}' has no organizations");
            }
            foreach (var member in channel.Organizations)
            {
                var org = Organizations.FirstOrDefault(o => o.Name == member);
                if (org is null)
                {
                    problems.Add($"channel '{channel.Name}' names unknown organization '{member}' (defined: {string.Join(", ", Organizations.Select(o => o.Name))})");
                }
                else if (org.Peers.Count == 0)
                {
                    problems.Add($"channel '{channel.Name}' member '{member}' has no peers (orderer organizations are not channel members)");
                }
            }
        }
    }

    private void ValidateContracts(List<string> problems)
    {
        foreach (var duplicate in Contracts.GroupBy(c => (c.Channel, c.Name)).Where(g => g.Count() > 1))
        {
            problems.Add($"contract '{duplicate.Key.Name}' is defined more than once on channel '{duplicate.Key.Channel}'");
        }
        foreach (var contract in Contracts)
        {
            var label = $"contract '{contract.Name}'";
            if (string.IsNullOrWhiteSpace(contract.Name) || string.IsNullOrWhiteSpace(contract.Version) || string.IsNullOrWhiteSpace(contract.Project))
            {
                problems.Add($"{label}: name, version and project are required");
            }
            if (!Channels.Any(c => c.Name == contract.Channel))
            {
                problems.Add($"{label}: unknown channel '{contract.Channel}' (defined: {string.Join(", ", Channels.Select(c => c.Name))})");
            }
            if (contract.Port is < 1 or > 65535)
            {
                problems.Add($"{label}: port {contract.Port} is not a TCP port");
            }
            if (string.IsNullOrWhiteSpace(contract.EndorsementPolicy))
            {
                problems.Add($"{label}: endorsementPolicy is required (a Fabric policy such as AND('Org1MSP.peer','Org2MSP.peer'), or MAJORITY)");
            }
            else if (contract.EndorsementPolicy != Majority)
            {
                try
                {
                    var policy = PolicyDsl.Parse(contract.EndorsementPolicy);
                    var members = Channels.FirstOrDefault(c => c.Name == contract.Channel)?.Organizations
                        .Select(name => Organizations.FirstOrDefault(o => o.Name == name)?.MspId).ToHashSet(StringComparer.Ordinal) ?? [];
                    foreach (var principal in policy.Identities.Where(i => i.PrincipalClassification == MSPPrincipal.Types.Classification.Role))
                    {
                        var mspId = MSPRole.Parser.ParseFrom(principal.Principal).MspIdentifier;
                        if (!members.Contains(mspId))
                        {
                            problems.Add($"{label}: endorsementPolicy names '{mspId}', which is not a member of channel '{contract.Channel}'");
                        }
                    }
                }
                catch (PolicyException ex)
                {
                    problems.Add($"{label}: bad endorsementPolicy '{contract.EndorsementPolicy}': {ex.Message}");
                }
            }
            if (contract.Initialize is { Count: 0 })
            {
                problems.Add($"{label}: initialize needs a function name ([Function, arg1, ...])");
            }
        }
    }

    /// <summary>Every port the topology gives a service (nodes with their admin and operations ports, gateways, contract hosts), with its owner.</summary>
    public IReadOnlyList<(int Port, string Owner)> Ports()
    {
        var ports = new List<(int Port, string Owner)>();
        foreach (var org in Organizations)
        {
            foreach (var node in org.Orderers.Concat<NodeTopology>(org.Peers))
            {
                var name = $"{node.Name}.{org.Name}";
                ports.Add((node.Port, name));
                ports.Add((node.EffectiveAdminPort, $"{name} (admin)"));
                ports.Add((node.EffectiveOperationsPort, $"{name} (operations)"));
            }
            if (org.Gateway is { } gateway)
            {
                ports.Add((gateway.Port, $"gateway.{org.Name}"));
                ports.Add((gateway.EffectiveOperationsPort, $"gateway.{org.Name} (operations)"));
            }
        }
        foreach (var contract in Contracts)
        {
            var members = Channel(contract.Channel).Organizations;
            for (var i = 0; i < members.Count; i++)
            {
                ports.Add((contract.Port + i, $"contract {contract.Name} host of {members[i]}"));
            }
        }
        return ports;
    }

    private void ValidatePorts(List<string> problems)
    {
        var ports = Ports();
        foreach (var (port, owner) in ports.Where(p => p.Port is < 1 or > 65535))
        {
            problems.Add($"{owner}: port {port} is not a TCP port (admin ports default to port + 10000, operations ports to port + 20000)");
        }
        foreach (var clash in ports.GroupBy(p => p.Port).Where(g => g.Count() > 1))
        {
            problems.Add($"port {clash.Key} is used by {string.Join(" and ", clash.Select(p => p.Owner))}");
        }
    }

    /// <summary>Parses Go-style durations as Fabric's configtx.yaml writes them: <c>2s</c>, <c>500ms</c>, <c>1m</c>.</summary>
    internal static TimeSpan ParseDuration(string text) => ParseDuration(text, null);

    /// <summary>Parses Go-style durations as Fabric's configtx.yaml writes them (<c>2s</c>, <c>500ms</c>, <c>90m</c>, <c>24h</c>), naming <paramref name="what"/> in the error.</summary>
    internal static TimeSpan ParseDuration(string text, string? what)
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
        throw new TopologyException($"{(what is null ? "" : what + " ")}'{text}' is not a positive duration such as 2s, 500ms, 90m or 24h");
    }
}

internal sealed class OrganizationTopology
{
    public string Name { get; set; } = "";

    public string MspId { get; set; } = "";

    /// <summary>The DNS domain of its certificates; default <c>&lt;name in lower case&gt;.zoncoin.local</c>.</summary>
    public string? Domain { get; set; }

    /// <summary>An existing MSP folder to use instead of the generated <c>CRYPTO/&lt;org&gt;/msp</c> (for <c>channel genesis</c>).</summary>
    public string? Msp { get; set; }

    public List<OrdererTopology> Orderers { get; set; } = [];

    public List<PeerTopology> Peers { get; set; } = [];

    /// <summary>A standalone gateway process; without one, the org's first peer serves its gateway (Fabric's default).</summary>
    public GatewayTopology? Gateway { get; set; }

    /// <summary>Where the org's applications connect: its standalone gateway, else its first peer.</summary>
    public string GatewayEndpoint => Gateway?.Endpoint ?? Peers[0].Endpoint;

    public string EffectiveDomain => string.IsNullOrWhiteSpace(Domain) ? $"{Name.ToLowerInvariant()}.zoncoin.local" : Domain;
}

/// <summary>A node listening on 127.0.0.1:<see cref="Port"/>, with its admin and operations ports.</summary>
internal abstract class NodeTopology
{
    public string Name { get; set; } = "";

    public int Port { get; set; }

    /// <summary>The admin (channel participation) port; default <see cref="Port"/> + 10000.</summary>
    public int? AdminPort { get; set; }

    /// <summary>The operations port (<c>/healthz</c>, <c>/metrics</c>); default <see cref="Port"/> + 20000.</summary>
    public int? OperationsPort { get; set; }

    public int EffectiveAdminPort => AdminPort ?? Port + 10000;

    public int EffectiveOperationsPort => OperationsPort ?? Port + 20000;

    public string Endpoint => $"{NetworkTopology.Host}:{Port.ToString(CultureInfo.InvariantCulture)}";
}

internal sealed class OrdererTopology : NodeTopology;

internal sealed class PeerTopology : NodeTopology
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string StateDatabase { get; set; } = "sqlite";
}

internal sealed class GatewayTopology
{
    public int Port { get; set; }

    /// <summary>The operations port; default <see cref="Port"/> + 20000.</summary>
    public int? OperationsPort { get; set; }

    public int EffectiveOperationsPort => OperationsPort ?? Port + 20000;

    public string Endpoint => $"{NetworkTopology.Host}:{Port.ToString(CultureInfo.InvariantCulture)}";
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

/// <summary>A chaincode deployed on a channel, served by a host per member org (chaincode-as-a-service).</summary>
internal sealed class ContractTopology
{
    public string Name { get; set; } = "";

    public string Channel { get; set; } = "";

    /// <summary>The chaincode's project folder (e.g. <c>src/Chaincode.Token</c>); its META-INF indexes go into the definition.</summary>
    public string Project { get; set; } = "";

    public string Version { get; set; } = "1.0";

    /// <summary>A Fabric signature policy, or <c>MAJORITY</c> for the channel's default endorsement policy.</summary>
    public string EndorsementPolicy { get; set; } = NetworkTopology.Majority;

    /// <summary>The first member org's host listens here, the next org's on port + 1, and so on.</summary>
    public int Port { get; set; }

    /// <summary>A function and its arguments submitted once after the first deployment, or null.</summary>
    public List<string>? Initialize { get; set; }
}

/// <summary>A topology file that cannot be used; the message names the file and the problem.</summary>
internal sealed class TopologyException : Exception
{
    public TopologyException(string message) : base(message) { }

    public TopologyException(string message, Exception inner) : base(message, inner) { }
}
