using System.Text;
using Google.Protobuf;
using Grpc.Core;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Integration.Tests.Support;

/// <summary>
/// A whole network for the peer's end-to-end tests, built once per collection: its own consortium (Org1 and Org2 with
/// one peer each), a solo orderer, channel <c>e2e</c> (Org1, Org2; 200 ms batch timeout) joined by the orderer and
/// both peers through the CLI, and the C# sample chaincode served as <c>basic</c> 1.0, deployed with the real
/// <c>zoncoin chaincode deploy</c> under <c>AND('Org1MSP.peer','Org2MSP.peer')</c>.
/// </summary>
public class PeerNetwork : IAsyncLifetime
{
    public const string ChannelId = "e2e";
    public const string Chaincode = "basic";

    internal Consortium Consortium { get; } = new() { PeerOrgs = 2 };

    internal OrdererNode Orderer { get; private set; } = null!;

    internal PeerNode Peer1 { get; private set; } = null!;

    internal PeerNode Peer2 { get; private set; } = null!;

    internal ChaincodeHostNode Host { get; private set; } = null!;

    /// <summary>The sample chaincode's endorsement policy at deploy.</summary>
    protected virtual string EndorsementPolicy => "AND('Org1MSP.peer','Org2MSP.peer')";

    /// <summary>The sample chaincode's metadata folder for <c>--metadata-dir</c> (its state database indexes); none by default.</summary>
    protected virtual string? ChaincodeMetadataDirectory => null;

    /// <summary>Environment variables of peer 1 or 2 (its configuration beyond the flags); none by default.</summary>
    protected virtual IReadOnlyDictionary<string, string>? PeerEnvironment(int peer) => null;

    /// <summary>
    /// Extra orderer flags. By default Fabric's cutting (a batch that is not full waits for the 200 ms batch timeout):
    /// tests put several transactions in one block (conflicts within a block), which adaptive cutting, cutting each
    /// transaction that arrives alone, would make a matter of timing.
    /// </summary>
    protected virtual string[] OrdererArgs => ["--adaptive-cutting", "false"];

    /// <summary>The program peer 1 or 2 runs; the production peer by default.</summary>
    private protected virtual PeerProgramFile PeerProgram(int peer) => PeerProgramFile.Production;

    /// <summary>Whether the channel configuration names each org's peer (so a peer's gateway can reach the other org's).</summary>
    protected virtual bool AnchorPeers => true;

    /// <summary>The CLI output of the deploy.</summary>
    internal string DeployOutput { get; private set; } = "";

    internal OrgMaterial Org1 => Consortium.Orgs[0];

    internal OrgMaterial Org2 => Consortium.Orgs[1];

    public virtual async Task InitializeAsync()
    {
        await Consortium.InitializeAsync();
        Orderer = await OrdererNode.StartAsync(Consortium, tls: false, extraArgs: OrdererArgs);
        // The channel names each org's peer (its anchor peer), so each peer's own gateway finds the other org's.
        var (port1, port2) = (NodeProcess.FreePort(), NodeProcess.FreePort());
        var genesis = Consortium.Genesis(ChannelId, memberCount: 2, ordererEndpoints: [$"127.0.0.1:{Orderer.Port}"],
            anchorPeers: AnchorPeers ? new Dictionary<string, string> { [Org1.MspId] = $"127.0.0.1:{port1}", [Org2.MspId] = $"127.0.0.1:{port2}" } : null);
        var joined = await Orderer.JoinAsync(genesis);
        Assert.True(joined.ExitCode == 0, joined.Output);
        var peers = await Task.WhenAll(PeerNode.StartAsync(Consortium, Org1, environment: PeerEnvironment(1), program: PeerProgram(1), port: port1),
            PeerNode.StartAsync(Consortium, Org2, environment: PeerEnvironment(2), program: PeerProgram(2), port: port2));
        (Peer1, Peer2) = (peers[0], peers[1]);
        foreach (var peer in peers)
        {
            var result = await peer.JoinAsync(genesis);
            Assert.True(result.ExitCode == 0, $"peer join failed: {result.Output}\n{peer.Output}");
        }
        Host = new ChaincodeHostNode(Chaincode, "1.0");
        await Host.StartAsync();
        string[] metadata = ChaincodeMetadataDirectory is { } directory ? ["--metadata-dir", directory] : [];
        var deploy = await NodeProcess.RunAsync(Repo.CliDll, [.. DeployArgs("deploy", Host.Address, ["--policy", EndorsementPolicy, .. metadata])], null);
        DeployOutput = deploy.Output;
        Assert.True(deploy.ExitCode == 0, $"deploy failed: {deploy.Output}\npeer1:\n{Peer1.Output}\npeer2:\n{Peer2.Output}");
        ChaincodeConnectionsAfterDeploy = await Task.WhenAll(peers.Select(ChaincodeConnectionsAsync));
    }

    /// <summary>
    /// Each peer's <c>chaincode_connections</c> metric once the definition is committed, before any transaction ran:
    /// waits up to 10 s for it to reach 1, and returns what it was then (null: not reported).
    /// </summary>
    internal IReadOnlyList<long?> ChaincodeConnectionsAfterDeploy { get; private set; } = [];

