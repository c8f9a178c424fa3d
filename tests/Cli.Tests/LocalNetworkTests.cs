using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ZonCoin.Cli.Network;
using ZonCoin.Cli.Tests.Support;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Client;

namespace ZonCoin.Cli.Tests;

/// <summary>
/// <c>zoncoin network up|status|down</c> on the repository's default topology (three orgs, two channels, two contracts,
/// Amazon's peer on PostgreSQL, TLS) with free ports, as real background processes; then the admin commands without
/// endpoint flags against it.
/// </summary>
public sealed class LocalNetworkTests : IDisposable
{
    private static readonly string[] Orgs = ["Amazon", "Manufacturer", "Distributor"];

    private readonly LocalNetworkFolder _folder = new();

    private string NetworkDir => _folder.NetworkDir;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Up_serves_both_contracts_through_every_org_and_admin_commands_default_to_it_until_down()
    {
        var topology = _folder.WriteFreePortTopology();

        var up = CliProcess.Run("network", "up", "--topology", topology, "--dir", NetworkDir);
        Assert.True(up.ExitCode == 0, up.StandardError + up.StandardOutput);
        Assert.Contains("network 'zoncoin-local' is up (TLS)", up.StandardOutput, StringComparison.Ordinal);
        var state = NetworkState.Load(NetworkDir);
        Assert.True(state.Tls);
        Assert.Equal(
            ["postgres", "orderer0.orderer",
             "peer0.amazon", "chaincode.zoncoin.amazon", "chaincode.supplychain.amazon",
             "peer0.manufacturer", "chaincode.zoncoin.manufacturer", "chaincode.supplychain.manufacturer",
             "peer0.distributor", "chaincode.zoncoin.distributor", "chaincode.supplychain.distributor"],
            state.Services.Select(s => s.Name));
        Assert.All(state.Services, s => Assert.True(ConsortiumNetwork.IsAlive(s), $"{s.Name} (pid {s.Pid}) is not running"));
        Assert.All(state.Services.Where(s => s.Kind != "postgres"), s => Assert.True(File.Exists(s.Log), s.Log));
        // Each org's peer dials its own org's chaincode host.
        Assert.Equal(state.Services.Single(s => s.Name == "chaincode.zoncoin.distributor").Endpoint,
            state.Services.Single(s => s.Name == "peer0.distributor").Environment["Peer__ChaincodeAddresses__zoncoin"]);

        // Both contracts answer through each org's gateway (its peer's, as Fabric's), with the written profiles (TLS).
        var amazonAccount = "";
        foreach (var org in Orgs)
        {
            var profile = ConnectionProfile.Load(Path.Combine(NetworkDir, "connections", $"{org}.json"));
            Assert.Equal(state.Services.Single(s => s.Name == $"peer0.{org.ToLowerInvariant()}").Endpoint, profile.Gateway.Endpoint);
            Assert.Equal(["zoncoin", "supplychain"], profile.Channels);
            Assert.NotNull(profile.Gateway.TlsRootCertPath);
            using var gateway = Gateway.Client.Gateway.Connect(profile);
            var token = gateway.GetNetwork("zoncoin").GetContract("zoncoin");
            var info = Encoding.UTF8.GetString(await token.EvaluateTransactionAsync("TokenInfo"));
            Assert.Contains("\"symbol\":\"ZON\"", info, StringComparison.Ordinal);
            Assert.Contains("\"issuerMspId\":\"AmazonMSP\"", info, StringComparison.Ordinal);
            var account = Encoding.UTF8.GetString(await token.EvaluateTransactionAsync("ClientAccountId"));
            Assert.StartsWith($"{profile.MspId}:", account, StringComparison.Ordinal);
            amazonAccount = org == "Amazon" ? account : amazonAccount;
        }

        // Transactions endorsed under both policies: the issuer's reward (Amazon AND another org), a product (MAJORITY).
        using (var amazonAdmin = Gateway.Client.Gateway.Connect(ConnectionProfile.Load(Path.Combine(NetworkDir, "connections", "Amazon.json")), asAdmin: true))
        {
            await amazonAdmin.GetNetwork("zoncoin").GetContract("zoncoin").SubmitTransactionAsync("RewardUsage", amazonAccount, "usage-1", "10000", "2026-11");
        }
        using (var manufacturer = Gateway.Client.Gateway.Connect(ConnectionProfile.Load(Path.Combine(NetworkDir, "connections", "Manufacturer.json"))))
        {
            await manufacturer.GetNetwork("supplychain").GetContract("supplychain").SubmitTransactionAsync("RegisterProduct", "09506000134352", "Amoxicillin 500mg");
        }
        foreach (var org in Orgs)
        {
            using var gateway = Gateway.Client.Gateway.Connect(ConnectionProfile.Load(Path.Combine(NetworkDir, "connections", $"{org}.json")));
            Assert.Equal("500", Encoding.UTF8.GetString(await gateway.GetNetwork("zoncoin").GetContract("zoncoin").EvaluateTransactionAsync("BalanceOf", amazonAccount)));
            var product = Encoding.UTF8.GetString(await gateway.GetNetwork("supplychain").GetContract("supplychain").EvaluateTransactionAsync("GetProduct", "09506000134352"));
            Assert.Contains("\"manufacturer\":\"ManufacturerMSP\"", product, StringComparison.Ordinal);
        }

        // Status: every service alive, every peer on both channels with a height.
        var status = CliProcess.Run("network", "status", "--dir", NetworkDir);
        Assert.True(status.ExitCode == 0, status.StandardError);
        foreach (var service in state.Services)
        {
            Assert.Matches(new Regex($"^{Regex.Escape(service.Name)} +{service.Pid} +alive +{Regex.Escape(service.Endpoint)}$", RegexOptions.Multiline), status.StandardOutput);
        }
        foreach (var peer in new[] { "peer0.amazon", "peer0.manufacturer", "peer0.distributor" })
        {
            foreach (var channel in new[] { "zoncoin", "supplychain" })
            {
                var height = Regex.Match(status.StandardOutput, $"^{Regex.Escape(peer)} +{channel} +(\\d+)$", RegexOptions.Multiline);
                Assert.True(height.Success, $"no height of {peer} on {channel} in:\n{status.StandardOutput}");
                Assert.True(long.Parse(height.Groups[1].Value, CultureInfo.InvariantCulture) >= 3);
            }
        }

        // Up again: nothing is started, the same processes run.
        var again = CliProcess.Run("network", "up", "--topology", topology, "--dir", NetworkDir);
        Assert.True(again.ExitCode == 0, again.StandardError + again.StandardOutput);
        Assert.DoesNotContain("started ", again.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("all 11 services were already running", again.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(state.Services.Select(s => s.Pid), NetworkState.Load(NetworkDir).Services.Select(s => s.Pid));

        // Admin commands with no endpoint flags: the network recorded in $ZONCOIN_NETWORK_DIR.
        var local = new Dictionary<string, string> { [LocalNetworkDirectory.EnvironmentVariable] = NetworkDir };
        var peers = CliProcess.RunWith(local, "peer", "list", "--org", "Distributor");
        Assert.True(peers.ExitCode == 0, peers.StandardError);
        Assert.Contains("\"name\":\"zoncoin\"", peers.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"supplychain\"", peers.StandardOutput, StringComparison.Ordinal);
        var orderer = CliProcess.RunWith(local, "orderer", "list");
        Assert.True(orderer.ExitCode == 0, orderer.StandardError);
        Assert.Contains("\"name\":\"supplychain\"", orderer.StandardOutput, StringComparison.Ordinal);

        // Governance with no endorsement or identity flags: the first member's admin proposes, --org picks the voter.
        var proposed = CliProcess.RunWith(local, "proposal", "create", "--channel", "zoncoin", "--remove-org", "DistributorMSP", "--expires", "1h", "--description", "defaults");
        Assert.True(proposed.ExitCode == 0, proposed.StandardError + proposed.StandardOutput);
        var proposalId = proposed.StandardOutput.Trim().Split('\n')[^1];
        var voted = CliProcess.RunWith(local, "proposal", "vote", "--channel", "zoncoin", "--id", proposalId, "--no", "--org", "Manufacturer");
        Assert.True(voted.ExitCode == 0, voted.StandardError + voted.StandardOutput);
        Assert.Contains("ManufacturerMSP voted no", voted.StandardOutput, StringComparison.Ordinal);
        var listed = CliProcess.RunWith(local, "proposal", "list", "--channel", "zoncoin");
        Assert.True(listed.ExitCode == 0, listed.StandardError);
        Assert.Matches($"{Regex.Escape(proposalId)} .* no 1 ", listed.StandardOutput);

        var sampleAddress = $"127.0.0.1:{_folder.FreePort()}";
        using var sample = StartSampleChaincode(sampleAddress, ChaincodePackageIds.Compute("mycc", "1.0", sampleAddress));
        var deploy = CliProcess.RunWith(local, "chaincode", "deploy", "--channel", "supplychain", "--name", "mycc", "--version", "1.0", "--address", sampleAddress);
        Assert.True(deploy.ExitCode == 0, deploy.StandardError + deploy.StandardOutput);
        Assert.Equal(ChaincodePackageIds.Compute("mycc", "1.0", sampleAddress), deploy.StandardOutput.Trim().Split('\n')[^1]);
        Assert.Equal(3, Regex.Count(deploy.StandardOutput, "^approved mycc 1.0 sequence 1 for ", RegexOptions.Multiline));
        var list = CliProcess.RunWith(local, "chaincode", "list", "--channel", "supplychain");
        Assert.Contains("Name: mycc, Version: 1.0, Sequence: 1", list.StandardOutput, StringComparison.Ordinal);
        using (var distributor = Gateway.Client.Gateway.Connect(ConnectionProfile.Load(Path.Combine(NetworkDir, "connections", "Distributor.json"))))
        {
            var assets = distributor.GetNetwork("supplychain").GetContract("mycc");
            await assets.SubmitTransactionAsync("CreateAsset", "asset1", "blue", "5", "Tom", "300");
            Assert.Contains("\"Owner\":\"Tom\"", Encoding.UTF8.GetString(await assets.EvaluateTransactionAsync("ReadAsset", "asset1")), StringComparison.OrdinalIgnoreCase);
        }

        // The pharma scenario on the running network: `zoncoin demo` checks every step itself and exits 1 on a surprise.
        var demo = CliProcess.Run("demo", "--topology", topology, "--dir", NetworkDir);
        Assert.True(demo.ExitCode == 0, demo.StandardError + demo.StandardOutput);
        Assert.Contains("all 11 services were already running", demo.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("demo complete", demo.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("recalls batch", demo.StandardOutput, StringComparison.Ordinal);

        // Down stops every process, PostgreSQL included.
        var down = CliProcess.Run("network", "down", "--dir", NetworkDir);
        Assert.True(down.ExitCode == 0, down.StandardError);
        Assert.All(state.Services, s => Assert.False(DetachedProcess.IsAlive(s.Pid, marker: null), $"{s.Name} (pid {s.Pid}) still runs"));
        var after = CliProcess.Run("network", "status", "--dir", NetworkDir);
        Assert.Equal(state.Services.Count, Regex.Count(after.StandardOutput, " dead "));

        var purge = CliProcess.Run("network", "down", "--dir", NetworkDir, "--purge");
        Assert.True(purge.ExitCode == 0, purge.StandardError);
        Assert.False(Directory.Exists(NetworkDir));
    }

    [Fact]
    public async Task Add_org_onboards_Pharmacy_into_both_channels_while_transactions_flow_and_its_endorsement_counts()
    {
        var topology = _folder.WriteFreePortTopology();
        var up = CliProcess.Run("network", "up", "--topology", topology, "--dir", NetworkDir);
        Assert.True(up.ExitCode == 0, up.StandardError + up.StandardOutput);

        // Manufacturer keeps registering products on supplychain while Pharmacy is onboarded; a transaction that fails
        // (e.g. endorsed under the old policy while the config changes) is retried, at most 10 times.
        var registered = new List<string>();
        var failures = new List<string>();
        var retries = 0;
        var stop = false;
        var loop = Task.Run(async () =>
        {
            using var manufacturer = Gateway.Client.Gateway.Connect(ConnectionProfile.Load(Path.Combine(NetworkDir, "connections", "Manufacturer.json")));
            var supplychain = manufacturer.GetNetwork("supplychain").GetContract("supplychain");
            for (var i = 0; !Volatile.Read(ref stop); i++)
            {
                var gtin = Gtin(i);
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await supplychain.SubmitTransactionAsync("RegisterProduct", gtin, $"Product {i}");
                        registered.Add(gtin);
                        break;
                    }
                    catch (Exception ex) when (ex is GatewayException or CommitException)
                    {
                        if (attempt > 1 && ex.Message.Contains("is already registered by ManufacturerMSP", StringComparison.Ordinal))
                        {
                            registered.Add(gtin); // an earlier attempt committed after all
                            break;
                        }
                        if (attempt == 10)
                        {
                            failures.Add($"{gtin}: {ex.Message}");
                            break;
                        }
                        retries++;
                        await Task.Delay(200);
                    }
                }
            }
        });

        var add = await Task.Run(() => CliProcess.Run("network", "add-org", "--name", "Pharmacy", "--dir", NetworkDir));
        Volatile.Write(ref stop, true);
        await loop;
        Assert.True(add.ExitCode == 0, add.StandardError + add.StandardOutput);
        Assert.Contains("organization 'Pharmacy' (PharmacyMSP) added to network 'zoncoin-local'", add.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(failures);
        Assert.NotEmpty(registered);

        var state = NetworkState.Load(NetworkDir);
        var pharmacy = state.Organization("Pharmacy");
        Assert.True(pharmacy.Onboarded);
        Assert.Equal(["zoncoin", "supplychain"], pharmacy.Channels);
        Assert.All(state.Channels, c => Assert.Contains("Pharmacy", c.Organizations));
        var pharmacyServices = new[] { "peer0.pharmacy", "chaincode.zoncoin.pharmacy", "chaincode.supplychain.pharmacy" };
        foreach (var name in pharmacyServices)
        {
            var service = state.Services.SingleOrDefault(s => s.Name == name);
            Assert.True(service is not null && ConsortiumNetwork.IsAlive(service), $"{name} is not recorded or not running");
        }
        Assert.Equal(state.Services.Single(s => s.Name == "chaincode.supplychain.pharmacy").Endpoint,
            state.Services.Single(s => s.Name == "peer0.pharmacy").Environment["Peer__ChaincodeAddresses__supplychain"]);

        // Pharmacy's peer reaches the other peers' height on both channels (nothing else is submitted meanwhile).
        var pharmacyPeer = pharmacy.Peers[0];
        var others = state.Organizations.Where(o => o.Name != "Pharmacy").SelectMany(o => o.Peers).ToList();
        foreach (var channel in new[] { "zoncoin", "supplychain" })
        {
            long own = -1, highest = 0;
            for (var poll = 0; poll < 120; poll++)
            {
                highest = 0;
                foreach (var peer in others)
                {
                    highest = Math.Max(highest, (await ConsortiumNetwork.HeightsAsync(peer, CancellationToken.None))?.GetValueOrDefault(channel) ?? 0);
                }
                own = (await ConsortiumNetwork.HeightsAsync(pharmacyPeer, CancellationToken.None))?.GetValueOrDefault(channel) ?? -1;
                if (own == highest)
                {
                    break;
                }
                await Task.Delay(250);
            }
            Assert.True(own == highest && own > 0, $"{channel}: Pharmacy's peer is at {own}, the others at {highest}");
        }

        // Pharmacy transacts through its own gateway (its peer's) with its profile on both channels, and sees the loop's products.
        var profile = ConnectionProfile.Load(Path.Combine(NetworkDir, "connections", "Pharmacy.json"));
        Assert.Equal("PharmacyMSP", profile.MspId);
        using (var gateway = Gateway.Client.Gateway.Connect(profile))
        {
            var token = gateway.GetNetwork("zoncoin").GetContract("zoncoin");
            await token.SubmitTransactionAsync("OpenAccount");
            var account = Encoding.UTF8.GetString(await token.EvaluateTransactionAsync("ClientAccountId"));
            Assert.StartsWith("PharmacyMSP:", account, StringComparison.Ordinal);
            Assert.Equal("0", Encoding.UTF8.GetString(await token.EvaluateTransactionAsync("BalanceOf", account)));
            var supplychain = gateway.GetNetwork("supplychain").GetContract("supplychain");
            await supplychain.SubmitTransactionAsync("RegisterProduct", Gtin(100_000), "Pharmacy compounding kit");
            Assert.Contains("\"manufacturer\":\"PharmacyMSP\"", Encoding.UTF8.GetString(await supplychain.EvaluateTransactionAsync("GetProduct", Gtin(100_000))), StringComparison.Ordinal);
            Assert.Contains("\"manufacturer\":\"ManufacturerMSP\"", Encoding.UTF8.GetString(await supplychain.EvaluateTransactionAsync("GetProduct", registered[^1])), StringComparison.Ordinal);
        }

        // supplychain's MAJORITY now needs 3 of 4 orgs: Manufacturer and Distributor alone fail, with Pharmacy it is VALID.
        using (var manufacturer = Gateway.Client.Gateway.Connect(ConnectionProfile.Load(Path.Combine(NetworkDir, "connections", "Manufacturer.json"))))
        {
            var supplychain = manufacturer.GetNetwork("supplychain").GetContract("supplychain");
            var tooFew = await Assert.ThrowsAsync<CommitException>(() => supplychain.SubmitTransactionAsync("RegisterProduct", new ProposalOptions
            {
                Arguments = [.. new[] { Gtin(100_001), "two orgs" }.Select(Encoding.UTF8.GetBytes)],
                EndorsingOrganizations = ["ManufacturerMSP", "DistributorMSP"],
            }));
            Assert.Equal(ZonCoin.Protos.Peer.TxValidationCode.EndorsementPolicyFailure, tooFew.Code);
            var submitted = await supplychain.SubmitAsync("RegisterProduct", new ProposalOptions
            {
                Arguments = [.. new[] { Gtin(100_002), "with Pharmacy" }.Select(Encoding.UTF8.GetBytes)],
                EndorsingOrganizations = ["ManufacturerMSP", "DistributorMSP", "PharmacyMSP"],
            });
            var status = await submitted.GetStatusAsync();
            Assert.Equal(ZonCoin.Protos.Peer.TxValidationCode.Valid, status.Code);
        }

        // `up` again keeps the onboarded org: nothing is stopped or started, Pharmacy stays a member of both channels.
        var upAgain = CliProcess.Run("network", "up", "--topology", topology, "--dir", NetworkDir);
        Assert.True(upAgain.ExitCode == 0, upAgain.StandardError + upAgain.StandardOutput);
        Assert.Contains("all 14 services were already running", upAgain.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("stopped ", upAgain.StandardOutput, StringComparison.Ordinal);
        Assert.All(NetworkState.Load(NetworkDir).Channels, c => Assert.Contains("Pharmacy", c.Organizations));

        // A second add-org of the same name is refused and changes nothing.
        var again = CliProcess.Run("network", "add-org", "--name", "Pharmacy", "--dir", NetworkDir);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("organization 'Pharmacy' (PharmacyMSP) is already a member of the local network", again.StandardError, StringComparison.Ordinal);
        Assert.Equal(state.Services.Select(s => s.Pid), NetworkState.Load(NetworkDir).Services.Select(s => s.Pid));

        // Down stops Pharmacy's services with the others'.
        var down = CliProcess.Run("network", "down", "--dir", NetworkDir);
        Assert.True(down.ExitCode == 0, down.StandardError);
        Assert.Contains("stopped peer0.pharmacy", down.StandardOutput, StringComparison.Ordinal);
        Assert.All(state.Services, s => Assert.False(DetachedProcess.IsAlive(s.Pid, marker: null), $"{s.Name} (pid {s.Pid}) still runs"));
    }

    [Fact]
    public async Task Add_org_that_failed_half_way_runs_again_reusing_what_it_recorded()
    {
        var topology = _folder.WriteFreePortTopology();
        var up = CliProcess.Run("network", "up", "--topology", topology, "--dir", NetworkDir);
        Assert.True(up.ExitCode == 0, up.StandardError + up.StandardOutput);

        // With two of the three members' peers gone, no proposal to add the org can be endorsed: add-org stops after
        // `org init`, leaving the org recorded as not yet onboarded.
        var state = NetworkState.Load(NetworkDir);
        foreach (var name in new[] { "peer0.manufacturer", "peer0.distributor" })
        {
            var peer = state.Services.Single(s => s.Name == name);
            await DetachedProcess.StopAsync(peer.Pid, peer.Command[1], TimeSpan.FromSeconds(10), CancellationToken.None);
        }
        var failed = CliProcess.Run("network", "add-org", "--name", "Clinic", "--dir", NetworkDir);
        Assert.True(failed.ExitCode == 1, failed.StandardError + failed.StandardOutput);
        var stopped = new[] { "Manufacturer", "Distributor" }.Select(org => state.Organization(org).Peers[0].Endpoint);
        Assert.True(stopped.Any(endpoint => failed.StandardError.Contains(endpoint, StringComparison.Ordinal)), failed.StandardError);
        var half = NetworkState.Load(NetworkDir).Organization("Clinic");
        Assert.False(half.Onboarded);
        Assert.Empty(half.Channels);
        var adminCertificate = Directory.GetFiles(Path.Combine(half.AdminMspDirectory, "signcerts")).Single();
        var certificate = await File.ReadAllBytesAsync(adminCertificate);

        // `up` restarts the stopped peers and keeps the half-onboarded org.
        var again = CliProcess.Run("network", "up", "--topology", topology, "--dir", NetworkDir);
        Assert.True(again.ExitCode == 0, again.StandardError + again.StandardOutput);
        Assert.Contains("started peer0.manufacturer", again.StandardOutput, StringComparison.Ordinal);
        Assert.False(NetworkState.Load(NetworkDir).Organization("Clinic").Onboarded);

        // The second run completes with the endpoints and crypto material of the first.
        var added = CliProcess.Run("network", "add-org", "--name", "Clinic", "--dir", NetworkDir);
        Assert.True(added.ExitCode == 0, added.StandardError + added.StandardOutput);
        Assert.Contains("organization 'Clinic' (ClinicMSP) added to network 'zoncoin-local'", added.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("reusing the crypto material", added.StandardOutput, StringComparison.Ordinal);
        var clinic = NetworkState.Load(NetworkDir).Organization("Clinic");
        Assert.True(clinic.Onboarded);
        Assert.Equal(["zoncoin", "supplychain"], clinic.Channels);
        Assert.Equal(half.Peers[0].Endpoint, clinic.Peers[0].Endpoint);
        Assert.Equal(half.Gateway, clinic.Gateway);
        Assert.Equal(clinic.Peers[0].Endpoint, clinic.Gateway);
        Assert.Equal(certificate, await File.ReadAllBytesAsync(adminCertificate));

        using (var gateway = Gateway.Client.Gateway.Connect(ConnectionProfile.Load(clinic.ConnectionProfile)))
        {
            var token = gateway.GetNetwork("zoncoin").GetContract("zoncoin");
            await token.SubmitTransactionAsync("OpenAccount");
            Assert.StartsWith("ClinicMSP:", Encoding.UTF8.GetString(await token.EvaluateTransactionAsync("ClientAccountId")), StringComparison.Ordinal);
        }

        var down = CliProcess.Run("network", "down", "--dir", NetworkDir);
        Assert.True(down.ExitCode == 0, down.StandardError);
        Assert.Contains("stopped chaincode.supplychain.clinic", down.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_with_kafka_ordering_runs_three_orderers_that_cut_the_same_blocks()
    {
        // A three-broker dev Kafka (librdkafka's mock cluster) for a topology with three kafka orderers.
        using var kafka = CliProcess.Start("kafka", "dev", "--brokers", "3");
        var bootstrap = await kafka.ReadLineAsync();
        Assert.StartsWith("bootstrap: ", bootstrap, StringComparison.Ordinal);
        Assert.StartsWith("ready: 3 brokers", await kafka.ReadLineAsync(), StringComparison.Ordinal);
        var brokers = bootstrap["bootstrap: ".Length..].Split(',');
        var topology = _folder.WriteFreePortTopology(text =>
        {
            var orderer = Regex.Match(text, @"^( +)- \{ name: orderer0, port: \d+ \}$", RegexOptions.Multiline);
            Assert.True(orderer.Success, "network.yaml has no orderer0 line");
            var indent = orderer.Groups[1].Value;
            var kafkaOrdering = $"  type: kafka\n  brokers: [{string.Join(", ", brokers)}]\n";
            return text
                .Replace(orderer.Value, $"{orderer.Value}\n{indent}- {{ name: orderer1, port: 7150 }}\n{indent}- {{ name: orderer2, port: 7250 }}", StringComparison.Ordinal)
                .Replace("  type: solo\n", kafkaOrdering, StringComparison.Ordinal);
        });

        var up = CliProcess.Run("network", "up", "--topology", topology, "--dir", NetworkDir);
        Assert.True(up.ExitCode == 0, up.StandardError + up.StandardOutput);
        var state = NetworkState.Load(NetworkDir);
        Assert.Equal(["orderer0.orderer", "orderer1.orderer", "orderer2.orderer"], state.Orderers.Select(o => o.Name));
        Assert.All(state.Services, s => Assert.True(ConsortiumNetwork.IsAlive(s), $"{s.Name} (pid {s.Pid}) is not running"));

        // A transaction on each channel, ordered through Kafka.
        using (var manufacturer = Gateway.Client.Gateway.Connect(ConnectionProfile.Load(_folder.ProfilePath("Manufacturer"))))
        {
            var supplychain = manufacturer.GetNetwork("supplychain").GetContract("supplychain");
            await supplychain.SubmitTransactionAsync("RegisterProduct", Gtin(7), "Ordered through Kafka");
            Assert.Contains("\"manufacturer\":\"ManufacturerMSP\"", Encoding.UTF8.GetString(await supplychain.EvaluateTransactionAsync("GetProduct", Gtin(7))), StringComparison.Ordinal);
            await manufacturer.GetNetwork("zoncoin").GetContract("zoncoin").SubmitTransactionAsync("OpenAccount");
        }

        // Every orderer holds the same chain: block for block, the same header hashes.
        var amazon = state.Organization("Amazon");
        foreach (var channel in new[] { "zoncoin", "supplychain" })
        {
            var height = (await ConsortiumNetwork.HeightsAsync(amazon.Peers[0], CancellationToken.None))![channel];
            for (var number = 0L; number < height; number++)
            {
                var hashes = new List<string>();
                foreach (var orderer in state.Orderers)
                {
                    var file = Path.Combine(_folder.Root, $"{channel}-{number}-{orderer.Name}.block");
                    var fetch = CliProcess.Run("channel", "fetch", "--channel", channel, "--block", number.ToString(CultureInfo.InvariantCulture), "--out", file,
                        "--msp-id", amazon.MspId, "--admin-msp-dir", amazon.AdminMspDirectory, "--orderer", orderer.Endpoint,
                        "--ca-file", orderer.TlsCaFile!, "--client-cert", amazon.AdminTlsCertFile!, "--client-key", amazon.AdminTlsKeyFile!);
                    Assert.True(fetch.ExitCode == 0, fetch.StandardError + fetch.StandardOutput);
                    var block = Protos.Common.Block.Parser.ParseFrom(await File.ReadAllBytesAsync(file));
                    Assert.Equal((ulong)number, block.Header.Number);
                    hashes.Add(Convert.ToHexString(BlockHashing.HeaderHash(block.Header)));
                }
                Assert.True(hashes.Distinct().Count() == 1, $"{channel} block {number}: {string.Join(" ", hashes)}");
            }
        }

        var down = CliProcess.Run("network", "down", "--dir", NetworkDir);
        Assert.True(down.ExitCode == 0, down.StandardError);
        Assert.Contains("stopped orderer2.orderer", down.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>A valid GTIN-14 (GS1 mod-10 check digit) numbered <paramref name="n"/>.</summary>
    private static string Gtin(int n)
    {
        var digits = "0950600" + n.ToString("D6", CultureInfo.InvariantCulture);
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            // From the right: weights 3, 1, 3, ...
            sum += (digits[digits.Length - 1 - i] - '0') * (i % 2 == 0 ? 3 : 1);
        }
        return digits + ((10 - (sum % 10)) % 10).ToString(CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Status_and_admin_commands_without_a_network_say_what_to_give()
    {
        var status = CliProcess.Run("network", "status", "--dir", NetworkDir);
        Assert.Equal(1, status.ExitCode);
        Assert.Contains($"start a local network first ('zoncoin network up'; none is recorded in {NetworkDir})", status.StandardError, StringComparison.Ordinal);

        var local = new Dictionary<string, string> { [LocalNetworkDirectory.EnvironmentVariable] = NetworkDir };
        var deploy = CliProcess.RunWith(local, "chaincode", "deploy", "--channel", "c", "--name", "n", "--version", "1", "--address", "127.0.0.1:1");
        Assert.Equal(1, deploy.ExitCode);
        Assert.Contains("give --msp-id, --admin-msp-dir and --peer once per organisation, or start a local network first", deploy.StandardError, StringComparison.Ordinal);
        var peer = CliProcess.RunWith(local, "peer", "list");
        Assert.Equal(1, peer.ExitCode);
        Assert.Contains("give --peer, or start a local network first", peer.StandardError, StringComparison.Ordinal);

        var down = CliProcess.Run("network", "down", "--dir", NetworkDir);
        Assert.Equal(0, down.ExitCode);
        Assert.Contains($"no network recorded in {NetworkDir}", down.StandardOutput, StringComparison.Ordinal);
    }

    private static ChildProcess StartSampleChaincode(string address, string packageId)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ZonCoin.Chaincode.Sample.dll")])
        {
            UseShellExecute = false,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
        };
        start.Environment["CHAINCODE_SERVER_ADDRESS"] = address;
        start.Environment["CHAINCODE_ID"] = packageId;
        return new ChildProcess(Process.Start(start)!);
    }

    /// <summary>A process the test started itself, killed when disposed.</summary>
    private sealed class ChildProcess(Process process) : IDisposable
    {
        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
            process.Dispose();
        }
    }
}
