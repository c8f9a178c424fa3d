using System.Diagnostics;
using ZonCoin.Core.Protocol;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// The other chaincode transport: unmodified Node chaincode started with <c>fabric-chaincode-node start
/// --peer.address</c> dials the peer's <c>/protos.ChaincodeSupport/Register</c>, registers under the package id of
/// its definition, and serves that peer's transactions.
/// </summary>
[Collection(PeerNetworkCollectionDefinition.Name)]
public sealed class NodeChaincodeDialInTests : IAsyncLifetime
{
    private const string Name = "asset-dialin";
    private const string Version = "1.0";
    private const string UnusedAddress = "127.0.0.1:9";
    private readonly PeerNetwork _network;
    private Process? _chaincode;

    public NodeChaincodeDialInTests(PeerNetwork network)
    {
        _network = network;
    }

    public async Task InitializeAsync()
    {
        var args = _network.DeployArgs("deploy", UnusedAddress, "--policy", "OR('Org1MSP.peer','Org2MSP.peer')").ToList();
        args[args.IndexOf("--name") + 1] = Name;
        var (exitCode, output) = await NodeProcess.RunAsync(Repo.CliDll, [.. args], null);
        Assert.True(exitCode == 0, $"deploy failed: {output}");

        var interop = Repo.InteropDirectory;
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = interop };
        foreach (var arg in new[]
        {
            Path.Combine(interop, "node_modules", "fabric-shim", "cli.js"), "start",
            "--peer.address", _network.Peer1.Endpoint,
            "--chaincode-id-name", ChaincodePackageIds.Compute(Name, Version, UnusedAddress),
            "--module-path", Path.Combine(interop, "chaincode", "asset-node"),
        })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["CORE_PEER_LOCALMSPID"] = _network.Org1.MspId;
        _chaincode = Process.Start(start)!;
        _chaincode.OutputDataReceived += (_, _) => { };
        _chaincode.ErrorDataReceived += (_, _) => { };
        _chaincode.BeginOutputReadLine();
        _chaincode.BeginErrorReadLine();
    }

    public Task DisposeAsync()
    {
        if (_chaincode is { HasExited: false })
        {
            _chaincode.Kill(entireProcessTree: true);
            _chaincode.WaitForExit();
        }
        _chaincode?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_node_chaincode_that_dials_the_peer_serves_its_transactions()
    {
        var id = PeerNetwork.NewId();
        ProposalResponse response;
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // The chaincode process dials in on its own schedule: until it has registered, the peer reports it cannot reach it.
        while (true)
        {
            response = await PeerNetwork.ProcessAsync(_network.Peer1, Proposal("CreateAsset", id, "green", "dave", "7").Proposal);
            if (response.Response.Status == 200 || guard.IsCancellationRequested)
            {
                break;
            }
            Assert.False(_chaincode!.HasExited, "the Node chaincode exited");
            await Task.Delay(200, CancellationToken.None);
        }
        Assert.True(response.Response.Status == 200, $"{response.Response.Status} {response.Response.Message}");

        var (proposal, txId) = Proposal("CreateAsset", PeerNetwork.NewId(), "red", "erin", "3");
        var endorsed = await PeerNetwork.ProcessAsync(_network.Peer1, proposal);
        Assert.Equal(200, endorsed.Response.Status);
        var envelope = Endorsements.Sign(Endorsements.CreateTransaction(Proposals.Unpack(proposal), [endorsed]), _network.Org1.User());
        await _network.BroadcastAsync(envelope);
        Assert.Equal(TxValidationCode.Valid, (await _network.WaitForTransactionAsync(_network.Peer1, txId)).Code);

        var read = await PeerNetwork.ProcessAsync(_network.Peer1, Proposal("WhoAmI").Proposal);
        Assert.Equal(200, read.Response.Status);
        Assert.Contains("Org1MSP", read.Response.Payload.ToStringUtf8(), StringComparison.Ordinal);
    }

    private (SignedProposal Proposal, string TxId) Proposal(string function, params string[] args) =>
        Proposals.Create(ChaincodeInvocation.Of(PeerNetwork.ChannelId, Name, function, args), _network.Org1.User());
}
