using ZonCoin.Cli.Topology;

using ZonCoin.Cli.Tests.Support;

namespace ZonCoin.Cli.Tests;

/// <summary>network.yaml parsing, defaults and validation: every problem is named in the error.</summary>
public sealed class NetworkTopologyTests
{
    private const string Valid = """
        name: t
        organizations:
          - name: Orderer
            mspId: OrdererMSP
            orderers: [ { name: orderer0, port: 7050 } ]
          - name: Amazon
            mspId: AmazonMSP
            domain: amazon.example
            peers: [ { name: peer0, port: 7051, stateDatabase: postgres } ]
            gateway: { port: 7053 }
          - name: Manufacturer
            mspId: ManufacturerMSP
            peers: [ { name: peer0, port: 8051, adminPort: 8055, operationsPort: 8056 } ]
            gateway: { port: 8053 }
        ordering: { type: solo, batchTimeout: 250ms, maxMessageCount: 20 }
        channels:
          - name: zoncoin
            organizations: [Amazon, Manufacturer]
        contracts:
          - name: zoncoin
            channel: zoncoin
            project: src/Chaincode.Token
            version: "1.0"
            endorsementPolicy: "AND('AmazonMSP.peer', 'ManufacturerMSP.peer')"
            port: 7100
            initialize: [Initialize, ZonCoin, ZON, "2", AmazonMSP, "500"]
        """;

    private static NetworkTopology Parse(string yaml) => NetworkTopology.Parse(yaml, "/tmp/topology/network.yaml");

    [Fact]
    public void A_valid_file_parses_with_default_ports_domains_and_state_databases()
    {
        var topology = Parse(Valid);
        var amazon = topology.Organization("Amazon");
        var manufacturer = topology.Organization("Manufacturer");
        Assert.Equal(["Orderer"], topology.OrdererOrganizations.Select(o => o.Name));
        Assert.Equal(["Amazon", "Manufacturer"], topology.MemberOrganizations.Select(o => o.Name));
        Assert.Equal("amazon.example", amazon.EffectiveDomain);
        Assert.Equal("manufacturer.zoncoin.local", manufacturer.EffectiveDomain);
        Assert.Equal((17051, 27051, "postgres"), (amazon.Peers[0].EffectiveAdminPort, amazon.Peers[0].EffectiveOperationsPort, amazon.Peers[0].StateDatabase));
        Assert.Equal((8055, 8056, "sqlite"), (manufacturer.Peers[0].EffectiveAdminPort, manufacturer.Peers[0].EffectiveOperationsPort, manufacturer.Peers[0].StateDatabase));
        Assert.Equal(27053, amazon.Gateway!.EffectiveOperationsPort);
        Assert.Equal("127.0.0.1:7053", amazon.GatewayEndpoint);
        Assert.Equal("127.0.0.1:7050", topology.OrdererOrganizations.Single().Orderers[0].Endpoint);
        var contract = Assert.Single(topology.Contracts);
        Assert.Equal([7100, 7101], topology.MemberOrganizations.Select(o => topology.ContractPort(contract, o)));
        Assert.Equal(["Initialize", "ZonCoin", "ZON", "2", "AmazonMSP", "500"], contract.Initialize);
        Assert.Equal(Path.GetFullPath("/tmp/topology/src/Chaincode.Token"), topology.Resolve(contract.Project));
        Assert.Equal(TimeSpan.FromMilliseconds(250), NetworkTopology.ParseDuration(topology.Ordering.BatchTimeout));
        Assert.Equal(Path.Combine("/c", "amazon", "msp"), topology.MspDirectory(amazon, "/c"));
    }

    [Fact]
    public void The_repository_default_topology_is_valid_and_describes_the_consortium()
    {
        var file = Path.Combine(RepositoryPaths.Root, "network.yaml");
        var topology = NetworkTopology.Load(file);
        Assert.Equal(["AmazonMSP", "ManufacturerMSP", "DistributorMSP"], topology.MemberOrganizations.Select(o => o.MspId));
        Assert.Equal("solo", topology.Ordering.Type);
        Assert.Equal(["zoncoin", "supplychain"], topology.Channels.Select(c => c.Name));
        Assert.All(topology.Channels, c => Assert.Equal(["Amazon", "Manufacturer", "Distributor"], c.Organizations));
        Assert.Equal(["postgres", "sqlite", "sqlite"], topology.MemberOrganizations.Select(o => o.Peers[0].StateDatabase));
        // Each org's peer serves its gateway, as Fabric's: applications connect to the peer.
        Assert.All(topology.MemberOrganizations, o => Assert.Null(o.Gateway));
        Assert.Equal(["127.0.0.1:7051", "127.0.0.1:8051", "127.0.0.1:9051"], topology.MemberOrganizations.Select(o => o.GatewayEndpoint));
        var zoncoin = topology.Contracts.Single(c => c.Name == "zoncoin");
        Assert.Equal("AND('AmazonMSP.peer', OR('ManufacturerMSP.peer','DistributorMSP.peer'))", zoncoin.EndorsementPolicy);
        Assert.Equal(["Initialize", "ZonCoin", "ZON", "2", "AmazonMSP", "500"], zoncoin.Initialize);
        var supplychain = topology.Contracts.Single(c => c.Name == "supplychain");
        Assert.Equal(NetworkTopology.Majority, supplychain.EndorsementPolicy);
        Assert.True(Directory.Exists(Path.Combine(topology.Resolve(supplychain.Project), "META-INF")));
        Assert.True(File.Exists(Path.Combine(topology.Resolve(zoncoin.Project), "ZonCoin.Chaincode.Token.csproj")));
    }

