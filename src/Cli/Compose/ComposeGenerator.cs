using System.Globalization;
using System.Text;
using Google.Protobuf;
using YamlDotNet.Serialization;
using ZonCoin.Cli.Commands;
using ZonCoin.Cli.Crypto;
using ZonCoin.Cli.Network;
using ZonCoin.Cli.Topology;
using ZonCoin.Core.Protocol;

namespace ZonCoin.Cli.Compose;

/// <summary>
/// The Docker Compose deployment of a topology (<c>zoncoin compose generate</c>). Whatever the topology's ordering,
/// the deployment runs Apache Kafka in KRaft mode (three brokers, DESIGN.md's production settings) and three orderer
/// nodes with <c>kafka</c> consensus; every peer keeps its state in its own PostgreSQL 15; each org runs a gateway and
/// a chaincode host per contract of its channels. Services are named by their host names (<c>peer0.amazon.zoncoin.local</c>),
/// which the generated TLS certificates carry. Into the output folder go: <c>crypto/</c> (generated once, kept on
/// rerun), <c>channels/*.block</c> (genesis blocks naming the compose endpoints), <c>contracts/NAME/META-INF</c> (index
/// definitions), <c>connections/ORG.json</c> (profiles as seen inside the compose network), <c>setup.sh</c> (what the
/// one-shot setup service runs: channel joins, contract deploys, initialisation) and <c>docker-compose.yaml</c>.
/// The folder is mounted at <see cref="Mount"/> in every container.
/// </summary>
internal sealed class ComposeGenerator
{
    public const string Mount = "/zoncoin";
    public const int Brokers = 3;
    public const int OrdererNodes = 3;
    private const string KafkaImage = "apache/kafka:3.9.0";
    private const string PostgresImage = "postgres:15";
    private const string KafkaClusterId = "ZonCoinKRaftCluster01";

    private readonly NetworkTopology _topology;
    private readonly string _out;
    private readonly OrganizationTopology _ordererOrg;

    public ComposeGenerator(NetworkTopology source, string outputDirectory)
    {
        _out = Path.GetFullPath(outputDirectory);
        _topology = ForCompose(source);
        _ordererOrg = _topology.OrdererOrganizations.First();
    }

    /// <summary>The topology as deployed: kafka ordering over <see cref="Brokers"/> brokers, <see cref="OrdererNodes"/> orderers, PostgreSQL peers.</summary>
    public NetworkTopology Topology => _topology;

    /// <summary>Writes everything; returns the path of <c>docker-compose.yaml</c>.</summary>
    public string Generate(TextWriter log)
    {
        Directory.CreateDirectory(_out);
        foreach (var org in _topology.Organizations)
        {
            if (OrgCryptoGenerator.GenerateOnce(ServiceCommands.CryptoRequest(org, Path.Combine(_out, "crypto"))))
            {
                log.WriteLine($"crypto: {org.Name} ({org.MspId})");
            }
        }
        foreach (var channel in _topology.Channels)
        {
            var block = ChannelCommands.GenesisBlock(_topology, channel.Name, Path.Combine(_out, "crypto"), NodeEndpoint);
            Directory.CreateDirectory(Path.Combine(_out, "channels"));
            File.WriteAllBytes(Path.Combine(_out, "channels", $"{channel.Name}.block"), block.ToByteArray());
        }
        foreach (var contract in _topology.Contracts)
        {
            var metaInf = Path.Combine(_topology.Resolve(contract.Project), "META-INF");
            if (Directory.Exists(metaInf))
            {
                Copy(metaInf, Path.Combine(_out, "contracts", contract.Name, "META-INF"));
            }
        }
        foreach (var org in _topology.MemberOrganizations)
        {
            var user = $"{UserDirectory(org, "User1")}/msp";
            var admin = $"{UserDirectory(org, "Admin")}/msp";
            var profile = new Gateway.Client.ConnectionProfile
            {
                Name = org.Name,
                MspId = org.MspId,
                Gateway = new Gateway.Client.GatewayProfile
                {
                    Endpoint = GatewayEndpoint(org),
                    TlsRootCertPath = $"{NodeDirectory(org, "peers", org.Peers[0].Name)}/tls/ca.crt",
                    HostnameOverride = HostOf(org, org.Peers[0].Name),
                },
                Identity = new Gateway.Client.IdentityProfile { CertPath = FirstFileInContainer(user, "signcerts"), KeyPath = FirstFileInContainer(user, "keystore") },
                Admin = new Gateway.Client.IdentityProfile { CertPath = FirstFileInContainer(admin, "signcerts"), KeyPath = FirstFileInContainer(admin, "keystore") },
                Channels = MemberChannels(org),
            };
            Directory.CreateDirectory(Path.Combine(_out, "connections"));
            profile.Save(Path.Combine(_out, "connections", $"{org.Name}.json"));
        }
        File.WriteAllText(Path.Combine(_out, "setup.sh"), SetupScript());
        var composeFile = Path.Combine(_out, "docker-compose.yaml");
        File.WriteAllText(composeFile, ComposeYaml());
        log.WriteLine($"wrote {composeFile}");
        return composeFile;
    }

