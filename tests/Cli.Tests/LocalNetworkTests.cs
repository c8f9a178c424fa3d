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
        Assert.True(up.ExitCode == 0, up.StandardOutput + up.StandardError);
        Assert.Contains("network 'zoncoin-local' is up (TLS)", up.StandardOutput, StringComparison.Ordinal);
        var state = NetworkState.Load(NetworkDir);
        Assert.True(state.Tls);
        Assert.Equal(
            ["postgres", "orderer0.orderer",
             "peer0.amazon", "chaincode.zoncoin.amazon", "chaincode.supplychain.amazon", "gateway.amazon",
             "peer0.manufacturer", "chaincode.zoncoin.manufacturer", "chaincode.supplychain.manufacturer", "gateway.manufacturer",
             "peer0.distributor", "chaincode.zoncoin.distributor", "chaincode.supplychain.distributor", "gateway.distributor"],
            state.Services.Select(s => s.Name));
        Assert.All(state.Services, s => Assert.True(ConsortiumNetwork.IsAlive(s), $"{s.Name} (pid {s.Pid}) is not running"));
        Assert.All(state.Services.Where(s => s.Kind != "postgres"), s => Assert.True(File.Exists(s.Log), s.Log));
        // Each org's peer dials its own org's chaincode host.
        Assert.Equal(state.Services.Single(s => s.Name == "chaincode.zoncoin.distributor").Endpoint,
            state.Services.Single(s => s.Name == "peer0.distributor").Environment["Peer__ChaincodeAddresses__zoncoin"]);

        // Both contracts answer through each org's gateway, with the written profiles (TLS).
        var amazonAccount = "";
        foreach (var org in Orgs)
        {
            var profile = ConnectionProfile.Load(Path.Combine(NetworkDir, "connections", $"{org}.json"));
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
        Assert.True(again.ExitCode == 0, again.StandardOutput + again.StandardError);
        Assert.DoesNotContain("started ", again.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("all 14 services were already running", again.StandardOutput, StringComparison.Ordinal);
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

        var sampleAddress = $"127.0.0.1:{_folder.FreePort()}";
        using var sample = StartSampleChaincode(sampleAddress, ChaincodePackageIds.Compute("mycc", "1.0", sampleAddress));
        var deploy = CliProcess.RunWith(local, "chaincode", "deploy", "--channel", "supplychain", "--name", "mycc", "--version", "1.0", "--address", sampleAddress);
        Assert.True(deploy.ExitCode == 0, deploy.StandardOutput + deploy.StandardError);
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
        Assert.True(demo.ExitCode == 0, demo.StandardOutput + demo.StandardError);
        Assert.Contains("all 14 services were already running", demo.StandardOutput, StringComparison.Ordinal);
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
