using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ZonCoin.Gateway.Client;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Protos.Peer;
using GatewayClient = ZonCoin.Gateway.Client.Gateway;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// The gateway with TLS everywhere, in a one-org network of its own: a TLS orderer and a TLS peer (mutual TLS), the
/// sample chaincode deployed over TLS by the real <c>zoncoin chaincode deploy</c> under the channel's default
/// endorsement policy (<c>/Channel/Application/Endorsement</c>, MAJORITY of the orgs' Endorsement policies), and a
/// gateway started with <c>--tls-dir</c> (the peer's TLS folder). An application connects over TLS trusting the org's
/// TLS CA, submits and evaluates: TLS from applications to the gateway and mutual TLS from the gateway to the peer
/// (endorsing, deliver for commit status) and to the orderer (broadcast). Then Fabric's official Node client, pointed at
/// the peer (its own gateway) with TLS and no client certificate, submits and evaluates.
/// </summary>
[Collection(ConsortiumCollectionDefinition.Name)]
public sealed class GatewayTlsTests : IAsyncLifetime
{
    private const string ChannelId = "tls-gateway";
    private const string Chaincode = "basic";
    private readonly Consortium _consortium = new() { PeerOrgs = 1 };

    public Task InitializeAsync() => _consortium.InitializeAsync();

    public Task DisposeAsync() => _consortium.DisposeAsync();

    [Fact]
    public async Task An_application_submits_and_evaluates_through_a_tls_gateway_in_front_of_tls_peers_and_orderers()
    {
        var org = _consortium.Orgs[0];
        await using var orderer = await OrdererNode.StartAsync(_consortium, tls: true);
        var genesis = _consortium.Genesis(ChannelId, memberCount: 1, ordererEndpoints: [$"127.0.0.1:{orderer.Port}"]);
        var ordererJoined = await orderer.JoinAsync(genesis);
        Assert.True(ordererJoined.ExitCode == 0, ordererJoined.Output);
        await using var peer = await PeerNode.StartAsync(_consortium, org, tls: true);
        var joined = await peer.JoinAsync(genesis);
        Assert.True(joined.ExitCode == 0, joined.Output);

        using var host = new ChaincodeHostNode(Chaincode, "1.0");
        await host.StartAsync();
        var adminTls = Path.Combine(org.UserDirectory("Admin"), "tls");
        var deploy = await NodeProcess.RunAsync(Repo.CliDll,
        [
            "chaincode", "deploy", "--channel", ChannelId, "--name", Chaincode, "--version", "1.0", "--address", host.Address,
            "--orderer", $"127.0.0.1:{orderer.Port}",
            "--msp-id", org.MspId, "--admin-msp-dir", Path.Combine(org.UserDirectory("Admin"), "msp"), "--peer", peer.Endpoint,
            "--ca-file", peer.TlsCaFile, "--ca-file", orderer.TlsCaFile,
            "--client-cert", Path.Combine(adminTls, "client.crt"), "--client-key", Path.Combine(adminTls, "client.key"),
        ], null);
        Assert.True(deploy.ExitCode == 0, $"deploy over TLS failed: {deploy.Output}\npeer:\n{peer.Output}\norderer:\n{orderer.Output}");

        await using var gateway = await GatewayNode.StartTlsAsync(org, [peer.Endpoint], Path.Combine(org.PeerDirectory(0), "tls"));
        using var channel = gateway.Connect();
        var user = Path.Combine(org.UserDirectory("User1"), "msp");
        using var client = org.ConnectGateway(channel);
        var contract = client.GetNetwork(ChannelId).GetContract(Chaincode);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var id = "asset-" + Guid.NewGuid().ToString("N")[..8];

        try
        {
            var proposal = contract.NewProposal("CreateAsset", ProposalOptions.WithArguments(id, "blue", "5", "Tom", "500"));
            var transaction = await proposal.EndorseAsync(deadline.Token);
            Assert.Equal(id, JsonDocument.Parse(transaction.Result).RootElement.GetProperty("ID").GetString());
            var submitted = await transaction.SubmitAsync(deadline.Token);
            var status = await submitted.GetStatusAsync(deadline.Token);
            Assert.True(status.Successful, $"commit status {status.Code}");
            Assert.Equal(TxValidationCode.Valid, status.Code);

            var read = await contract.EvaluateTransactionAsync("ReadAsset", id).WaitAsync(deadline.Token);
            Assert.Equal("Tom", JsonDocument.Parse(read).RootElement.GetProperty("Owner").GetString());
            Assert.Equal("true", Encoding.UTF8.GetString(await contract.EvaluateTransactionAsync("AssetExists", id).WaitAsync(deadline.Token)));
        }
        catch (Exception ex) when (ex is GatewayException or OperationCanceledException or TimeoutException)
        {
            Assert.Fail($"{ex}\ngateway:\n{gateway.Output}\npeer:\n{peer.Output}\norderer:\n{orderer.Output}");
        }

        // Fabric's official client pointed at the peer itself, as Fabric's samples connect: TLS trusting the org's TLS
        // CA, no client certificate; the peer's own gateway endorses, submits and waits for the commit.
        var request = new JsonObject
        {
            ["endpoint"] = peer.Endpoint,
            ["tlsRootCertPath"] = peer.TlsCaFile,
            ["mspId"] = org.MspId,
            ["certPath"] = Directory.GetFiles(Path.Combine(user, "signcerts")).Single(),
            ["keyPath"] = Directory.GetFiles(Path.Combine(user, "keystore")).Single(),
            ["channel"] = ChannelId,
            ["steps"] = new JsonArray(
                Step("submit", "TransferAsset", id, "Ida"),
                Step("evaluate", "ReadAsset", id)),
        };
        var file = Path.Combine(_consortium.NewDirectory("peer-gateway"), "request.json");
        await File.WriteAllTextAsync(file, request.ToJsonString());
        var steps = Assert.Single(await NodeTool.RunAsync("gateway-client.js", [file])).GetProperty("steps").EnumerateArray().ToList();
        Assert.False(steps[0].TryGetProperty("error", out var submitError), $"submit through the peer failed: {submitError}\npeer:\n{peer.Output}");
        Assert.True(steps[1].TryGetProperty("result", out var result), $"evaluate through the peer failed: {steps[1]}");
        Assert.Equal("Ida", JsonDocument.Parse(result.GetString()!).RootElement.GetProperty("Owner").GetString());
    }

    private static JsonObject Step(string op, string function, params string[] args) => new()
    {
        ["op"] = op,
        ["chaincode"] = Chaincode,
        ["fn"] = function,
        ["args"] = new JsonArray([.. args.Select(a => (JsonNode)a)]),
    };
}
