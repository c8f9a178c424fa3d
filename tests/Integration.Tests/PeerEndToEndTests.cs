using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Core;
using ZonCoin.Core.Protocol;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// Orderer (solo) + a peer of Org1 and of Org2 + the C# sample chaincode as a service, deployed with the real CLI
/// (see <see cref="PeerNetwork"/>): endorse on both peers, order, validate and commit, and the validation codes of
/// Fabric's committer for bad transactions; bad proposals and a crashed chaincode host.
/// </summary>
[Collection(PeerNetworkCollectionDefinition.Name)]
public sealed class PeerEndToEndTests
{
    private readonly PeerNetwork _network;

    public PeerEndToEndTests(PeerNetwork network)
    {
        _network = network;
    }

    private PeerNode[] BothPeers => [_network.Peer1, _network.Peer2];

    [Fact]
    public async Task Deploy_prints_the_package_id_last_and_the_definition_is_listed()
    {
        var lines = _network.DeployOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(_network.Host.PackageId, lines[^1]);
        var list = await NodeProcess.RunAsync(Repo.CliDll, "chaincode", "list", "--channel", PeerNetwork.ChannelId, "--msp-id", _network.Org1.MspId,
            "--admin-msp-dir", Path.Combine(_network.Org1.UserDirectory("Admin"), "msp"), "--peer", _network.Peer1.Endpoint);
        Assert.True(list.ExitCode == 0, list.Output);
        Assert.Contains("Name: basic, Version: 1.0, Sequence: 1", list.Output, StringComparison.Ordinal);
        Assert.Contains(_network.Host.PackageId, list.Output, StringComparison.Ordinal);
        var peers = await _network.Peer2.ListAsync(PeerNetwork.ChannelId);
        Assert.True(peers.ExitCode == 0, peers.Output);
        Assert.Contains(_network.Host.PackageId, peers.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_peer_connects_to_the_chaincode_once_its_definition_commits_before_any_transaction()
    {
        Assert.Equal([1L, 1L], _network.ChaincodeConnectionsAfterDeploy);
    }

    [Fact]
    public async Task A_transaction_endorsed_by_both_orgs_commits_the_same_state_on_both_peers()
    {
        var id = PeerNetwork.NewId();
        var (envelope, txId) = await PeerNetwork.EndorseAsync(_network.Org1.User(), BothPeers, "CreateAsset", id, "blue", "5", "alice", "300");
        await _network.BroadcastAsync(envelope);
        var onPeer1 = await _network.WaitForTransactionAsync(_network.Peer1, txId);
        var onPeer2 = await _network.WaitForTransactionAsync(_network.Peer2, txId);
        Assert.Equal(TxValidationCode.Valid, onPeer1.Code);
        Assert.Equal(onPeer1, onPeer2);

        var asset1 = await _network.EvaluateAsync(_network.Peer1, "ReadAsset", id);
        var asset2 = await _network.EvaluateAsync(_network.Peer2, "ReadAsset", id);
        Assert.Equal(asset1, asset2);
        Assert.Contains("\"Owner\":\"alice\"", asset1, StringComparison.Ordinal);

        // The same block (filter included) on both ledgers.
        var block1 = await ReadBlockAsync(_network.Peer1, onPeer1.Block);
        var block2 = await ReadBlockAsync(_network.Peer2, onPeer1.Block);
        Assert.Equal(block1.Header, block2.Header);
        Assert.Equal(block1.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter], block2.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter]);

        // The operations endpoint reports what happened.
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{_network.Peer1.OperationsPort}/metrics"));
        Assert.Contains($"ledger_height{{channel=\"{PeerNetwork.ChannelId}\"}}", metrics, StringComparison.Ordinal);
        Assert.Contains($"ledger_transactions_total{{channel=\"{PeerNetwork.ChannelId}\",validation_code=\"Valid\"}}", metrics, StringComparison.Ordinal);
        Assert.Contains("endorser_proposals_total{status=\"200\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("ledger_block_validation_duration_count", metrics, StringComparison.Ordinal);
        Assert.Contains("ledger_block_commit_duration_count", metrics, StringComparison.Ordinal);
        Assert.Contains("chaincode_connections 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_transaction_endorsed_by_one_org_only_is_an_endorsement_policy_failure()
    {
        var id = PeerNetwork.NewId();
        var (envelope, txId) = await PeerNetwork.EndorseAsync(_network.Org1.User(), [_network.Peer1], "CreateAsset", id, "red", "1", "bob", "10");
        await _network.BroadcastAsync(envelope);
        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, (await _network.WaitForTransactionAsync(_network.Peer1, txId)).Code);
        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, (await _network.WaitForTransactionAsync(_network.Peer2, txId)).Code);
        var exists = await _network.EvaluateAsync(_network.Peer2, "AssetExists", id);
        Assert.Equal("false", exists);
    }

    [Fact]
    public async Task Two_transactions_on_the_same_key_in_one_block_the_second_is_an_mvcc_read_conflict()
    {
        var id = await CreateAssetAsync();
        var first = await PeerNetwork.EndorseAsync(_network.Org1.User(), BothPeers, "TransferAsset", id, "carol");
        var second = await PeerNetwork.EndorseAsync(_network.Org2.User(), BothPeers, "TransferAsset", id, "dave");
        await _network.BroadcastAsync(first.Envelope, second.Envelope);
        var one = await _network.WaitForTransactionAsync(_network.Peer1, first.TxId);
        var two = await _network.WaitForTransactionAsync(_network.Peer1, second.TxId);
        Assert.Equal(TxValidationCode.Valid, one.Code);
        Assert.Equal(TxValidationCode.MvccReadConflict, two.Code);
        Assert.Equal(one.Block, two.Block);
        Assert.Equal(two, await _network.WaitForTransactionAsync(_network.Peer2, second.TxId));
        Assert.Contains("\"Owner\":\"carol\"", await _network.EvaluateAsync(_network.Peer2, "ReadAsset", id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replayed_transaction_is_a_duplicate_txid()
    {
        var id = PeerNetwork.NewId();
        var (envelope, txId) = await PeerNetwork.EndorseAsync(_network.Org1.User(), BothPeers, "CreateAsset", id, "green", "2", "erin", "20");
        await _network.BroadcastAsync(envelope);
        Assert.Equal(TxValidationCode.Valid, (await _network.WaitForTransactionAsync(_network.Peer1, txId)).Code);
        await _network.BroadcastAsync(envelope);
        Assert.Equal(TxValidationCode.DuplicateTxid, (await _network.WaitForTransactionAsync(_network.Peer1, txId, occurrence: 2)).Code);
        Assert.Equal(TxValidationCode.DuplicateTxid, (await _network.WaitForTransactionAsync(_network.Peer2, txId, occurrence: 2)).Code);
    }

    [Fact]
    public async Task A_range_read_with_a_conflicting_insert_earlier_in_the_block_is_a_phantom_read_conflict()
    {
        await CreateAssetAsync();
        var range = await PeerNetwork.EndorseAsync(_network.Org1.User(), BothPeers, "GetAllAssets");
        var insert = await PeerNetwork.EndorseAsync(_network.Org2.User(), BothPeers, "CreateAsset", PeerNetwork.NewId(), "black", "3", "frank", "30");
        await _network.BroadcastAsync(insert.Envelope, range.Envelope);
        var inserted = await _network.WaitForTransactionAsync(_network.Peer1, insert.TxId);
        var ranged = await _network.WaitForTransactionAsync(_network.Peer1, range.TxId);
        Assert.Equal(TxValidationCode.Valid, inserted.Code);
        Assert.Equal(TxValidationCode.PhantomReadConflict, ranged.Code);
        Assert.Equal(inserted.Block, ranged.Block);
    }

    [Fact]
    public async Task Bad_proposals_are_refused_with_a_reason_and_the_peer_keeps_serving()
    {
        var user = _network.Org1.User();
        var peer = _network.Peer1;

        var (good, _) = PeerNetwork.Proposal(user, "AssetExists", "x");
        var badSignature = good.Clone();
        var signature = badSignature.Signature.ToByteArray();
        signature[^1] ^= 0x55;
        badSignature.Signature = ByteString.CopyFrom(signature);
        await AssertRefusedAsync(peer, badSignature, "access denied");

        await AssertRefusedAsync(peer, WithTxId(good, "0123abcd", user), "txid");

        var (otherChannel, _) = Proposals.Create(ChaincodeInvocation.Of("nosuchchannel", PeerNetwork.Chaincode, "AssetExists", "x"), user);
        await AssertFailedAsync(peer, otherChannel, "channel 'nosuchchannel' not found");

        var (otherChaincode, _) = Proposals.Create(ChaincodeInvocation.Of(PeerNetwork.ChannelId, "nosuchcc", "AssetExists", "x"), user);
        await AssertFailedAsync(peer, otherChaincode, "chaincode nosuchcc not found");

        var (outsider, _) = PeerNetwork.Proposal(_network.Consortium.Orgs[2].User(), "AssetExists", "x");
        await AssertRefusedAsync(peer, outsider, "access denied");

        await AssertRefusedAsync(peer, new SignedProposal { ProposalBytes = ByteString.CopyFromUtf8("not a proposal"), Signature = ByteString.CopyFrom([1, 2, 3]) }, "error validating proposal");

        // An undecodable gRPC frame: a gRPC error, not a crash.
        using (var http = new HttpClient(new SocketsHttpHandler()))
        {
            var frame = new byte[] { 0, 0, 0, 0, 4, 0x0A, 0xFF, 0xFF, 0x7F };
            using var content = new ByteArrayContent(frame);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://{peer.Endpoint}/protos.Endorser/ProcessProposal"))
            {
                Content = content,
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            request.Headers.TryAddWithoutValidation("te", "trailers");
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            var status = response.TrailingHeaders.TryGetValues("grpc-status", out var values) ? values.First()
                : response.Headers.TryGetValues("grpc-status", out var headerValues) ? headerValues.First() : null;
            Assert.True(status is not null, $"HTTP {(int)response.StatusCode}, headers {response.Headers}, trailers {response.TrailingHeaders}, body {Convert.ToHexString(body)}");
            Assert.NotEqual("0", status);
        }

        Assert.Equal("false", await _network.EvaluateAsync(peer, "AssetExists", PeerNetwork.NewId()));
        Assert.False(peer.HasExited);
    }

    [Fact]
    public async Task A_killed_chaincode_host_fails_proposals_clearly_until_it_is_back()
    {
        var id = await CreateAssetAsync();
        _network.Host.Kill();
        var (proposal, _) = PeerNetwork.Proposal(_network.Org1.User(), "ReadAsset", id);
        var failed = await PeerNetwork.ProcessAsync(_network.Peer1, proposal);
        Assert.Equal(500, failed.Response.Status);
        Assert.Contains("chaincode", failed.Response.Message, StringComparison.OrdinalIgnoreCase);

        // The peer keeps serving what does not need the chaincode.
        var (query, _) = Proposals.Create(ChaincodeInvocation.Of(PeerNetwork.ChannelId, "_lifecycle", "QueryChaincodeDefinitions"), _network.Org1.Admin);
        Assert.Equal(200, (await PeerNetwork.ProcessAsync(_network.Peer1, query)).Response.Status);

        await _network.Host.StartAsync();
        Assert.Contains("\"Owner\":\"alice\"", await _network.EvaluateAsync(_network.Peer1, "ReadAsset", id), StringComparison.Ordinal);
        Assert.Contains("\"Owner\":\"alice\"", await _network.EvaluateAsync(_network.Peer2, "ReadAsset", id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_peer_that_has_lost_its_orderer_is_unhealthy_until_the_orderer_is_back()
    {
        var peer = _network.Peer1;
        Assert.Equal(HttpStatusCode.OK, (await Health.GetAsync(peer.OperationsPort)).Status);

        await _network.Orderer.StopAsync();
        try
        {
            var (_, body) = await Health.WaitForAsync(peer.OperationsPort, HttpStatusCode.ServiceUnavailable);
            Assert.Contains($"channel {PeerNetwork.ChannelId}: lost every orderer", body, StringComparison.Ordinal);
        }
        finally
        {
            await _network.Orderer.StartAsync();
        }

        await Health.WaitForAsync(peer.OperationsPort, HttpStatusCode.OK);
        Assert.Equal(TxValidationCode.Valid, (await _network.WaitForTransactionAsync(peer, await CreateAssetTxAsync())).Code);
    }

    private async Task<string> CreateAssetTxAsync()
    {
        var (envelope, txId) = await PeerNetwork.EndorseAsync(_network.Org1.User(), BothPeers, "CreateAsset", PeerNetwork.NewId(), "red", "1", "bob", "10");
        await _network.BroadcastAsync(envelope);
        return txId;
    }

    private async Task<string> CreateAssetAsync()
    {
        var id = PeerNetwork.NewId();
        var (envelope, txId) = await PeerNetwork.EndorseAsync(_network.Org1.User(), BothPeers, "CreateAsset", id, "blue", "5", "alice", "300");
        await _network.BroadcastAsync(envelope);
        Assert.Equal(TxValidationCode.Valid, (await _network.WaitForTransactionAsync(_network.Peer1, txId)).Code);
        Assert.Equal(TxValidationCode.Valid, (await _network.WaitForTransactionAsync(_network.Peer2, txId)).Code);
        return id;
    }

    /// <summary>A proposal that fails the endorser's checks: a gRPC error (UNKNOWN, as Fabric's peer gives) with the reason.</summary>
    private static async Task AssertRefusedAsync(PeerNode peer, SignedProposal proposal, string expected)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => PeerNetwork.ProcessAsync(peer, proposal));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Contains(expected, error.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>A proposal that passes the checks but cannot be run: status 500 with the reason, no payload, no endorsement.</summary>
    private static async Task AssertFailedAsync(PeerNode peer, SignedProposal proposal, string expected)
    {
        var response = await PeerNetwork.ProcessAsync(peer, proposal);
        Assert.True(response.Payload.IsEmpty);
        Assert.Equal(500, response.Response.Status);
        Assert.Contains(expected, response.Response.Message, StringComparison.Ordinal);
        Assert.Null(response.Endorsement);
    }

    /// <summary>The same proposal with another txid in its channel header, correctly signed.</summary>
    private static SignedProposal WithTxId(SignedProposal signed, string txId, SigningIdentity signer)
    {
        var proposal = Proposal.Parser.ParseFrom(signed.ProposalBytes);
        var header = Header.Parser.ParseFrom(proposal.Header);
        var channelHeader = ChannelHeader.Parser.ParseFrom(header.ChannelHeader);
        channelHeader.TxId = txId;
        header.ChannelHeader = channelHeader.ToByteString();
        proposal.Header = header.ToByteString();
        var bytes = proposal.ToByteString();
        return new SignedProposal { ProposalBytes = bytes, Signature = ByteString.CopyFrom(signer.Sign(bytes.Span)) };
    }

    private async Task<Block> ReadBlockAsync(PeerNode peer, ulong number)
    {
        using var channel = peer.Connect();
        var request = DeliverRequests.Create(PeerNetwork.ChannelId, DeliverRequests.Range(DeliverRequests.Specified(number), DeliverRequests.Specified(number)), _network.Org2.User());
        await foreach (var response in Rpc.Services.PeerDeliverClient.ReadAsync(channel.CreateCallInvoker(), Rpc.Services.PeerDeliverService.Deliver, request))
        {
            Assert.Equal(DeliverResponse.TypeOneofCase.Block, response.TypeCase);
            return response.Block;
        }
        throw new InvalidOperationException("no block");
    }
}
