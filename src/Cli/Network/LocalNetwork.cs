using System.Globalization;
using Google.Protobuf;
using ZonCoin.Cli.Admin;
using ZonCoin.Cli.Crypto;
using ZonCoin.Cli.Lifecycle;
using ZonCoin.Core.Config;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Client;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Lifecycle;

namespace ZonCoin.Cli.Network;

/// <summary>What a local network runs: its organisations, one channel and one chaincode (the C# sample contract).</summary>
internal sealed record LocalNetworkSpec
{
    /// <summary>Where crypto, ledgers and connection profiles go.</summary>
    public required string Root { get; init; }

    /// <summary>Application organisations, e.g. Org1, Org2 (MSP IDs are Org1MSP, Org2MSP).</summary>
    public IReadOnlyList<string> Organizations { get; init; } = ["Org1", "Org2"];

    public string ChannelId { get; init; } = "bench";

    public string Chaincode { get; init; } = "basic";

    /// <summary>The chaincode's endorsement policy, Fabric's syntax.</summary>
    public string EndorsementPolicy { get; init; } = "AND('Org1MSP.peer','Org2MSP.peer')";

    public TimeSpan BatchTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    public uint MaxMessageCount { get; init; } = 500;

    /// <summary>A gateway process per organisation instead of the gateway each peer serves.</summary>
    public bool StandaloneGateways { get; init; }
}

/// <summary>
/// A whole network as local processes, in development mode (h2c): a solo orderer, one peer per organisation (serving
/// its gateway, or with a gateway process beside it), and the C# sample chaincode served as a service; the channel is created and joined, the chaincode
/// approved by every organisation and committed, and a connection profile written per organisation
/// (<c>ROOT/profiles/&lt;Org&gt;.json</c>, its User1). Disposing it stops everything.
/// </summary>
internal sealed class LocalNetwork : IAsyncDisposable
{
    private readonly List<LocalNode> _nodes = [];

    private LocalNetwork(LocalNetworkSpec spec)
    {
        Spec = spec;
    }

    public LocalNetworkSpec Spec { get; }

    /// <summary>The connection profile of each organisation, by organisation name.</summary>
    public Dictionary<string, ConnectionProfile> Profiles { get; } = new(StringComparer.Ordinal);

    /// <summary>The service processes, in start order.</summary>
    public IReadOnlyList<LocalNode> Nodes => _nodes;

    /// <summary>The orderer's operations endpoint (<c>/healthz</c>, <c>/metrics</c>), host:port.</summary>
    public string OrdererOperations { get; private set; } = "";

