using System.Text.Json.Nodes;
using Google.Protobuf;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;

namespace ZonCoin.Cli.Tests;

/// <summary>The README's workflow, run as a new user would: crypto generate → channel genesis → inspect.</summary>
public sealed class CliWorkflowTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("zoncoin-cli-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string PathOf(params string[] parts) => Path.Combine([_dir.FullName, .. parts]);

    private void Generate(string org, string mspId, params string[] extra)
    {
        var result = CliProcess.Run(["crypto", "generate", "--org", org, "--msp-id", mspId, "--out", PathOf("crypto", org.ToLowerInvariant()), .. extra]);
        Assert.True(result.ExitCode == 0, result.StandardError);
    }

    // MSP folders come from --crypto-dir (crypto/<org>/msp), except Org2's, named by its 'msp' setting.
    private void WriteTopology(string type = "solo") => File.WriteAllText(PathOf("network.yaml"), $$"""
        organizations:
          - name: Orderer
            mspId: OrdererMSP
            orderers: [ { name: orderer0, port: 7050 } ]
          - name: Org1
            mspId: Org1MSP
            peers: [ { name: peer0, port: 7051 } ]
            gateway: { port: 7053 }
          - name: Org2
            mspId: Org2MSP
            msp: crypto/org2/msp
            peers: [ { name: peer0, port: 8051, stateDatabase: postgres } ]
            gateway: { port: 8053 }
        ordering:
          type: {{type}}
          batchTimeout: 500ms
          maxMessageCount: 10
        channels:
          - name: supplychain
            organizations: [Org1, Org2]
        """);

    [Fact]
    public void Crypto_generate_writes_msp_folders_that_core_loads_with_the_right_roles()
    {
        Generate("Org1", "Org1MSP", "--peers", "2", "--orderers", "1", "--users", "2");
        var org = PathOf("crypto", "org1");
        var msp = Msp.Create(MspDirectory.LoadDefinition(Path.Combine(org, "msp"), "Org1MSP"));
        Assert.True(msp.NodeOusEnabled);

        var expectations = new Dictionary<string, NodeRole>
        {
            [Path.Combine("peers", "peer0.org1.zoncoin.local")] = NodeRole.Peer,
            [Path.Combine("peers", "peer1.org1.zoncoin.local")] = NodeRole.Peer,
            [Path.Combine("orderers", "orderer0.org1.zoncoin.local")] = NodeRole.Orderer,
            [Path.Combine("users", "Admin@org1.zoncoin.local")] = NodeRole.Admin,
            [Path.Combine("users", "User1@org1.zoncoin.local")] = NodeRole.Client,
            [Path.Combine("users", "User2@org1.zoncoin.local")] = NodeRole.Client,
        };
        foreach (var (node, role) in expectations)
        {
            var signer = MspDirectory.LoadSigningIdentity(Path.Combine(org, node, "msp"), "Org1MSP");
            var identity = msp.Deserialize(signer.Creator);
            msp.Validate(identity, DateTimeOffset.UtcNow);
            Assert.Equal(role, msp.RoleOf(identity));
            Assert.True(identity.Verify("x"u8, signer.Sign("x"u8)));
            Assert.True(File.Exists(Path.Combine(org, node, "tls", "ca.crt")));
        }
        var tls = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(
            Path.Combine(org, "peers", "peer0.org1.zoncoin.local", "tls", "server.crt"),
            Path.Combine(org, "peers", "peer0.org1.zoncoin.local", "tls", "server.key"));
        Assert.True(tls.MatchesHostname("localhost"));
        Assert.True(tls.MatchesHostname("127.0.0.1"));
        Assert.True(tls.MatchesHostname("peer0.org1.zoncoin.local"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(org, "ca", "ca-key.pem")));
        }
    }

    [Fact]
    public void Crypto_generate_refuses_to_overwrite_existing_keys()
    {
        Generate("Org1", "Org1MSP");
        var key = File.ReadAllText(PathOf("crypto", "org1", "ca", "ca-key.pem"));
        var again = CliProcess.Run("crypto", "generate", "--org", "Org1", "--msp-id", "Org1MSP", "--out", PathOf("crypto", "org1"));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.StandardError, StringComparison.Ordinal);
        Assert.Equal(key, File.ReadAllText(PathOf("crypto", "org1", "ca", "ca-key.pem")));
    }

    [Fact]
    public void Genesis_then_inspect_shows_the_channel_config_with_both_orgs_and_default_policies()
    {
        Generate("Orderer", "OrdererMSP", "--peers", "0", "--orderers", "1");
        Generate("Org1", "Org1MSP");
        Generate("Org2", "Org2MSP");
        WriteTopology();

        var genesis = CliProcess.Run("channel", "genesis", "--topology", PathOf("network.yaml"), "--channel", "supplychain", "--out", PathOf("supplychain.block"),
            "--crypto-dir", PathOf("crypto"));
        Assert.True(genesis.ExitCode == 0, genesis.StandardError);

        var block = Blocks.Parse(File.ReadAllBytes(PathOf("supplychain.block")));
        Assert.Equal(0UL, block.Header.Number);
        Assert.True(Blocks.HasValidDataHash(block));
        Assert.Equal(Blocks.MetadataSlots, block.Metadata.Metadata.Count);
        var config = ConfigUpdates.ReadConfig(Envelopes.Unpack(block.Data.Data[0])).Config;
        Assert.Equal("supplychain", config.ChannelId);
        Assert.Equal(["Org1MSP", "Org2MSP"], config.Application.Organizations.Select(o => o.MspId));
        Assert.Equal("OrdererMSP", Assert.Single(config.Orderer.Organizations).MspId);
        Assert.Equal("127.0.0.1:7050", Assert.Single(config.Orderer.Organizations[0].OrdererEndpoints));
        Assert.Equal(["127.0.0.1:8051"], config.Application.Organizations[1].PeerEndpoints);
        Assert.Equal(["127.0.0.1:8053"], config.Application.Organizations[1].GatewayEndpoints);
        Assert.Equal(10u, config.Orderer.BatchSize.MaxMessageCount);
        Assert.Equal(TimeSpan.FromMilliseconds(500), config.Orderer.BatchTimeout.ToTimeSpan());
        Assert.Contains("Endorsement", config.Application.Policies.Keys);
        Assert.Contains("BlockValidation", config.Orderer.Policies.Keys);

        var inspect = CliProcess.Run("inspect", PathOf("supplychain.block"));
        Assert.True(inspect.ExitCode == 0, inspect.StandardError);
        var json = JsonNode.Parse(inspect.StandardOutput)!;
        var payload = json["data"]!["data"]![0]!["payload"]!;
        Assert.Equal("CONFIG", payload["header"]!["channel_header"]!["type_name"]!.GetValue<string>());
        Assert.Equal("supplychain", payload["header"]!["channel_header"]!["channel_id"]!.GetValue<string>());
        Assert.Equal("Org1MSP", payload["data"]!["config"]!["application"]!["organizations"]![0]!["msp_id"]!.GetValue<string>());
        Assert.Equal("VALID", json["metadata"]!["metadata"]![2]!["value"]![0]!.GetValue<string>());
    }

    [Fact]
    public void Inspect_decodes_an_endorser_transaction_envelope()
    {
        Generate("Org1", "Org1MSP");
        var client = MspDirectory.LoadSigningIdentity(PathOf("crypto", "org1", "users", "User1@org1.zoncoin.local", "msp"), "Org1MSP");
        var peer = MspDirectory.LoadSigningIdentity(PathOf("crypto", "org1", "peers", "peer0.org1.zoncoin.local", "msp"), "Org1MSP");
        var (signed, txId) = Proposals.Create(ChaincodeInvocation.Of("zoncoin", "zoncoin", "Transfer", "bob", "5"), client);
        var proposal = Proposals.Unpack(signed);
        var result = new SimulationResult(
            new ZonCoin.Protos.Peer.ChaincodeID { Name = "zoncoin", Version = "1" },
            new ZonCoin.Protos.Peer.Response { Status = 200, Payload = ByteString.CopyFromUtf8("ok") },
            ByteString.Empty, null);
        var envelope = Endorsements.Sign(Endorsements.CreateTransaction(proposal, [Endorsements.Endorse(proposal, result, peer)]), client);
        File.WriteAllBytes(PathOf("tx.envelope"), envelope.ToByteArray());

        var inspect = CliProcess.Run("inspect", PathOf("tx.envelope"));
        Assert.True(inspect.ExitCode == 0, inspect.StandardError);
        var payload = JsonNode.Parse(inspect.StandardOutput)!["payload"]!;
        Assert.Equal(txId, payload["header"]!["channel_header"]!["tx_id"]!.GetValue<string>());
        Assert.Equal("Org1MSP", payload["header"]!["signature_header"]!["creator"]!["mspid"]!.GetValue<string>());
        var action = payload["data"]!["actions"]![0]!["payload"]!["action"]!;
        Assert.Equal("ok", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(
            action["proposal_response_payload"]!["extension"]!["response"]!["payload"]!.GetValue<string>())));
        Assert.Equal("Org1MSP", action["endorsements"]![0]!["endorser"]!["mspid"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(new byte[] { 0xff, 0xff, 0xff })]
    [InlineData(new byte[] { 0x0a, 0x7f, 0x01 })]
    [InlineData(new byte[0])]
    public void Inspect_reports_garbage_files_clearly(byte[] bytes)
    {
        File.WriteAllBytes(PathOf("garbage.bin"), bytes);
        var result = CliProcess.Run("inspect", PathOf("garbage.bin"));
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Genesis_reports_topology_problems_clearly()
    {
        File.WriteAllText(PathOf("network.yaml"), "organizations: [ {name: O, mspId: OMSP, msp: nowhere/msp, orderers: [{name: o0, port: 7050}]}, "
            + "{name: A, mspId: AMSP, msp: nowhere/msp, peers: [{name: p0, port: 7051}], gateway: {port: 7053}} ]\nchannels: [ {name: ch, organizations: [A]} ]\n");
        var missingMsp = CliProcess.Run("channel", "genesis", "--topology", PathOf("network.yaml"), "--channel", "ch", "--out", PathOf("ch.block"));
        Assert.Equal(1, missingMsp.ExitCode);
        Assert.Contains("does not exist", missingMsp.StandardError, StringComparison.Ordinal);

        var unknown = CliProcess.Run("channel", "genesis", "--topology", PathOf("network.yaml"), "--channel", "nope", "--out", PathOf("ch.block"));
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("channel 'nope' is not defined", unknown.StandardError, StringComparison.Ordinal);

        File.WriteAllText(PathOf("bad.yaml"), "organizations: [ {name: A\n");
        var badYaml = CliProcess.Run("channel", "genesis", "--topology", PathOf("bad.yaml"), "--channel", "ch", "--out", PathOf("ch.block"));
        Assert.Equal(1, badYaml.ExitCode);
        Assert.Contains("bad.yaml", badYaml.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("ch.block")));
    }

    [Fact]
    public void Missing_required_options_are_usage_errors()
    {
        var result = CliProcess.Run("crypto", "generate", "--org", "Org1");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--msp-id", result.StandardError + result.StandardOutput, StringComparison.Ordinal);
    }
}