    public static TheoryData<string, string, string> Problems() => new()
    {
        { "[Amazon, Manufacturer]", "[Amazon, Pharmacy]", "channel 'zoncoin' names unknown organization 'Pharmacy'" },
        { "[Amazon, Manufacturer]", "[Amazon, Orderer]", "channel 'zoncoin' member 'Orderer' has no peers" },
        { "port: 8051,", "port: 7051,", "port 7051 is used by peer0.Amazon and peer0.Manufacturer" },
        { "gateway: { port: 8053 }", "gateway: { port: 27051 }", "port 27051 is used by peer0.Amazon (operations) and gateway.Manufacturer" },
        { "port: 7100", "port: 7053", "port 7053 is used by gateway.Amazon and contract zoncoin host of Amazon" },
        { "port: 7100", "port: 8050", "port 8051 is used by peer0.Manufacturer and contract zoncoin host of Manufacturer" },
        { "port: 7100", "port: 65535", "port 65536 is not a TCP port" },
        { "port: 7053 }", "port: 50000 }", "gateway.Amazon (operations): port 70000 is not a TCP port" },
        { "stateDatabase: postgres", "stateDatabase: couchdb", "peer 'peer0' of organization 'Amazon': unknown stateDatabase 'couchdb' (use sqlite or postgres)" },
        { "\"AND('AmazonMSP.peer', 'ManufacturerMSP.peer')\"", "\"AND('AmazonMSP.peer',\"", "contract 'zoncoin': bad endorsementPolicy 'AND('AmazonMSP.peer','" },
        { "\"AND('AmazonMSP.peer', 'ManufacturerMSP.peer')\"", "\"OR('AmazonMSP.peer', 'PharmacyMSP.peer')\"", "endorsementPolicy names 'PharmacyMSP', which is not a member of channel 'zoncoin'" },
        { "channel: zoncoin", "channel: supplychain", "contract 'zoncoin': unknown channel 'supplychain' (defined: zoncoin)" },
        { "type: solo", "type: raft", "ordering.type must be solo or kafka, not 'raft'" },
        { "type: solo", "type: kafka", "kafka ordering needs ordering.brokers" },
        { "batchTimeout: 250ms", "batchTimeout: soon", "ordering.batchTimeout: 'soon' is not a positive duration" },
        { "mspId: ManufacturerMSP", "mspId: AmazonMSP", "organization 'AmazonMSP' is defined more than once" },
        { "    peers: [ { name: peer0, port: 8051, adminPort: 8055, operationsPort: 8056 } ]\n", "", "organization 'Manufacturer' has a gateway but no peers for it" },
        { "orderers: [ { name: orderer0, port: 7050 } ]", "orderers: [ { name: orderer0, port: 7050 }, { name: orderer1, port: 7060 } ]", "solo ordering runs exactly one orderer node" },
        { "initialize: [Initialize, ZonCoin, ZON, \"2\", AmazonMSP, \"500\"]", "initialize: []", "initialize needs a function name" },
        { "project: src/Chaincode.Token", "project: \"\"", "contract 'zoncoin': name, version and project are required" },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void Problems_are_reported_naming_the_file_and_the_problem(string replace, string with, string expected)
    {
        Assert.Contains(replace, Valid, StringComparison.Ordinal);
        var ex = Assert.Throws<TopologyException>(() => Parse(Valid.Replace(replace, with, StringComparison.Ordinal)));
        Assert.Contains("network.yaml", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_syntax_errors_name_the_line()
    {
        var ex = Assert.Throws<TopologyException>(() => Parse("organizations:\n  - name: [A\n"));
        Assert.Contains("line", ex.Message, StringComparison.Ordinal);
    }
}
