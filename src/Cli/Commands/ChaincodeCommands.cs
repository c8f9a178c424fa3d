using System.CommandLine;
using ZonCoin.Cli.Lifecycle;
using ZonCoin.Cli.Network;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Lifecycle;

namespace ZonCoin.Cli.Commands;

/// <summary>
/// <c>zoncoin chaincode approve|commit|deploy|list</c>: Fabric's <c>peer lifecycle chaincode</c> for chaincodes served
/// as a service. Organisations are given as repeated, positionally paired <c>--msp-id</c>, <c>--admin-msp-dir</c> and
/// <c>--peer</c> options (the Nth of each describe the Nth organisation):
/// <code>
/// zoncoin chaincode deploy --channel supplychain --name basic --version 1.0 --address 127.0.0.1:9999 \
///   --policy "AND('Org1MSP.peer','Org2MSP.peer')" --orderer 127.0.0.1:7050 \
///   --msp-id Org1MSP --admin-msp-dir org1/users/Admin@org1.zoncoin.local/msp --peer 127.0.0.1:7051 \
///   --msp-id Org2MSP --admin-msp-dir org2/users/Admin@org2.zoncoin.local/msp --peer 127.0.0.1:8051
/// </code>
/// Without <c>--msp-id</c>/<c>--admin-msp-dir</c>/<c>--peer</c>, <c>--orderer</c> or <c>--ca-file</c>, the local network
/// recorded in <c>--dir</c> (else <c>$ZONCOIN_NETWORK_DIR</c>, else <c>./.zoncoin</c>) supplies them: the admins and first
/// peers of the channel's member orgs, its orderer and its TLS files.
/// <c>--ca-file</c> (repeatable: the TLS CAs of the peers and the orderer) turns on TLS; <c>--client-cert</c> and
/// <c>--client-key</c> add a client certificate for mutual TLS. Without <c>--sequence</c> the next sequence after the
/// committed one is used. <c>deploy</c> approves for every organisation, commits, and prints the package id last.
/// </summary>
internal static class ChaincodeCommands
{
    public static Command Create()
    {
        var channel = new Option<string>("--channel") { Description = "Channel name", Required = true };
        var name = new Option<string>("--name") { Description = "Chaincode name", Required = true };
        var version = new Option<string>("--version") { Description = "Chaincode version", Required = true };
        var sequence = new Option<long?>("--sequence") { Description = "Definition sequence (default: the committed sequence + 1)" };
        var policy = new Option<string?>("--policy") { Description = "Endorsement policy, e.g. \"AND('Org1MSP.peer','Org2MSP.peer')\" (default: /Channel/Application/Endorsement)" };
        var address = new Option<string>("--address") { Description = "host:port of the chaincode-as-a-service", Required = true };
        var tlsRootCert = new Option<FileInfo?>("--tls-root-cert") { Description = "PEM of the chaincode server's TLS CA (default: h2c)" };
        var metadataDir = new Option<DirectoryInfo?>("--metadata-dir") { Description = "The chaincode's folder holding META-INF (or META-INF itself): its statedb/couchdb/indexes/*.json become state database indexes on PostgreSQL peers" };
        var orderer = new Option<string?>("--orderer") { Description = "The orderer's gRPC address, host:port (default: the local network's)" };
        var mspIds = new Option<string[]>("--msp-id") { Description = "An organisation's MSP ID (repeat per organisation; default: the local network's members of the channel)", AllowMultipleArgumentsPerToken = false };
        var adminDirs = new Option<string[]>("--admin-msp-dir") { Description = "That organisation's admin MSP folder (signcerts/, keystore/)" };
        var peers = new Option<string[]>("--peer") { Description = "gRPC address host:port of that organisation's peer" };
        var networkDir = LocalNetworkDirectory.CreateOption();
        var caFiles = new Option<string[]>("--ca-file") { Description = "TLS CA of peers/orderer (repeatable; turns on TLS)" };
        var clientCert = new Option<FileInfo?>("--client-cert") { Description = "Client TLS certificate (PEM) for mutual TLS" };
        var clientKey = new Option<FileInfo?>("--client-key") { Description = "Client TLS key (PEM)" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for each call and commit", DefaultValueFactory = _ => 60 };

        // Flags win; what they leave out comes from the local network (zoncoin network up) when one is recorded.
        NetworkState? Local(ParseResult parse) => LocalNetworkDirectory.TryLoad(parse, networkDir);

        IReadOnlyList<OrgAdmin> Orgs(ParseResult parse)
        {
            var ids = parse.GetValue(mspIds) ?? [];
            var dirs = parse.GetValue(adminDirs) ?? [];
            var addresses = parse.GetValue(peers) ?? [];
            if (ids.Length == 0 && dirs.Length == 0 && addresses.Length == 0)
            {
                var local = LocalNetworkDirectory.Require(parse, networkDir, "--msp-id, --admin-msp-dir and --peer once per organisation");
                return [.. local.MembersOf(parse.GetValue(channel)!).Select(org => OrgAdmin.Load(org.MspId, org.AdminMspDirectory, org.Peers[0].Endpoint))];
            }
            if (ids.Length == 0 || ids.Length != dirs.Length || ids.Length != addresses.Length)
            {
                throw new ArgumentException($"give --msp-id, --admin-msp-dir and --peer once per organisation (got {ids.Length}, {dirs.Length} and {addresses.Length})");
            }
            return [.. ids.Select((id, i) => OrgAdmin.Load(id, dirs[i], addresses[i]))];
        }

        LifecycleClient Client(ParseResult parse)
        {
            var cas = parse.GetValue(caFiles) ?? [];
            GrpcConnections connections;
            if (cas.Length == 0 && parse.GetValue(clientCert) is null && Local(parse) is { } local)
            {
                var first = local.MembersOf(parse.GetValue(channel)!)[0];
                connections = GrpcConnections.Load(local.TlsCaFiles, first.AdminTlsCertFile, first.AdminTlsKeyFile);
            }
            else
            {
                connections = GrpcConnections.Load(cas, parse.GetValue(clientCert)?.FullName, parse.GetValue(clientKey)?.FullName);
            }
            return new LifecycleClient(connections, parse.GetValue(channel)!, TimeSpan.FromSeconds(parse.GetValue(timeout)));
        }

        string Orderer(ParseResult parse) =>
            parse.GetValue(orderer) ?? LocalNetworkDirectory.Require(parse, networkDir, "--orderer").Orderers[0].Endpoint;

        async Task<ChaincodeDefinition> DefinitionAsync(ParseResult parse, LifecycleClient client, OrgAdmin org, CancellationToken cancellationToken)
        {
            var ccName = parse.GetValue(name)!;
            var ccVersion = parse.GetValue(version)!;
            var ccAddress = parse.GetValue(address)!;
            var definition = new ChaincodeDefinition
            {
                Name = ccName,
                Version = ccVersion,
                Address = ccAddress,
                PackageId = ChaincodePackageIds.Compute(ccName, ccVersion, ccAddress),
            };
            if (parse.GetValue(policy) is { Length: > 0 } expression)
            {
                try
                {
                    definition.EndorsementPolicy = new ApplicationPolicy { SignaturePolicy = PolicyDsl.Parse(expression) };
                }
                catch (PolicyException ex)
                {
                    throw new ArgumentException($"--policy: {ex.Message}", ex);
                }
            }
            if (parse.GetValue(metadataDir) is { } metadata)
            {
                definition.StatedbIndexes.AddRange(ChaincodeMetadata.ReadIndexes(metadata.FullName));
            }
            if (parse.GetValue(tlsRootCert) is { } certFile)
            {
                definition.TlsRootCert = await File.ReadAllTextAsync(certFile.FullName, cancellationToken).ConfigureAwait(false);
            }
            definition.Sequence = parse.GetValue(sequence)
                ?? ((await client.QueryDefinitionAsync(org, ccName, cancellationToken).ConfigureAwait(false))?.Sequence ?? 0) + 1;
            return definition;
        }

        Command Definition(string verb, string description) =>
            new(verb, description) { channel, name, version, sequence, policy, address, tlsRootCert, metadataDir, orderer, mspIds, adminDirs, peers, caFiles, clientCert, clientKey, timeout, networkDir };

        var approve = Definition("approve", "Approve a chaincode definition for each organisation given (on its own peer)");
        approve.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var orgs = Orgs(parse);
            var client = Client(parse);
            var definition = await DefinitionAsync(parse, client, orgs[0], cancellationToken).ConfigureAwait(false);
            await ApproveAllAsync(client, orgs, definition, Orderer(parse), cancellationToken).ConfigureAwait(false);
        }));

        var commit = Definition("commit", "Commit a chaincode definition with endorsements from the peers of every organisation given");
        commit.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var orgs = Orgs(parse);
            var client = Client(parse);
            var definition = await DefinitionAsync(parse, client, orgs[0], cancellationToken).ConfigureAwait(false);
            await CommitAsync(client, orgs, definition, Orderer(parse), cancellationToken).ConfigureAwait(false);
        }));

        var deploy = Definition("deploy", "Approve for every organisation given, then commit; prints the package id last");
        deploy.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var orgs = Orgs(parse);
            var client = Client(parse);
            var definition = await DefinitionAsync(parse, client, orgs[0], cancellationToken).ConfigureAwait(false);
            await ApproveAllAsync(client, orgs, definition, Orderer(parse), cancellationToken).ConfigureAwait(false);
            await CommitAsync(client, orgs, definition, Orderer(parse), cancellationToken).ConfigureAwait(false);
            Console.WriteLine(definition.PackageId);
        }));

        var list = new Command("list", "List the chaincode definitions committed on a channel (asks the first organisation's peer)")
        {
            channel, mspIds, adminDirs, peers, caFiles, clientCert, clientKey, timeout, networkDir,
        };
        list.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var orgs = Orgs(parse);
            var all = await Client(parse).QueryDefinitionsAsync(orgs[0], cancellationToken).ConfigureAwait(false);
            if (all.Definitions.Count == 0)
            {
                Console.WriteLine($"no chaincode definitions committed on channel '{parse.GetValue(channel)}'");
            }
            foreach (var d in all.Definitions)
            {
                var endorsement = d.EndorsementPolicy?.TypeCase switch
                {
                    ApplicationPolicy.TypeOneofCase.SignaturePolicy => PolicyDsl.Format(d.EndorsementPolicy.SignaturePolicy),
                    ApplicationPolicy.TypeOneofCase.ChannelConfigPolicyReference => d.EndorsementPolicy.ChannelConfigPolicyReference,
                    _ => "/Channel/Application/Endorsement",
                };
                Console.WriteLine($"Name: {d.Name}, Version: {d.Version}, Sequence: {d.Sequence}, Address: {d.Address}, Package ID: {d.PackageId}, Endorsement: {endorsement}");
            }
        }));

        return new Command("chaincode", "Chaincode lifecycle (_lifecycle): approve, commit, deploy, list") { approve, commit, deploy, list };
    }

    private static async Task ApproveAllAsync(LifecycleClient client, IReadOnlyList<OrgAdmin> orgs, ChaincodeDefinition definition, string orderer, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(orgs.Select(org => client.ApproveAsync(org, definition, orderer, cancellationToken))).ConfigureAwait(false);
        for (var i = 0; i < orgs.Count; i++)
        {
            Console.WriteLine($"approved {definition.Name} {definition.Version} sequence {definition.Sequence} for {orgs[i].MspId} (tx {results[i].TxId}, block {results[i].Block})");
        }
    }

    private static async Task CommitAsync(LifecycleClient client, IReadOnlyList<OrgAdmin> orgs, ChaincodeDefinition definition, string orderer, CancellationToken cancellationToken)
    {
        var (txId, block) = await client.CommitAsync(orgs, definition, orderer, cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"committed {definition.Name} {definition.Version} sequence {definition.Sequence} on channel (tx {txId}, block {block})");
    }
}
