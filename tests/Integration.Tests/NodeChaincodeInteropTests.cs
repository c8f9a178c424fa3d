using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using ZonCoin.Core.Protocol;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// Unmodified Node chaincode (fabric-contract-api 2.5, started by fabric-shim's <c>fabric-chaincode-node server</c>,
/// chaincode-as-a-service) deployed with <c>zoncoin chaincode deploy</c> and run by our peers: state, ranges with
/// pagination, composite keys, history, client identity, events and a thrown error.
/// </summary>
[Collection(PeerNetworkCollectionDefinition.Name)]
public sealed class NodeChaincodeInteropTests : IAsyncLifetime
{
    private const string Name = "asset-node";
    private readonly PeerNetwork _network;
    private NodeChaincodeServer? _chaincode;

    public NodeChaincodeInteropTests(PeerNetwork network)
    {
        _network = network;
    }

    public async Task InitializeAsync() => _chaincode = await NodeChaincodeServer.StartAndDeployAsync(_network, Name);

    public async Task DisposeAsync()
    {
        if (_chaincode is not null)
        {
            await _chaincode.DisposeAsync();
        }
    }

    [Fact]
    public async Task Node_contract_state_ranges_composite_keys_history_identity_events_and_errors()
    {
        var owner = "owner-" + Guid.NewGuid().ToString("N")[..6];
        var ids = Enumerable.Range(0, 5).Select(_ => PeerNetwork.NewId()).Order(StringComparer.Ordinal).ToList();
        var creates = new List<(Envelope Envelope, string TxId)>();
        foreach (var id in ids)
        {
            creates.Add(await EndorseAsync("CreateAsset", id, "blue", owner, "10"));
        }
        await _network.BroadcastAsync([.. creates.Select(c => c.Envelope)]);
        foreach (var (_, txId) in creates)
        {
            Assert.Equal(TxValidationCode.Valid, (await _network.WaitForTransactionAsync(_network.Peer2, txId)).Code);
        }

        using var read = JsonDocument.Parse(await EvaluateAsync("ReadAsset", ids[0]));
        Assert.Equal(owner, read.RootElement.GetProperty("Owner").GetString());

        using var all = JsonDocument.Parse(await EvaluateAsync("GetAllAssets"));
        var allIds = all.RootElement.EnumerateArray().Select(asset => asset.GetProperty("ID").GetString()!).ToList();
        Assert.Subset(allIds.ToHashSet(), ids.ToHashSet());
        Assert.Equal(allIds.Order(StringComparer.Ordinal), allIds);

        using var page = JsonDocument.Parse(await EvaluateAsync("GetAssetsPage", "2", ""));
        Assert.Equal(2, page.RootElement.GetProperty("fetched").GetInt32());
        var firstPage = page.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!).ToList();
        var bookmark = page.RootElement.GetProperty("bookmark").GetString()!;
        Assert.Equal(allIds.Take(2), firstPage);
        Assert.Equal(allIds[2], bookmark);
        using var next = JsonDocument.Parse(await EvaluateAsync("GetAssetsPage", "2", bookmark));
        Assert.Equal(allIds.Skip(2).Take(2), next.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!));

        using var byOwner = JsonDocument.Parse(await EvaluateAsync("GetAssetsByOwner", owner));
        Assert.Equal(ids, byOwner.RootElement.EnumerateArray().Select(k => k.GetString()!).Order(StringComparer.Ordinal));

        using var me = JsonDocument.Parse(await EvaluateAsync("WhoAmI"));
        Assert.Equal("Org1MSP", me.RootElement.GetProperty("mspId").GetString());
        Assert.StartsWith("x509::", me.RootElement.GetProperty("id").GetString(), StringComparison.Ordinal);

        var missing = await PeerNetwork.ProcessAsync(_network.Peer1, Proposal("ReadAsset", "no-such-asset").Proposal);
        Assert.Equal(500, missing.Response.Status);
        Assert.Contains("The asset no-such-asset does not exist", missing.Response.Message, StringComparison.Ordinal);

        var transfer = await EndorseAsync("TransferAsset", ids[0], "someone-else");
        await _network.BroadcastAsync(transfer.Envelope);
        Assert.Equal(TxValidationCode.Valid, (await _network.WaitForTransactionAsync(_network.Peer1, transfer.TxId)).Code);
        using var history = JsonDocument.Parse(await EvaluateAsync("GetAssetHistory", ids[0]));
        var txIds = history.RootElement.EnumerateArray().Select(entry => entry.GetProperty("txId").GetString()).ToList();
        Assert.Equal([transfer.TxId, creates[0].TxId], txIds);

        var (block, _) = await _network.WaitForTransactionAsync(_network.Peer1, creates[0].TxId);
        var eventName = await CreatedEventNameAsync(block, creates[0].TxId);
        Assert.Equal("AssetCreated", eventName);
    }

    [Fact]
    public async Task Key_level_endorsement_set_by_the_Node_shim_replaces_the_chaincode_policy_for_that_key()
    {
        var (guarded, unguarded) = (PeerNetwork.NewId(), PeerNetwork.NewId());
        var creates = new[] { await EndorseAsync("CreateAsset", guarded, "red", "o", "1"), await EndorseAsync("CreateAsset", unguarded, "red", "o", "1") };
        await _network.BroadcastAsync([.. creates.Select(c => c.Envelope)]);
        foreach (var (_, txId) in creates)
        {
            Assert.Equal(TxValidationCode.Valid, (await _network.WaitForTransactionAsync(_network.Peer1, txId)).Code);
            Assert.Equal(TxValidationCode.Valid, (await _network.WaitForTransactionAsync(_network.Peer2, txId)).Code);
        }
        Assert.Equal("[]", await EvaluateAsync("GetAssetEndorsers", guarded));

        // The chaincode's policy (MAJORITY of two orgs) lets both orgs set the key's policy to Org2's peers alone.
        Assert.Equal(TxValidationCode.Valid, await SubmitAsync([_network.Peer1, _network.Peer2], "SetAssetEndorsers", guarded, "Org2MSP"));
        Assert.Equal("[\"Org2MSP\"]", await EvaluateAsync("GetAssetEndorsers", guarded));

        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, await SubmitAsync([_network.Peer1], "UpdateAssetValue", guarded, "10"));
        Assert.Equal(TxValidationCode.Valid, await SubmitAsync([_network.Peer2], "UpdateAssetValue", guarded, "20"));
        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, await SubmitAsync([_network.Peer2], "UpdateAssetValue", unguarded, "20"));
        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, await SubmitAsync([_network.Peer1], "SetAssetEndorsers", guarded, "Org1MSP"));

        using var asset = JsonDocument.Parse(await EvaluateAsync("ReadAsset", guarded));
        Assert.Equal(20, asset.RootElement.GetProperty("Value").GetInt32());
        using var other = JsonDocument.Parse(await EvaluateAsync("ReadAsset", unguarded));
        Assert.Equal(1, other.RootElement.GetProperty("Value").GetInt32());
    }

    /// <summary>
    /// Endorses on <paramref name="peers"/>, submits, waits until both peers committed it (the next endorsement may be
    /// on either) and returns the validation code, which both must agree on.
    /// </summary>
    private async Task<TxValidationCode> SubmitAsync(PeerNode[] peers, string function, params string[] args)
    {
        var (envelope, txId) = await EndorseAsync(peers, function, args);
        await _network.BroadcastAsync(envelope);
        var (_, code) = await _network.WaitForTransactionAsync(_network.Peer1, txId);
        Assert.Equal(code, (await _network.WaitForTransactionAsync(_network.Peer2, txId)).Code);
        return code;
    }

    private Task<(Envelope Envelope, string TxId)> EndorseAsync(string function, params string[] args) =>
        EndorseAsync([_network.Peer1, _network.Peer2], function, args);

    private async Task<(Envelope Envelope, string TxId)> EndorseAsync(PeerNode[] peers, string function, params string[] args)
    {
        var signer = _network.Org1.User();
        var (proposal, txId) = Proposal(function, args);
        var responses = await Task.WhenAll(peers.Select(peer => PeerNetwork.ProcessAsync(peer, proposal)));
        foreach (var response in responses)
        {
            Assert.True(response.Response.Status == 200, $"{function}: {response.Response.Status} {response.Response.Message}");
        }
        return (Endorsements.Sign(Endorsements.CreateTransaction(Proposals.Unpack(proposal), responses), signer), txId);
    }

    private async Task<string> EvaluateAsync(string function, params string[] args)
    {
        var response = await PeerNetwork.ProcessAsync(_network.Peer1, Proposal(function, args).Proposal);
        Assert.True(response.Response.Status == 200, $"{function}: {response.Response.Status} {response.Response.Message}");
        return response.Response.Payload.ToStringUtf8();
    }

    private (SignedProposal Proposal, string TxId) Proposal(string function, params string[] args) =>
        Proposals.Create(ChaincodeInvocation.Of(PeerNetwork.ChannelId, Name, function, args), _network.Org1.User());

    private async Task<string?> CreatedEventNameAsync(ulong block, string txId)
    {
        using var channel = _network.Peer1.Connect();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var request = DeliverRequests.Create(PeerNetwork.ChannelId, DeliverRequests.Range(DeliverRequests.Specified(block), DeliverRequests.Specified(block)), _network.Org1.User());
        await foreach (var response in PeerDeliverClient.ReadAsync(channel.CreateCallInvoker(), PeerDeliverService.DeliverFiltered, request, timeout.Token))
        {
            if (response.TypeCase == DeliverResponse.TypeOneofCase.FilteredBlock)
            {
                var transaction = response.FilteredBlock.FilteredTransactions.Single(tx => tx.Txid == txId);
                var chaincodeEvent = transaction.TransactionActions.ChaincodeActions.Single().ChaincodeEvent;
                Assert.Equal(Name, chaincodeEvent.ChaincodeId);
                Assert.Equal(txId, chaincodeEvent.TxId);
                Assert.True(chaincodeEvent.Payload.IsEmpty);
                return chaincodeEvent.EventName;
            }
        }
        return null;
    }
}