    private static NetworkTopology ForCompose(NetworkTopology source)
    {
        var ordererOrg = source.OrdererOrganizations.FirstOrDefault() ?? throw new TopologyException("the topology has no orderer organization");
        var basePort = ordererOrg.Orderers[0].Port;
        var orderers = Enumerable.Range(0, OrdererNodes).Select(i => new OrdererTopology { Name = $"orderer{i}", Port = basePort }).ToList();
        var organizations = source.Organizations.Select(org => new OrganizationTopology
        {
            Name = org.Name,
            MspId = org.MspId,
            Domain = org.Domain,
            Orderers = org == ordererOrg ? orderers : [],
            Peers = [.. org.Peers.Select(p => new PeerTopology { Name = p.Name, Port = p.Port, AdminPort = p.AdminPort, OperationsPort = p.OperationsPort, StateDatabase = "postgres" })],
            Gateway = org.Gateway,
        }).Where(org => org.Orderers.Count > 0 || org.Peers.Count > 0).ToList();
        return new NetworkTopology
        {
            Name = source.Name,
            Organizations = organizations,
            Ordering = new OrderingTopology
            {
                Type = "kafka",
                Brokers = [.. Enumerable.Range(1, Brokers).Select(Broker)],
                BatchTimeout = source.Ordering.BatchTimeout,
                MaxMessageCount = source.Ordering.MaxMessageCount,
                AbsoluteMaxBytes = source.Ordering.AbsoluteMaxBytes,
                PreferredMaxBytes = source.Ordering.PreferredMaxBytes,
            },
            Channels = source.Channels,
            Contracts = source.Contracts,
            BaseDirectory = source.BaseDirectory,
            Path = source.Path,
        };
    }

    private static string Broker(int i) => $"kafka{i.ToString(CultureInfo.InvariantCulture)}:9092";

    private static string Lower(OrganizationTopology org) => org.Name.ToLowerInvariant();

    /// <summary>The host name of a node: <c>NAME.DOMAIN</c>, as in its certificates.</summary>
    private static string HostOf(OrganizationTopology org, string node) => $"{node}.{org.EffectiveDomain}";

    /// <summary>host:port of a node inside the compose network.</summary>
    private static string NodeEndpoint(OrganizationTopology org, NodeTopology node) => $"{HostOf(org, node.Name)}:{node.Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Where the org's applications connect: its standalone gateway, else its first peer (which serves its gateway).</summary>
    private static string GatewayEndpoint(OrganizationTopology org) => org.Gateway is { } gateway
        ? $"{HostOf(org, "gateway")}:{gateway.Port.ToString(CultureInfo.InvariantCulture)}"
        : NodeEndpoint(org, org.Peers[0]);