    private static async Task<long?> ChaincodeConnectionsAsync(PeerNode peer)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var connections = await peer.ChaincodeConnectionsAsync();
        while (connections != 1 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
            connections = await peer.ChaincodeConnectionsAsync();
        }
        return connections;
    }

    /// <summary><c>zoncoin chaincode VERB</c> arguments for both orgs (each with its admin and its peer).</summary>
    internal IEnumerable<string> DeployArgs(string verb, string address, params string[] extra)
    {
        var args = new List<string>
        {
            "chaincode", verb, "--channel", ChannelId, "--name", Chaincode, "--version", "1.0", "--address", address,
            "--orderer", $"127.0.0.1:{Orderer.Port}",
        };
        foreach (var (org, peer) in new[] { (Org1, Peer1), (Org2, Peer2) })
        {
            args.AddRange(["--msp-id", org.MspId, "--admin-msp-dir", Path.Combine(org.UserDirectory("Admin"), "msp"), "--peer", peer.Endpoint]);
        }
        args.AddRange(extra);
        return args;
    }

    public virtual async Task DisposeAsync()
    {
        Host?.Dispose();
        foreach (var node in new IAsyncDisposable?[] { Peer1, Peer2, Orderer })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }
        await Consortium.DisposeAsync();
    }

    /// <summary>A signed proposal for the sample chaincode (or another) on the channel.</summary>
    internal static (SignedProposal Proposal, string TxId) Proposal(SigningIdentity signer, string function, params string[] args) =>
        Proposals.Create(ChaincodeInvocation.Of(ChannelId, Chaincode, function, args), signer);

    internal static async Task<ProposalResponse> ProcessAsync(PeerNode peer, SignedProposal proposal)
    {
        using var channel = peer.Connect();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = channel.CreateCallInvoker().AsyncUnaryCall(EndorserService.ProcessProposal, null, new CallOptions(cancellationToken: timeout.Token), proposal);
        return await call.ResponseAsync;
    }

    /// <summary>Endorses on the given peers and returns the signed transaction envelope (every response must succeed).</summary>
    internal static async Task<(Envelope Envelope, string TxId)> EndorseAsync(SigningIdentity signer, IReadOnlyList<PeerNode> peers, string function, params string[] args)
    {
        var (proposal, txId) = Proposal(signer, function, args);
        var responses = await Task.WhenAll(peers.Select(peer => ProcessAsync(peer, proposal)));
        foreach (var response in responses)
        {
            Assert.True(response.Response.Status == 200, $"{function}: {response.Response.Status} {response.Response.Message}");
        }
        return (Endorsements.Sign(Endorsements.CreateTransaction(Proposals.Unpack(proposal), responses), signer), txId);
    }

    /// <summary>Broadcasts envelopes back to back on one stream (so they share a block when sent within the batch timeout).</summary>
    internal async Task BroadcastAsync(params Envelope[] envelopes)
    {
        using var channel = RpcChannels.ForAddress(Orderer.Address);
        await using var session = new BroadcastSession(channel.CreateCallInvoker());
        var answers = envelopes.Select(envelope => session.SendAsync(envelope)).ToList();
        foreach (var answer in answers)
        {
            var response = await answer;
            Assert.True(response.Status == ZonCoin.Protos.Common.Status.Success, $"broadcast: {response.Status} {response.Info}");
        }
    }

    /// <summary>
    /// Waits (on the peer's Deliver, from block 0) until the transaction's <paramref name="occurrence"/>th copy is
    /// committed and returns its block and its TRANSACTIONS_FILTER code.
    /// </summary>
    internal async Task<(ulong Block, TxValidationCode Code)> WaitForTransactionAsync(PeerNode peer, string txId, int occurrence = 1)
    {
        using var channel = peer.Connect();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var request = DeliverRequests.Create(ChannelId, DeliverRequests.Range(DeliverRequests.Specified(0), DeliverRequests.Specified(ulong.MaxValue)), Org1.User());
        var seen = 0;
        try
        {
            await foreach (var response in PeerDeliverClient.ReadAsync(channel.CreateCallInvoker(), PeerDeliverService.Deliver, request, timeout.Token))
            {
                Assert.True(response.TypeCase == DeliverResponse.TypeOneofCase.Block, $"deliver ended: {response.Status}");
                var block = response.Block;
                var filter = block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter];
                for (var i = 0; i < block.Data.Data.Count; i++)
                {
                    if (Envelopes.Unpack(block.Data.Data[i]).ChannelHeader.TxId == txId && ++seen == occurrence)
                    {
                        return (block.Header.Number, (TxValidationCode)filter[i]);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        throw new TimeoutException($"transaction {txId} (copy {occurrence}) was not committed on {peer}:\n{peer.Output}");
    }

    /// <summary>Evaluates a function on one peer and returns its payload as text (status 200 required).</summary>
    internal async Task<string> EvaluateAsync(PeerNode peer, string function, params string[] args)
    {
        var response = await ProcessAsync(peer, Proposal(Org1.User(), function, args).Proposal);
        Assert.True(response.Response.Status == 200, $"{function} on {peer}: {response.Response.Status} {response.Response.Message}");
        return response.Response.Payload.ToStringUtf8();
    }

    /// <summary>
    /// Waits until both peers have committed <paramref name="blockNumber"/>. A gateway's commit status speaks for its own
    /// peer only; a test that endorses on both orgs straight after a commit must wait for the other peer too, or the
    /// endorsements can disagree (as they would on Fabric).
    /// </summary>
    internal async Task WaitForBothPeersAsync(ulong blockNumber)
    {
        foreach (var peer in new[] { Peer1, Peer2 })
        {
            for (var attempt = 0; (await peer.LedgerHeightAsync(ChannelId) ?? 0) <= blockNumber; attempt++)
            {
                Assert.True(attempt < 600, $"{peer} did not commit block {blockNumber}:\n{peer.Output}");
                await Task.Delay(50);
            }
        }
    }

    internal static string NewId() => "asset-" + Guid.NewGuid().ToString("N")[..8];

    internal static string Utf8(ByteString bytes) => Encoding.UTF8.GetString(bytes.Span);
}

[CollectionDefinition(Name)]
public sealed class PeerNetworkCollectionDefinition : ICollectionFixture<PeerNetwork>
{
    public const string Name = "PeerNetwork";
}