    public static async Task<LocalNetwork> StartAsync(LocalNetworkSpec spec, TextWriter log, CancellationToken cancellationToken)
    {
        var network = new LocalNetwork(spec);
        try
        {
            await network.StartAsync(log, cancellationToken).ConfigureAwait(false);
            return network;
        }
        catch
        {
            await network.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartAsync(TextWriter log, CancellationToken cancellationToken)
    {
        var root = Spec.Root;
        var ordererOrg = new OrgCryptoRequest("OrdererOrg", "OrdererMSP", "orderer.local", 0, 1, 0, Path.Combine(root, "crypto", "ordererorg"));
        OrgCryptoGenerator.Generate(ordererOrg);
        var orgs = Spec.Organizations.Select(name => new OrgPlan(
            new OrgCryptoRequest(name, $"{name}MSP", $"{name.ToLowerInvariant()}.local", 1, 0, 1, Path.Combine(root, "crypto", name.ToLowerInvariant())),
            LocalNode.FreePort(), LocalNode.FreePort(), LocalNode.FreePort(), LocalNode.FreePort(), LocalNode.FreePort())).ToList();
        foreach (var org in orgs)
        {
            OrgCryptoGenerator.Generate(org.Crypto);
        }

        var (ordererPort, ordererAdmin, ordererOps) = (LocalNode.FreePort(), LocalNode.FreePort(), LocalNode.FreePort());
        OrdererOperations = $"127.0.0.1:{ordererOps}";
        var orderer = Add(LocalNode.Start("orderer", ServiceCommands.OrdererDll,
        [
            .. ServiceCommands.Orderer($"127.0.0.1:{ordererPort}", $"127.0.0.1:{ordererAdmin}", $"127.0.0.1:{ordererOps}", Path.Combine(root, "data", "orderer"),
                ordererOrg.MspId, ServiceCommands.NodeDirectory(ordererOrg, "orderers", "orderer0"), tls: false),
            .. ServiceCommands.Quiet,
        ]));
        var peers = orgs.Select(org => Add(LocalNode.Start($"peer.{org.Crypto.Org}", ServiceCommands.PeerDll,
        [
            .. ServiceCommands.Peer(org.PeerEndpoint, $"127.0.0.1:{org.PeerAdminPort}", $"127.0.0.1:{org.PeerOperationsPort}",
                Path.Combine(root, "data", $"peer.{org.Crypto.Org.ToLowerInvariant()}"), org.Crypto.MspId, ServiceCommands.NodeDirectory(org.Crypto, "peers", "peer0"), tls: false),
            .. ServiceCommands.Quiet,
        ]))).ToList();

        var config = ChannelConfigBuilder.Create(
            Spec.ChannelId,
            [.. orgs.Select(org => new OrganizationDefinition(org.Crypto.Org, org.Crypto.MspId, MspDirectory.LoadDefinition(Path.Combine(org.Crypto.OutputDirectory, "msp"), org.Crypto.MspId))
            {
                PeerEndpoints = [org.PeerEndpoint],
                GatewayEndpoints = [ApplicationEndpoint(org)],
            })],
            [new OrganizationDefinition(ordererOrg.Org, ordererOrg.MspId, MspDirectory.LoadDefinition(Path.Combine(ordererOrg.OutputDirectory, "msp"), ordererOrg.MspId))
            {
                OrdererEndpoints = [$"127.0.0.1:{ordererPort}"],
            }],
            new OrderingDefinition { BatchTimeout = Spec.BatchTimeout, MaxMessageCount = Spec.MaxMessageCount });
        var genesis = Blocks.Genesis(ConfigUpdates.CreateConfigEnvelope(config)).ToByteArray();

        await orderer.WaitHealthyAsync(ordererOps, cancellationToken).ConfigureAwait(false);
        using (var admin = new ParticipationClient(new AdminConnection($"127.0.0.1:{ordererAdmin}", null, null, null)))
        {
            await admin.JoinAsync(genesis, cancellationToken).ConfigureAwait(false);
        }
        for (var i = 0; i < orgs.Count; i++)
        {
            await peers[i].WaitHealthyAsync(orgs[i].PeerOperationsPort, cancellationToken).ConfigureAwait(false);
            using var admin = new ParticipationClient(new AdminConnection($"127.0.0.1:{orgs[i].PeerAdminPort}", null, null, null, "peer"));
            await admin.JoinAsync(genesis, cancellationToken).ConfigureAwait(false);
        }
        log.WriteLine($"channel {Spec.ChannelId}: orderer 127.0.0.1:{ordererPort}, peers {string.Join(", ", orgs.Select(o => $"{o.PeerEndpoint} ({o.Crypto.MspId})"))}");

        var chaincodePort = LocalNode.FreePort();
        var chaincodeAddress = $"127.0.0.1:{chaincodePort}";
        var packageId = ChaincodePackageIds.Compute(Spec.Chaincode, "1.0", chaincodeAddress);
        var host = Add(LocalNode.Start($"chaincode.{Spec.Chaincode}", "ZonCoin.Chaincode.Sample.dll", [], new Dictionary<string, string>
        {
            ["CHAINCODE_SERVER_ADDRESS"] = chaincodeAddress,
            ["CHAINCODE_ID"] = packageId,
            ["Logging__LogLevel__Default"] = "Warning",
        }));
        await host.WaitListeningAsync(chaincodePort, cancellationToken).ConfigureAwait(false);
        await DeployAsync(orgs, chaincodeAddress, packageId, $"127.0.0.1:{ordererPort}", cancellationToken).ConfigureAwait(false);
        log.WriteLine($"chaincode {Spec.Chaincode} 1.0 at {chaincodeAddress} committed under {Spec.EndorsementPolicy}");

        if (Spec.StandaloneGateways)
        {
            var gateways = orgs.Select(org => Add(LocalNode.Start($"gateway.{org.Crypto.Org}", ServiceCommands.GatewayDll,
            [
                .. ServiceCommands.Gateway(org.GatewayEndpoint, $"127.0.0.1:{org.GatewayOperationsPort}", org.Crypto.MspId, ServiceCommands.UserDirectory(org.Crypto, "User1"),
                    org.PeerEndpoint, ServiceCommands.NodeDirectory(org.Crypto, "peers", "peer0"), tls: false),
                .. ServiceCommands.Quiet,
            ]))).ToList();
            for (var i = 0; i < orgs.Count; i++)
            {
                await gateways[i].WaitHealthyAsync(orgs[i].GatewayOperationsPort, cancellationToken).ConfigureAwait(false);
            }
        }
        for (var i = 0; i < orgs.Count; i++)
        {
            var profile = ServiceCommands.Profile(orgs[i].Crypto, ApplicationEndpoint(orgs[i]), gatewayTlsRoot: null, [Spec.ChannelId]);
            var file = Path.Combine(root, "profiles", $"{orgs[i].Crypto.Org}.json");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            profile.Save(file);
            Profiles[orgs[i].Crypto.Org] = profile;
        }
        log.WriteLine($"gateways {string.Join(", ", orgs.Select(o => $"{ApplicationEndpoint(o)} ({o.Crypto.MspId}{(Spec.StandaloneGateways ? "" : ", in its peer")})"))}; profiles in {Path.Combine(root, "profiles")}");
    }

    private async Task DeployAsync(IReadOnlyList<OrgPlan> orgs, string address, string packageId, string orderer, CancellationToken cancellationToken)
    {
        var admins = orgs.Select(org => OrgAdmin.Load(org.Crypto.MspId, Path.Combine(ServiceCommands.UserDirectory(org.Crypto, "Admin"), "msp"), org.PeerEndpoint)).ToList();
        var lifecycle = new LifecycleClient(GrpcConnections.Load([], null, null), Spec.ChannelId, TimeSpan.FromSeconds(60));
        var definition = new ChaincodeDefinition
        {
            Name = Spec.Chaincode,
            Version = "1.0",
            Sequence = 1,
            Address = address,
            PackageId = packageId,
            EndorsementPolicy = new ApplicationPolicy { SignaturePolicy = PolicyDsl.Parse(Spec.EndorsementPolicy) },
        };
        await Task.WhenAll(admins.Select(admin => lifecycle.ApproveAsync(admin, definition, orderer, cancellationToken))).ConfigureAwait(false);
        await lifecycle.CommitAsync(admins, definition, orderer, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        for (var i = _nodes.Count - 1; i >= 0; i--)
        {
            _nodes[i].Dispose();
        }
        _nodes.Clear();
        return ValueTask.CompletedTask;
    }

    /// <summary>Where an organisation's applications connect: its gateway process, or its peer.</summary>
    private string ApplicationEndpoint(OrgPlan org) => Spec.StandaloneGateways ? org.GatewayEndpoint : org.PeerEndpoint;

    private LocalNode Add(LocalNode node)
    {
        _nodes.Add(node);
        return node;
    }

    private sealed record OrgPlan(OrgCryptoRequest Crypto, int PeerPort, int PeerAdminPort, int PeerOperationsPort, int GatewayPort, int GatewayOperationsPort)
    {
        public string PeerEndpoint => $"127.0.0.1:{PeerPort.ToString(CultureInfo.InvariantCulture)}";

        public string GatewayEndpoint => $"127.0.0.1:{GatewayPort.ToString(CultureInfo.InvariantCulture)}";
    }
}
