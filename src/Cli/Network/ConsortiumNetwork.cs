using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Google.Protobuf;
using ZonCoin.Cli.Admin;
using ZonCoin.Cli.Commands;
using ZonCoin.Cli.Crypto;
using ZonCoin.Cli.Lifecycle;
using ZonCoin.Cli.Topology;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Client;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Lifecycle;
using ZonCoin.Shared;

namespace ZonCoin.Cli.Network;

/// <summary>
/// <c>zoncoin network up|status|down</c>: a whole consortium from <c>network.yaml</c> as detached local processes kept
/// in DIR (crypto/, data/, logs/, channels/, connections/, postgres/, network.json). <c>up</c> is idempotent: it
/// generates what is missing, starts what is not running, creates and joins what is not joined, deploys what is not
/// committed and initialises what has not been initialised.
/// </summary>
internal sealed partial class ConsortiumNetwork
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private readonly NetworkTopology _topology;
    private readonly string _dir;
    private readonly bool _tls;
    private readonly TextWriter _log;
    private readonly NetworkState? _previous;
    private NetworkState _state = new();
    private int _started;

    private ConsortiumNetwork(NetworkTopology topology, string dir, bool tls, TextWriter log, NetworkState? previous)
    {
        _topology = topology;
        _dir = dir;
        _tls = tls;
        _log = log;
        _previous = previous;
    }

    private string CryptoDirectory => Path.Combine(_dir, "crypto");

    private string ChaincodeTlsDirectory => Path.Combine(CryptoDirectory, "chaincode");

    /// <summary>Brings the network up (or completes it) and returns what runs.</summary>
    public static async Task<NetworkState> UpAsync(NetworkTopology topology, string directory, bool tls, TextWriter log, CancellationToken cancellationToken)
    {
        var dir = Path.GetFullPath(directory);
        NetworkState? previous = File.Exists(NetworkState.PathIn(dir)) ? NetworkState.Load(dir) : null;
        if (previous is not null && previous.Tls != tls && previous.Services.Any(IsAlive))
        {
            throw new InvalidOperationException(
                $"the network in {dir} runs {(previous.Tls ? "with" : "without")} TLS; run 'zoncoin network down --dir {dir}' before starting it {(tls ? "with" : "without")} TLS");
        }
        var network = new ConsortiumNetwork(topology, dir, tls, log, previous);
        await network.UpAsync(cancellationToken).ConfigureAwait(false);
        return network._state;
    }

    /// <summary>Whether a recorded service's process runs.</summary>
    public static bool IsAlive(ServiceRecord service) => service.Kind == "postgres"
        ? TemporaryPostgresServer.RunningPid(PostgresDirectory(service)) == service.Pid && service.Pid > 0
        : DetachedProcess.IsAlive(service.Pid, Marker(service));

    /// <summary>Stops every service (SIGTERM, then SIGKILL after a grace period), PostgreSQL last.</summary>
    public static async Task DownAsync(NetworkState state, TextWriter log, CancellationToken cancellationToken)
    {
        foreach (var service in Enumerable.Reverse(state.Services).Where(s => s.Kind != "postgres"))
        {
            if (IsAlive(service))
            {
                await DetachedProcess.StopAsync(service.Pid, Marker(service), StopGrace, cancellationToken).ConfigureAwait(false);
                log.WriteLine($"stopped {service.Name} (pid {service.Pid})");
            }
        }
        if (state.Postgres is { } postgres && TemporaryPostgresServer.RunningPid(postgres.Directory) is { } pid)
        {
            TemporaryPostgresServer.StopAt(postgres.Directory);
            log.WriteLine($"stopped postgres (pid {pid})");
        }
    }

    /// <summary>Each peer's ledger height per channel from its <c>/metrics</c> (<c>ledger_height</c>); null when the peer does not answer.</summary>
    public static async Task<Dictionary<string, long>?> HeightsAsync(PeerRecord peer, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        string text;
        try
        {
            text = await http.GetStringAsync(new Uri($"http://{peer.OperationsEndpoint}/metrics"), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
        var heights = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var match = System.Text.RegularExpressions.Regex.Match(line, "^ledger_height\\{[^}]*channel=\"([^\"]+)\"[^}]*\\} ([0-9.eE+]+)");
            if (match.Success && double.TryParse(match.Groups[2].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                heights[match.Groups[1].Value] = (long)value;
            }
        }
        return heights;
    }

    private static string PostgresDirectory(ServiceRecord service) => service.Environment.GetValueOrDefault("PGDATA_ROOT", "");

    private static string? Marker(ServiceRecord service) => ServiceCommands.Program(service.Command);

    private async Task UpAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_dir);
        GenerateCrypto();
        _state = Plan();
        await StopReplacedAsync(cancellationToken).ConfigureAwait(false);
        _state.Save();

        await StartPostgresAsync(cancellationToken).ConfigureAwait(false);
        _state.Save();
        await StartAsync(_state.Services.Where(s => s.Kind is "orderer" or "peer" or "chaincode"), cancellationToken).ConfigureAwait(false);
        _state.Save();
        foreach (var channel in _state.Channels)
        {
            await CreateChannelAsync(channel, cancellationToken).ConfigureAwait(false);
        }
        foreach (var contract in _topology.Contracts)
        {
            await DeployAsync(contract, cancellationToken).ConfigureAwait(false);
        }
        await StartAsync(_state.Services.Where(s => s.Kind == "gateway"), cancellationToken).ConfigureAwait(false);
        _state.Save();
        WriteProfiles();
        foreach (var contract in _topology.Contracts.Where(c => c.Initialize is not null))
        {
            await InitializeAsync(contract, cancellationToken).ConfigureAwait(false);
            _state.Save();
        }
        _state.Save();
        if (_started == 0)
        {
            _log.WriteLine($"all {_state.Services.Count} services were already running");
        }
    }

    private OrgCryptoRequest Crypto(OrganizationTopology org) => ServiceCommands.CryptoRequest(org, CryptoDirectory);

    private void GenerateCrypto()
    {
        foreach (var org in _topology.Organizations.Where(o => string.IsNullOrWhiteSpace(o.Msp)))
        {
            var request = Crypto(org);
            if (OrgCryptoGenerator.GenerateOnce(request))
            {
                _log.WriteLine($"crypto: generated {org.Name} ({org.MspId}) in {request.OutputDirectory}");
            }
        }
        if (!File.Exists(Path.Combine(ChaincodeTlsDirectory, "server.key")))
        {
            // One CA for every chaincode host: the chaincode definition carries a single TLS root for all orgs' hosts.
            Directory.CreateDirectory(ChaincodeTlsDirectory);
            using var ca = CertificateAuthority.CreateRoot("tlsca.chaincode.zoncoin.local", "chaincode.zoncoin.local");
            var server = ca.Issue(new CertificateSpec
            {
                CommonName = "chaincode.zoncoin.local",
                DnsNames = ["localhost", "chaincode.zoncoin.local"],
                IpAddresses = ["127.0.0.1"],
                ForTls = true,
            });
            File.WriteAllText(Path.Combine(ChaincodeTlsDirectory, "ca.crt"), Pem.Certificate(ca.Certificate));
            File.WriteAllText(Path.Combine(ChaincodeTlsDirectory, "server.crt"), Pem.Certificate(server.Certificate));
            MspDirectory.WritePrivateKey(Path.Combine(ChaincodeTlsDirectory, "server.key"), Pem.PrivateKey(server.Key));
        }
    }

    /// <summary>Everything the topology asks for, with the process ids and flags of the previous run carried over.</summary>
    private NetworkState Plan()
    {
        var state = new NetworkState { Name = _topology.Name, Topology = _topology.Path, Directory = _dir, Tls = _tls };
        string Port(int port) => $"{NetworkTopology.Host}:{port.ToString(CultureInfo.InvariantCulture)}";
        string? TlsFile(string folder, string file) => _tls ? Path.Combine(folder, "tls", file) : null;

        if (_topology.Organizations.SelectMany(o => o.Peers).Any(p => p.StateDatabase == "postgres"))
        {
            var directory = Path.Combine(_dir, "postgres");
            // Not a port the topology gives a service that has not started yet (the OS may hand one out as free).
            var taken = _topology.Ports().Select(p => p.Port).ToHashSet();
            state.Postgres = new PostgresRecord { Directory = directory, Port = _previous?.Postgres?.Port ?? Readiness.FreePort(port => !taken.Contains(port)) };
            state.Services.Add(new ServiceRecord
            {
                Name = "postgres",
                Kind = "postgres",
                Endpoint = Port(state.Postgres.Port),
                Environment = new Dictionary<string, string> { ["PGDATA_ROOT"] = directory },
                Log = Path.Combine(directory, "server.log"),
            });
        }
        foreach (var org in _topology.OrdererOrganizations)
        {
            var crypto = Crypto(org);
            var admin = ServiceCommands.UserDirectory(crypto, "Admin");
            for (var i = 0; i < org.Orderers.Count; i++)
            {
                var node = org.Orderers[i];
                var folder = ServiceCommands.NodeDirectory(crypto, "orderers", $"orderer{i}");
                var name = $"{node.Name}.{org.Name.ToLowerInvariant()}";
                state.Orderers.Add(new OrdererRecord
                {
                    Name = name,
                    Organization = org.Name,
                    MspId = org.MspId,
                    Endpoint = node.Endpoint,
                    AdminEndpoint = Port(node.EffectiveAdminPort),
                    OperationsEndpoint = Port(node.EffectiveOperationsPort),
                    TlsCaFile = TlsFile(folder, "ca.crt"),
                    AdminTlsCertFile = TlsFile(admin, "client.crt"),
                    AdminTlsKeyFile = TlsFile(admin, "client.key"),
                });
                AddService(state, name, "orderer", ServiceCommands.OrdererDll, node.Endpoint, node.EffectiveOperationsPort,
                    ServiceCommands.Orderer(node.Endpoint, Port(node.EffectiveAdminPort), Port(node.EffectiveOperationsPort),
                        Path.Combine(_dir, "data", name), org.MspId, folder, _tls)
                        .Concat(["--consensus", _topology.Ordering.Type])
                        .Concat(_topology.Ordering.Brokers.Count > 0 ? ["--kafka-brokers", string.Join(',', _topology.Ordering.Brokers)] : []),
                    []);
            }
        }
        foreach (var org in _topology.MemberOrganizations)
        {
            var crypto = Crypto(org);
            var admin = ServiceCommands.UserDirectory(crypto, "Admin");
            var channels = _topology.Channels.Where(c => c.Organizations.Contains(org.Name)).Select(c => c.Name).ToList();
            var record = new OrganizationRecord
            {
                Name = org.Name,
                MspId = org.MspId,
                AdminMspDirectory = Path.Combine(admin, "msp"),
                TlsCaFile = _tls ? Path.Combine(crypto.OutputDirectory, "tlsca", "tlsca-cert.pem") : null,
                AdminTlsCertFile = TlsFile(admin, "client.crt"),
                AdminTlsKeyFile = TlsFile(admin, "client.key"),
                Gateway = org.GatewayEndpoint,
                ConnectionProfile = Path.Combine(_dir, "connections", $"{org.Name}.json"),
                Channels = channels,
            };
            state.Organizations.Add(record);
            var contracts = _topology.Contracts.Where(c => channels.Contains(c.Channel)).ToList();
            for (var i = 0; i < org.Peers.Count; i++)
            {
                var peer = org.Peers[i];
                var name = $"{peer.Name}.{org.Name.ToLowerInvariant()}";
                record.Peers.Add(new PeerRecord
                {
                    Name = name,
                    Endpoint = peer.Endpoint,
                    AdminEndpoint = Port(peer.EffectiveAdminPort),
                    OperationsEndpoint = Port(peer.EffectiveOperationsPort),
                    StateDatabase = peer.StateDatabase,
                });
                var environment = new Dictionary<string, string> { ["Peer__StateDatabase"] = peer.StateDatabase };
                if (peer.StateDatabase == "postgres")
                {
                    environment["Peer__PostgresConnectionString"] = TemporaryPostgresServer.ConnectionStringFor(state.Postgres!.Port, DatabaseName(name));
                }
                foreach (var contract in contracts)
                {
                    environment[$"Peer__ChaincodeAddresses__{contract.Name}"] = Port(_topology.ContractPort(contract, org));
                }
                AddService(state, name, "peer", ServiceCommands.PeerDll, peer.Endpoint, peer.EffectiveOperationsPort,
                    ServiceCommands.Peer(peer.Endpoint, Port(peer.EffectiveAdminPort), Port(peer.EffectiveOperationsPort),
                        Path.Combine(_dir, "data", name), org.MspId, ServiceCommands.NodeDirectory(crypto, "peers", $"peer{i}"), _tls),
                    environment);
            }
            foreach (var contract in contracts)
            {
                AddChaincodeHost(state, contract, org.Name, Port(_topology.ContractPort(contract, org)));
            }
            if (org.Gateway is { } gateway)
            {
                AddService(state, $"gateway.{org.Name.ToLowerInvariant()}", "gateway", ServiceCommands.GatewayDll, gateway.Endpoint, gateway.EffectiveOperationsPort,
                    ServiceCommands.Gateway(gateway.Endpoint, Port(gateway.EffectiveOperationsPort), org.MspId, ServiceCommands.UserDirectory(crypto, "User1"),
                        org.Peers[0].Endpoint, ServiceCommands.NodeDirectory(crypto, "peers", "peer0"), _tls),
                    []);
            }
        }
        foreach (var channel in _topology.Channels)
        {
            state.Channels.Add(new ChannelRecord
            {
                Name = channel.Name,
                Organizations = [.. channel.Organizations],
                GenesisBlock = Path.Combine(_dir, "channels", $"{channel.Name}.block"),
            });
        }
        foreach (var contract in _topology.Contracts)
        {
            var previous = _previous?.Contracts.FirstOrDefault(c => c.Name == contract.Name && c.Channel == contract.Channel && c.Version == contract.Version);
            state.Contracts.Add(new ContractRecord
            {
                Name = contract.Name,
                Channel = contract.Channel,
                Version = contract.Version,
                Address = DefinitionAddress(contract),
                PackageId = PackageId(contract),
                Initialized = previous?.Initialized ?? false,
            });
        }
        CarryOverOnboarded(state);
        foreach (var service in state.Services)
        {
            if (_previous?.Service(service.Name) is { } old && SameProcess(old, service))
            {
                service.Pid = old.Pid;
            }
        }
        return state;
    }

    private static bool SameProcess(ServiceRecord a, ServiceRecord b) =>
        a.Command.SequenceEqual(b.Command) && a.Environment.Count == b.Environment.Count
        && a.Environment.All(pair => b.Environment.TryGetValue(pair.Key, out var value) && value == pair.Value);

    /// <summary>Stops services of the previous run that the topology no longer has or now runs differently.</summary>
    private async Task StopReplacedAsync(CancellationToken cancellationToken)
    {
        foreach (var old in _previous?.Services.Where(s => s.Kind != "postgres") ?? [])
        {
            if (IsAlive(old) && (_state.Service(old.Name) is not { } now || !SameProcess(old, now)))
            {
                await DetachedProcess.StopAsync(old.Pid, Marker(old), StopGrace, cancellationToken).ConfigureAwait(false);
                _log.WriteLine($"stopped {old.Name} (pid {old.Pid}): the topology changed it");
            }
        }
    }

    /// <summary>The org's host of a contract (chaincode-as-a-service) with the definition's package id.</summary>
    private void AddChaincodeHost(NetworkState state, ContractTopology contract, string org, string address)
    {
        var environment = new Dictionary<string, string>
        {
            ["CHAINCODE_SERVER_ADDRESS"] = address,
            ["CHAINCODE_ID"] = PackageId(contract),
        };
        if (_tls)
        {
            environment["CHAINCODE_TLS_CERT_FILE"] = Path.Combine(ChaincodeTlsDirectory, "server.crt");
            environment["CHAINCODE_TLS_KEY_FILE"] = Path.Combine(ChaincodeTlsDirectory, "server.key");
        }
        AddService(state, $"chaincode.{contract.Name}.{org.ToLowerInvariant()}", "chaincode", ChaincodeDll(contract), address, null, [], environment);
    }

    private void AddService(NetworkState state, string name, string kind, string dll, string endpoint, int? operationsPort, IEnumerable<string> args, Dictionary<string, string> environment) =>
        state.Services.Add(new ServiceRecord
        {
            Name = name,
            Kind = kind,
            Command = ServiceCommands.CommandLine(dll, args),
            Environment = environment,
            Endpoint = endpoint,
            OperationsPort = operationsPort,
            Log = Path.Combine(_dir, "logs", $"{name}.log"),
        });

    private static string DatabaseName(string peer) => "zoncoin_" + peer.Replace('.', '_').Replace('-', '_');

    private string DefinitionAddress(ContractTopology contract) =>
        $"{NetworkTopology.Host}:{_topology.ContractPort(contract, _topology.Organization(_topology.Channel(contract.Channel).Organizations[0])).ToString(CultureInfo.InvariantCulture)}";

    private string PackageId(ContractTopology contract) => ChaincodePackageIds.Compute(contract.Name, contract.Version, DefinitionAddress(contract));

    /// <summary>The contract host's DLL: the project's assembly beside zoncoin.dll, else built once into DIR/build/&lt;contract&gt;.</summary>
    private string ChaincodeDll(ContractTopology contract)
    {
        var project = _topology.Resolve(contract.Project);
        var csproj = Directory.Exists(project) ? Directory.GetFiles(project, "*.csproj").FirstOrDefault() : null;
        if (csproj is null)
        {
            throw new TopologyException($"contract '{contract.Name}': project '{project}' is not a folder with a .csproj");
        }
        var assembly = XDocument.Load(csproj).Descendants("AssemblyName").FirstOrDefault()?.Value is { Length: > 0 } named
            ? named
            : Path.GetFileNameWithoutExtension(csproj);
        var beside = ServiceCommands.Beside($"{assembly}.dll");
        if (File.Exists(beside))
        {
            return beside;
        }
        var output = Path.Combine(_dir, "build", contract.Name);
        var built = Path.Combine(output, $"{assembly}.dll");
        if (!File.Exists(built))
        {
            _log.WriteLine($"building {csproj}...");
            using var build = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", ["build", csproj, "-c", "Release", "-o", output, "--nologo", "-v", "q"])
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
            }) ?? throw new InvalidOperationException("cannot run dotnet build");
            var text = build.StandardOutput.ReadToEnd();
            build.WaitForExit();
            if (build.ExitCode != 0)
            {
                throw new InvalidOperationException($"building contract '{contract.Name}' ({csproj}) failed:\n{text}");
            }
        }
        return built;
    }

    private async Task StartPostgresAsync(CancellationToken cancellationToken)
    {
        if (_state.Postgres is not { } postgres)
        {
            return;
        }
        var service = _state.Service("postgres")!;
        if (TemporaryPostgresServer.RunningPid(postgres.Directory) is null)
        {
            if (await Readiness.IsListeningAsync(postgres.Port, cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"cannot start postgres: port {postgres.Port} is in use by another process");
            }
            using var server = TemporaryPostgresServer.StartPersistent(postgres.Directory, postgres.Port);
            _started++;
            _log.WriteLine($"started postgres on {service.Endpoint}");
        }
        service.Pid = TemporaryPostgresServer.RunningPid(postgres.Directory) ?? 0;
        var admin = TemporaryPostgresServer.ConnectionStringFor(postgres.Port, "postgres");
        foreach (var peer in _state.Organizations.SelectMany(o => o.Peers).Where(p => p.StateDatabase == "postgres"))
        {
            TemporaryPostgresServer.EnsureDatabase(admin, DatabaseName(peer.Name));
        }
    }

    /// <summary>Starts the services that do not run, then waits until each is ready.</summary>
    private async Task StartAsync(IEnumerable<ServiceRecord> services, CancellationToken cancellationToken)
    {
        var all = services.ToList();
        foreach (var service in all.Where(s => !IsAlive(s)))
        {
            var port = int.Parse(service.Endpoint[(service.Endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            if (await Readiness.IsListeningAsync(port, cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"cannot start {service.Name}: port {port} is in use by another process");
            }
            service.Pid = DetachedProcess.Start(service.Command, service.Environment, service.Log);
            _started++;
            _log.WriteLine($"started {service.Name} (pid {service.Pid}) on {service.Endpoint}, log {service.Log}");
        }
        _state.Save();
        foreach (var service in all)
        {
            var exited = DetachedProcess.ExitProbe(service.Pid, Marker(service));
            try
            {
                if (service.OperationsPort is { } operations)
                {
                    await Readiness.WaitHealthyAsync(service.Name, exited, operations, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var port = int.Parse(service.Endpoint[(service.Endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
                    await Readiness.WaitListeningAsync(service.Name, exited, port, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                throw new InvalidOperationException($"{ex.Message}; see its log {service.Log}:\n{Tail(service.Log)}", ex);
            }
        }
    }

    private static string Tail(string log) =>
        File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(15)) : "(no log)";

    private async Task CreateChannelAsync(ChannelRecord channel, CancellationToken cancellationToken)
    {
        // A new network writes its genesis blocks afresh (a block left by other tooling may describe other orgs).
        if (_previous is null || !File.Exists(channel.GenesisBlock))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(channel.GenesisBlock)!);
            var block = ChannelCommands.GenesisBlock(_topology, channel.Name, CryptoDirectory);
            await File.WriteAllBytesAsync(channel.GenesisBlock, block.ToByteArray(), cancellationToken).ConfigureAwait(false);
        }
        var genesis = await File.ReadAllBytesAsync(channel.GenesisBlock, cancellationToken).ConfigureAwait(false);
        foreach (var orderer in _state.Orderers)
        {
            using var admin = new ParticipationClient(new AdminConnection(orderer.AdminEndpoint, orderer.TlsCaFile, orderer.AdminTlsCertFile, orderer.AdminTlsKeyFile));
            if (await JoinIfMissingAsync(admin, channel.Name, genesis, cancellationToken).ConfigureAwait(false))
            {
                _log.WriteLine($"channel {channel.Name}: {orderer.Name} joined");
            }
        }
        foreach (var org in channel.Organizations.Select(_state.Organization))
        {
            await JoinPeersAsync(org, channel.Name, genesis, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Joins the org's peers that do not list the channel yet (they pull the chain from the orderer).</summary>
    private async Task JoinPeersAsync(OrganizationRecord org, string channel, byte[] genesis, CancellationToken cancellationToken)
    {
        foreach (var peer in org.Peers)
        {
            using var admin = new ParticipationClient(new AdminConnection(peer.AdminEndpoint, org.TlsCaFile, org.AdminTlsCertFile, org.AdminTlsKeyFile, "peer"));
            if (await JoinIfMissingAsync(admin, channel, genesis, cancellationToken).ConfigureAwait(false))
            {
                _log.WriteLine($"channel {channel}: {peer.Name} joined");
            }
        }
    }

    /// <summary>Joins the node to the channel unless its participation API lists it already; true when it joined now.</summary>
    private static async Task<bool> JoinIfMissingAsync(ParticipationClient admin, string channel, byte[] genesis, CancellationToken cancellationToken)
    {
        if (ListsChannel(await admin.ListAsync(cancellationToken).ConfigureAwait(false), channel))
        {
            return false;
        }
        await admin.JoinAsync(genesis, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Whether a participation API's channel list (<c>{"channels":[{"name":…}]}</c>) names the channel.</summary>
    internal static bool ListsChannel(string listJson, string channel)
    {
        using var json = JsonDocument.Parse(listJson);
        return json.RootElement.TryGetProperty("channels", out var channels) && channels.ValueKind == JsonValueKind.Array
            && channels.EnumerateArray().Any(c => c.TryGetProperty("name", out var name) && name.GetString() == channel);
    }

    /// <summary>The org admins of a channel (with their first peer) and gRPC connections that trust every node.</summary>
    internal static (IReadOnlyList<OrgAdmin> Admins, GrpcConnections Connections) LifecycleParties(NetworkState state, IReadOnlyList<OrganizationRecord> orgs) =>
        ([.. orgs.Select(org => OrgAdmin.Load(org.MspId, org.AdminMspDirectory, org.Peers[0].Endpoint))],
            GrpcConnections.Load(state.TlsCaFiles, orgs[0].AdminTlsCertFile, orgs[0].AdminTlsKeyFile));

    private async Task DeployAsync(ContractTopology contract, CancellationToken cancellationToken)
    {
        var record = _state.Contracts.First(c => c.Name == contract.Name && c.Channel == contract.Channel);
        var (admins, connections) = LifecycleParties(_state, _state.MembersOf(contract.Channel));
        var lifecycle = new LifecycleClient(connections, contract.Channel, TimeSpan.FromSeconds(60));
        var committed = await lifecycle.QueryDefinitionAsync(admins[0], contract.Name, cancellationToken).ConfigureAwait(false);
        // Redeployed (next sequence) when the version or address changed, or TLS was switched on or off since.
        if (committed is not null && committed.Version == contract.Version && committed.PackageId == record.PackageId
            && string.IsNullOrEmpty(committed.TlsRootCert) != _tls)
        {
            return;
        }
        var definition = new ChaincodeDefinition
        {
            Name = contract.Name,
            Version = contract.Version,
            Sequence = (committed?.Sequence ?? 0) + 1,
            Address = record.Address,
            PackageId = record.PackageId,
        };
        if (contract.EndorsementPolicy != NetworkTopology.Majority)
        {
            definition.EndorsementPolicy = new ApplicationPolicy { SignaturePolicy = PolicyDsl.Parse(contract.EndorsementPolicy) };
        }
        var project = _topology.Resolve(contract.Project);
        if (Directory.Exists(Path.Combine(project, "META-INF")))
        {
            definition.StatedbIndexes.AddRange(ChaincodeMetadata.ReadIndexes(project));
        }
        if (_tls)
        {
            definition.TlsRootCert = await File.ReadAllTextAsync(Path.Combine(ChaincodeTlsDirectory, "ca.crt"), cancellationToken).ConfigureAwait(false);
        }
        var orderer = _state.Orderers[0].Endpoint;
        await Task.WhenAll(admins.Select(admin => lifecycle.ApproveAsync(admin, definition, orderer, cancellationToken))).ConfigureAwait(false);
        await lifecycle.CommitAsync(admins, definition, orderer, cancellationToken).ConfigureAwait(false);
        record.Initialized = false;
        _state.Save();
        _log.WriteLine($"contract {contract.Name} {contract.Version} committed on {contract.Channel} (sequence {definition.Sequence}, endorsement {contract.EndorsementPolicy})");
    }

    private void WriteProfiles()
    {
        foreach (var org in _topology.MemberOrganizations)
        {
            WriteProfile(Crypto(org), _state.Organization(org.Name));
        }
    }

    private static void WriteProfile(OrgCryptoRequest crypto, OrganizationRecord record)
    {
        var profile = ServiceCommands.Profile(crypto, record.Gateway, record.TlsCaFile, record.Channels);
        Directory.CreateDirectory(Path.GetDirectoryName(record.ConnectionProfile)!);
        profile.Save(record.ConnectionProfile);
    }

    private async Task InitializeAsync(ContractTopology contract, CancellationToken cancellationToken)
    {
        var record = _state.Contracts.First(c => c.Name == contract.Name && c.Channel == contract.Channel);
        if (record.Initialized)
        {
            return;
        }
        var first = _state.Organization(_topology.Channel(contract.Channel).Organizations[0]);
        using var gateway = Gateway.Client.Gateway.Connect(ConnectionProfile.Load(first.ConnectionProfile), asAdmin: true);
        var target = gateway.GetNetwork(contract.Channel).GetContract(contract.Name);
        var function = contract.Initialize![0];
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await target.SubmitTransactionAsync(function, ProposalOptions.WithArguments([.. contract.Initialize.Skip(1)]), cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (GatewayException) when (attempt < 10)
            {
                // Right after the commit a peer may not have the definition or its chaincode connection yet.
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
        record.Initialized = true;
        _log.WriteLine($"contract {contract.Name}: {string.Join(' ', contract.Initialize)} submitted by {first.MspId} admin");
    }
}
