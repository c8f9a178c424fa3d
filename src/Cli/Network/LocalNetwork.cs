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
}

/// <summary>
/// A whole network as local processes, in development mode (h2c): a solo orderer, one peer and one gateway per
/// organisation, and the C# sample chaincode served as a service; the channel is created and joined, the chaincode
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
        var orderer = Add(LocalNode.Start("orderer", "zoncoin-orderer.dll",
        [
            "--listen", $"127.0.0.1:{ordererPort}", "--admin-listen", $"127.0.0.1:{ordererAdmin}", "--operations-listen", $"127.0.0.1:{ordererOps}",
            "--data-dir", Path.Combine(root, "data", "orderer"), "--msp-id", ordererOrg.MspId,
            "--msp-dir", Path.Combine(NodeDirectory(ordererOrg, "orderers", "orderer0"), "msp"), "--insecure", "true", .. Quiet,
        ]));
        var peers = orgs.Select(org => Add(LocalNode.Start($"peer.{org.Crypto.Org}", "zoncoin-peer.dll",
        [
            "--listen", org.PeerEndpoint, "--admin-listen", $"127.0.0.1:{org.PeerAdminPort}", "--operations-listen", $"127.0.0.1:{org.PeerOperationsPort}",
            "--data-dir", Path.Combine(root, "data", $"peer.{org.Crypto.Org.ToLowerInvariant()}"), "--msp-id", org.Crypto.MspId,
            "--msp-dir", Path.Combine(NodeDirectory(org.Crypto, "peers", "peer0"), "msp"), "--insecure", "true", .. Quiet,
        ]))).ToList();

        var config = ChannelConfigBuilder.Create(
            Spec.ChannelId,
            [.. orgs.Select(org => new OrganizationDefinition(org.Crypto.Org, org.Crypto.MspId, MspDirectory.LoadDefinition(Path.Combine(org.Crypto.OutputDirectory, "msp"), org.Crypto.MspId))
            {
                PeerEndpoints = [org.PeerEndpoint],
                GatewayEndpoints = [org.GatewayEndpoint],
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

        var gateways = orgs.Select(org => Add(LocalNode.Start($"gateway.{org.Crypto.Org}", "zoncoin-gateway.dll",
        [
            "--listen", org.GatewayEndpoint, "--operations-listen", $"127.0.0.1:{org.GatewayOperationsPort}", "--msp-id", org.Crypto.MspId,
            "--msp-dir", Path.Combine(UserDirectory(org.Crypto, "User1"), "msp"), "--peer", org.PeerEndpoint, "--insecure", "true", .. Quiet,
        ]))).ToList();
        for (var i = 0; i < orgs.Count; i++)
        {
            await gateways[i].WaitHealthyAsync(orgs[i].GatewayOperationsPort, cancellationToken).ConfigureAwait(false);
            var user = Path.Combine(UserDirectory(orgs[i].Crypto, "User1"), "msp");
            var admin = Path.Combine(UserDirectory(orgs[i].Crypto, "Admin"), "msp");
            var profile = new ConnectionProfile
            {
                Name = orgs[i].Crypto.Org,
                MspId = orgs[i].Crypto.MspId,
                Gateway = new GatewayProfile { Endpoint = orgs[i].GatewayEndpoint },
                Identity = new IdentityProfile { CertPath = FirstFile(user, "signcerts"), KeyPath = FirstFile(user, "keystore") },
                Admin = new IdentityProfile { CertPath = FirstFile(admin, "signcerts"), KeyPath = FirstFile(admin, "keystore") },
                Channels = [Spec.ChannelId],
            };
            var file = Path.Combine(root, "profiles", $"{orgs[i].Crypto.Org}.json");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            profile.Save(file);
            Profiles[orgs[i].Crypto.Org] = profile;
        }
        log.WriteLine($"gateways {string.Join(", ", orgs.Select(o => $"{o.GatewayEndpoint} ({o.Crypto.MspId})"))}; profiles in {Path.Combine(root, "profiles")}");
    }

    private async Task DeployAsync(IReadOnlyList<OrgPlan> orgs, string address, string packageId, string orderer, CancellationToken cancellationToken)
    {
        var admins = orgs.Select(org => OrgAdmin.Load(org.Crypto.MspId, Path.Combine(UserDirectory(org.Crypto, "Admin"), "msp"), org.PeerEndpoint)).ToList();
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

    private static readonly string[] Quiet = ["--Logging:LogLevel:Default", "Warning"];

    private LocalNode Add(LocalNode node)
    {
        _nodes.Add(node);
        return node;
    }

    private static string NodeDirectory(OrgCryptoRequest org, string kind, string node) => Path.Combine(org.OutputDirectory, kind, $"{node}.{org.Domain}");

    private static string UserDirectory(OrgCryptoRequest org, string user) => Path.Combine(org.OutputDirectory, "users", $"{user}@{org.Domain}");

    private static string FirstFile(string mspDirectory, string folder) => Directory.GetFiles(Path.Combine(mspDirectory, folder)).Order(StringComparer.Ordinal).First();

    private sealed record OrgPlan(OrgCryptoRequest Crypto, int PeerPort, int PeerAdminPort, int PeerOperationsPort, int GatewayPort, int GatewayOperationsPort)
    {
        public string PeerEndpoint => $"127.0.0.1:{PeerPort.ToString(CultureInfo.InvariantCulture)}";

        public string GatewayEndpoint => $"127.0.0.1:{GatewayPort.ToString(CultureInfo.InvariantCulture)}";
    }
}