    private static string Published(int port) => $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}:{port.ToString(CultureInfo.InvariantCulture)}";

    private static string ChaincodeHost(ContractTopology contract, OrganizationTopology org) => HostOf(org, $"{contract.Name}-chaincode");

    private string ChaincodeAddress(ContractTopology contract, OrganizationTopology org) =>
        $"{ChaincodeHost(contract, org)}:{_topology.ContractPort(contract, org).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The address in the chaincode definition (the first member org's host); every peer overrides it with its own org's.</summary>
    private string DefinitionAddress(ContractTopology contract) => ChaincodeAddress(contract, _topology.Organization(_topology.Channel(contract.Channel).Organizations[0]));

    private List<string> MemberChannels(OrganizationTopology org) => [.. _topology.Channels.Where(c => c.Organizations.Contains(org.Name)).Select(c => c.Name)];

    /// <summary>The container path of the first file (by name) of an MSP subfolder, found in the generated crypto.</summary>
    private string FirstFileInContainer(string containerMspDirectory, string folder) =>
        $"{containerMspDirectory}/{folder}/{Path.GetFileName(ServiceCommands.FirstFile(Path.Combine(_out, containerMspDirectory[(Mount.Length + 1)..]), folder))}";

    private static string NodeDirectory(OrganizationTopology org, string kind, string node) => $"{Mount}/crypto/{Lower(org)}/{kind}/{HostOf(org, node)}";

    private static string UserDirectory(OrganizationTopology org, string user) => $"{Mount}/crypto/{Lower(org)}/users/{user}@{org.EffectiveDomain}";

    private string ComposeYaml()
    {
        var services = new Dictionary<string, object>(StringComparer.Ordinal);
        var volumes = new Dictionary<string, object>(StringComparer.Ordinal);
        var voters = string.Join(",", Enumerable.Range(1, Brokers).Select(i => $"{i}@kafka{i}:9093"));
        for (var i = 1; i <= Brokers; i++)
        {
            volumes[$"kafka{i}"] = new Dictionary<string, object>();
            services[$"kafka{i}"] = new Dictionary<string, object>
            {
                ["image"] = KafkaImage,
                ["hostname"] = $"kafka{i}",
                ["environment"] = new Dictionary<string, string>
                {
                    ["CLUSTER_ID"] = KafkaClusterId,
                    ["KAFKA_NODE_ID"] = i.ToString(CultureInfo.InvariantCulture),
                    ["KAFKA_PROCESS_ROLES"] = "broker,controller",
                    ["KAFKA_CONTROLLER_QUORUM_VOTERS"] = voters,
                    ["KAFKA_LISTENERS"] = "PLAINTEXT://:9092,CONTROLLER://:9093",
                    ["KAFKA_ADVERTISED_LISTENERS"] = $"PLAINTEXT://kafka{i}:9092",
                    ["KAFKA_CONTROLLER_LISTENER_NAMES"] = "CONTROLLER",
                    ["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"] = "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                    ["KAFKA_INTER_BROKER_LISTENER_NAME"] = "PLAINTEXT",
                    ["KAFKA_DEFAULT_REPLICATION_FACTOR"] = "3",
                    ["KAFKA_MIN_INSYNC_REPLICAS"] = "2",
                    ["KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE"] = "false",
                    ["KAFKA_LOG_RETENTION_MS"] = "-1",
                    ["KAFKA_LOG_RETENTION_BYTES"] = "-1",
                    ["KAFKA_MESSAGE_MAX_BYTES"] = (_topology.Ordering.AbsoluteMaxBytes + (1024 * 1024)).ToString(CultureInfo.InvariantCulture),
                    ["KAFKA_REPLICA_FETCH_MAX_BYTES"] = (_topology.Ordering.AbsoluteMaxBytes + (1024 * 1024)).ToString(CultureInfo.InvariantCulture),
                    ["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] = "3",
                    ["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] = "3",
                    ["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] = "2",
                    ["KAFKA_LOG_DIRS"] = "/var/lib/kafka/data",
                },
                ["volumes"] = new[] { $"kafka{i}:/var/lib/kafka/data" },
                ["healthcheck"] = Health(["/opt/kafka/bin/kafka-broker-api-versions.sh", "--bootstrap-server", "localhost:9092"]),
            };
        }

        var brokersHealthy = Enumerable.Range(1, Brokers).ToDictionary(i => $"kafka{i}", _ => (object)Condition("service_healthy"));
        foreach (var orderer in _ordererOrg.Orderers)
        {
            var host = HostOf(_ordererOrg, orderer.Name);
            volumes[host] = new Dictionary<string, object>();
            var environment = new Dictionary<string, string> { ["Orderer__ConsensusType"] = "kafka" };
            for (var i = 0; i < Brokers; i++)
            {
                environment[$"Orderer__Kafka__Brokers__{i.ToString(CultureInfo.InvariantCulture)}"] = Broker(i + 1);
            }
            services[host] = Node("orderer", host, orderer.EffectiveOperationsPort,
                ServiceCommands.Orderer(Any(orderer.Port), Any(orderer.EffectiveAdminPort), Local(orderer.EffectiveOperationsPort), "/var/lib/zoncoin",
                    _ordererOrg.MspId, NodeDirectory(_ordererOrg, "orderers", orderer.Name), tls: true),
                environment, [$"{host}:/var/lib/zoncoin"], brokersHealthy);
        }

        var ordererHealthy = _ordererOrg.Orderers.ToDictionary(o => HostOf(_ordererOrg, o.Name), _ => (object)Condition("service_healthy"));
        foreach (var org in _topology.MemberOrganizations)
        {
            var contracts = _topology.Contracts.Where(c => _topology.Channel(c.Channel).Organizations.Contains(org.Name)).ToList();
            foreach (var peer in org.Peers)
            {
                var host = HostOf(org, peer.Name);
                var database = $"postgres.{host}";
                volumes[database] = new Dictionary<string, object>();
                volumes[host] = new Dictionary<string, object>();
                services[database] = new Dictionary<string, object>
                {
                    ["image"] = PostgresImage,
                    ["hostname"] = database,
                    ["environment"] = new Dictionary<string, string> { ["POSTGRES_USER"] = "zoncoin", ["POSTGRES_PASSWORD"] = "zoncoin", ["POSTGRES_DB"] = "zoncoin" },
                    ["volumes"] = new[] { $"{database}:/var/lib/postgresql/data" },
                    ["healthcheck"] = Health(["pg_isready", "-U", "zoncoin", "-d", "zoncoin"]),
                };
                var environment = new Dictionary<string, string>
                {
                    // The name other nodes, the channel and its own gateway know it by (it listens on 0.0.0.0).
                    ["Peer__Address"] = NodeEndpoint(org, peer),
                    ["Peer__StateDatabase"] = "postgres",
                    ["Peer__PostgresConnectionString"] = $"Host={database};Username=zoncoin;Password=zoncoin;Database=zoncoin",
                };
                foreach (var contract in contracts)
                {
                    environment[$"Peer__ChaincodeAddresses__{contract.Name}"] = ChaincodeAddress(contract, org);
                }
                var dependsOn = new Dictionary<string, object>(ordererHealthy) { [database] = Condition("service_healthy") };
                services[host] = Node("peer", host, peer.EffectiveOperationsPort,
                    ServiceCommands.Peer(Any(peer.Port), Any(peer.EffectiveAdminPort), Local(peer.EffectiveOperationsPort), "/var/lib/zoncoin",
                        org.MspId, NodeDirectory(org, "peers", peer.Name), tls: true),
                    environment, [$"{host}:/var/lib/zoncoin"], dependsOn,
                    ports: org.Gateway is null && peer == org.Peers[0] ? [Published(peer.Port)] : null);
            }
            foreach (var contract in contracts)
            {
                var host = ChaincodeHost(contract, org);
                services[host] = new Dictionary<string, object>
                {
                    ["build"] = Build($"chaincode-{ImageOf(contract)}"),
                    ["image"] = $"zoncoin/chaincode-{ImageOf(contract)}",
                    ["hostname"] = host,
                    ["environment"] = new Dictionary<string, string>
                    {
                        ["CHAINCODE_SERVER_ADDRESS"] = Any(_topology.ContractPort(contract, org)),
                        ["CHAINCODE_ID"] = ChaincodePackageIds.Compute(contract.Name, contract.Version, DefinitionAddress(contract)),
                    },
                    ["restart"] = "unless-stopped",
                };
            }
            if (org.Gateway is { } gateway)
            {
                var gatewayHost = HostOf(org, "gateway");
                services[gatewayHost] = Node("gateway", gatewayHost, gateway.EffectiveOperationsPort,
                    ServiceCommands.Gateway(Any(gateway.Port), Local(gateway.EffectiveOperationsPort), org.MspId, UserDirectory(org, "User1"),
                        NodeEndpoint(org, org.Peers[0]), NodeDirectory(org, "peers", org.Peers[0].Name), tls: true),
                    [], [], new Dictionary<string, object> { [HostOf(org, org.Peers[0].Name)] = Condition("service_healthy") },
                    ports: [Published(gateway.Port)]);
            }
        }

        services["setup"] = new Dictionary<string, object>
        {
            ["build"] = Build("cli"),
            ["image"] = "zoncoin/cli",
            ["entrypoint"] = new[] { "bash", $"{Mount}/setup.sh" },
            ["volumes"] = new[] { $".:{Mount}" },
            ["depends_on"] = services.Keys.Where(name => name.StartsWith("peer", StringComparison.Ordinal) || name.StartsWith("gateway", StringComparison.Ordinal)
                    || name.Contains("-chaincode.", StringComparison.Ordinal) || name.StartsWith("orderer", StringComparison.Ordinal))
                .ToDictionary(name => name, name => (object)Condition(name.Contains("-chaincode.", StringComparison.Ordinal) ? "service_started" : "service_healthy")),
        };

        var document = new Dictionary<string, object>
        {
            ["services"] = services,
            ["volumes"] = volumes,
        };
        var yaml = new SerializerBuilder().WithQuotingNecessaryStrings().Build().Serialize(document);
        return $"""
            # Generated by `zoncoin compose generate` from {Path.GetFileName(_topology.Path)}: do not edit, regenerate.
            # Apache Kafka (KRaft, {Brokers} brokers), {OrdererNodes} orderers with kafka consensus, a PostgreSQL per peer,
            # chaincode hosts, each org's gateway (its first peer's, or a gateway process; published on 127.0.0.1), and `setup`
            # (one shot: joins, deploys, initialises).
            # Run from this folder: docker compose up -d  (or docker-compose up -d)

            """ + yaml;
    }

    private Dictionary<string, object> Node(string image, string host, int operationsPort, List<string> command, Dictionary<string, string> environment,
        string[] volumes, Dictionary<string, object> dependsOn, string[]? ports = null)
    {
        var service = new Dictionary<string, object>
        {
            ["build"] = Build(image),
            ["image"] = $"zoncoin/{image}",
            ["hostname"] = host,
            ["command"] = command,
            ["volumes"] = (string[])[$".:{Mount}:ro", .. volumes],
            ["healthcheck"] = Health(["curl", "-fsS", $"http://127.0.0.1:{operationsPort.ToString(CultureInfo.InvariantCulture)}/healthz"]),
            ["restart"] = "unless-stopped",
        };
        if (environment.Count > 0)
        {
            service["environment"] = environment;
        }
        if (dependsOn.Count > 0)
        {
            service["depends_on"] = dependsOn;
        }
        if (ports is not null)
        {
            service["ports"] = ports;
        }
        return service;
    }

    /// <summary>Images build from the repository (the topology's folder) with <c>compose/IMAGE.Dockerfile</c>.</summary>
    private Dictionary<string, object> Build(string image) => new()
    {
        ["context"] = Path.GetRelativePath(_out, _topology.BaseDirectory).Replace('\\', '/'),
        ["dockerfile"] = $"compose/{image}.Dockerfile",
    };

    private static string ImageOf(ContractTopology contract) => contract.Name == "zoncoin" ? "token" : contract.Name;

    private static Dictionary<string, object> Condition(string condition) => new() { ["condition"] = condition };

    private static Dictionary<string, object> Health(string[] test) => new()
    {
        ["test"] = (string[])["CMD", .. test],
        ["interval"] = "5s",
        ["timeout"] = "5s",
        ["retries"] = 60,
        ["start_period"] = "10s",
    };

    private static string Any(int port) => $"0.0.0.0:{port.ToString(CultureInfo.InvariantCulture)}";

    private static string Local(int port) => $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";

    private string SetupScript()
    {
        var script = new StringBuilder();
        script.AppendLine("#!/usr/bin/env bash");
        script.AppendLine("# Generated by `zoncoin compose generate`: the one-shot setup of the compose deployment. Joins the orderers and");
        script.AppendLine("# peers to the channels, deploys the contracts and runs their initialisation. Safe to run again.");
        script.AppendLine("set -euo pipefail");
        script.AppendLine("zoncoin() { dotnet /app/zoncoin.dll \"$@\"; }");
        script.AppendLine("retry() { for i in $(seq 1 30); do \"$@\" && return 0; echo \"retrying in 5 s: $*\" >&2; sleep 5; done; return 1; }");
        var ordererAdmin = UserDirectory(_ordererOrg, "Admin");
        foreach (var channel in _topology.Channels)
        {
            var block = $"{Mount}/channels/{channel.Name}.block";
            foreach (var orderer in _ordererOrg.Orderers)
            {
                var tls = $"--ca-file {NodeDirectory(_ordererOrg, "orderers", orderer.Name)}/tls/ca.crt --client-cert {ordererAdmin}/tls/client.crt --client-key {ordererAdmin}/tls/client.key";
                var admin = $"--orderer {HostOf(_ordererOrg, orderer.Name)}:{orderer.EffectiveAdminPort.ToString(CultureInfo.InvariantCulture)} {tls}";
                script.AppendLine(CultureInfo.InvariantCulture, $"zoncoin orderer list --channel {channel.Name} {admin} >/dev/null 2>&1 || retry zoncoin orderer join --channel {channel.Name} --block {block} {admin}");
            }
            foreach (var org in channel.Organizations.Select(_topology.Organization))
            {
                var admin = UserDirectory(org, "Admin");
                foreach (var peer in org.Peers)
                {
                    var tls = $"--ca-file {NodeDirectory(org, "peers", peer.Name)}/tls/ca.crt --client-cert {admin}/tls/client.crt --client-key {admin}/tls/client.key";
                    var target = $"--peer {HostOf(org, peer.Name)}:{peer.EffectiveAdminPort.ToString(CultureInfo.InvariantCulture)} {tls}";
                    script.AppendLine(CultureInfo.InvariantCulture, $"zoncoin peer list --channel {channel.Name} {target} >/dev/null 2>&1 || retry zoncoin peer join --channel {channel.Name} --block {block} {target}");
                }
            }
        }
        var orderer0 = _ordererOrg.Orderers[0];
        foreach (var contract in _topology.Contracts)
        {
            var members = _topology.Channel(contract.Channel).Organizations.Select(_topology.Organization).ToList();
            var args = new StringBuilder();
            args.Append(CultureInfo.InvariantCulture,
                $"zoncoin chaincode deploy --channel {contract.Channel} --name {contract.Name} --version {contract.Version} --address {DefinitionAddress(contract)} --orderer {NodeEndpoint(_ordererOrg, orderer0)}");
            args.Append(CultureInfo.InvariantCulture, $" --ca-file {NodeDirectory(_ordererOrg, "orderers", orderer0.Name)}/tls/ca.crt");
            foreach (var org in members)
            {
                args.Append(CultureInfo.InvariantCulture, $" --msp-id {org.MspId} --admin-msp-dir {UserDirectory(org, "Admin")}/msp --peer {NodeEndpoint(org, org.Peers[0])} --ca-file {NodeDirectory(org, "peers", org.Peers[0].Name)}/tls/ca.crt");
            }
            var first = members[0];
            args.Append(CultureInfo.InvariantCulture, $" --client-cert {UserDirectory(first, "Admin")}/tls/client.crt --client-key {UserDirectory(first, "Admin")}/tls/client.key");
            if (!string.Equals(contract.EndorsementPolicy, NetworkTopology.Majority, StringComparison.Ordinal))
            {
                args.Append(CultureInfo.InvariantCulture, $" --policy \"{contract.EndorsementPolicy}\"");
            }
            if (Directory.Exists(Path.Combine(_out, "contracts", contract.Name, "META-INF")))
            {
                args.Append(CultureInfo.InvariantCulture, $" --metadata-dir {Mount}/contracts/{contract.Name}");
            }
            script.AppendLine(CultureInfo.InvariantCulture, $"zoncoin chaincode list --channel {contract.Channel} --msp-id {first.MspId} --admin-msp-dir {UserDirectory(first, "Admin")}/msp --peer {NodeEndpoint(first, first.Peers[0])} --ca-file {NodeDirectory(first, "peers", first.Peers[0].Name)}/tls/ca.crt --client-cert {UserDirectory(first, "Admin")}/tls/client.crt --client-key {UserDirectory(first, "Admin")}/tls/client.key | grep -q 'Name: {contract.Name},' || retry {args}");
            if (contract.Initialize is { Count: > 0 } initialize)
            {
                var quoted = string.Join(" ", initialize.Select(a => $"'{a.Replace("'", "'\\''", StringComparison.Ordinal)}'"));
                script.AppendLine(CultureInfo.InvariantCulture, $"zoncoin transaction submit --profile {Mount}/connections/{first.Name}.json --admin --channel {contract.Channel} --chaincode {contract.Name} {quoted} || echo '{contract.Name}: initialisation already done or failed (see above)'");
            }
        }
        script.AppendLine("echo 'setup complete'");
        return script.ToString();
    }

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
