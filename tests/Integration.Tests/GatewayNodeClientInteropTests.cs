using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ZonCoin.Core.Protocol;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;
using Xunit.Abstractions;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// The official Node client, <c>@hyperledger/fabric-gateway</c> 1.12.1 over <c>@grpc/grpc-js</c>, connected to our
/// gateway process as applications connect (tests/interop/tools/gateway-client.js): submit and evaluate, the
/// proposal → endorse → submit → status steps one by one, offline signing, chaincode events with a checkpoint, block
/// and filtered block events, Fabric's errors (<c>EndorseError</c>, <c>GatewayError</c>, MVCC conflicts,
/// <c>CommitError</c>), on the C# sample contract and on the Node contract deployed on the same channel.
/// </summary>
[Collection(GatewayNetworkCollectionDefinition.Name)]
public sealed class GatewayNodeClientInteropTests : IAsyncLifetime
{
    private const string Script = "gateway-client.js";
    private const string NodeChaincode = "asset-node-gwclient";
    private const string EndorseFailed = "failed to endorse transaction, see attached details for more info";

    private readonly GatewayNetwork _network;
    private readonly ITestOutputHelper _output;
    private NodeChaincodeServer? _chaincode;

    public GatewayNodeClientInteropTests(GatewayNetwork network, ITestOutputHelper output)
    {
        _network = network;
        _output = output;
    }

    public async Task InitializeAsync() => _chaincode = await NodeChaincodeServer.StartAndDeployAsync(_network, NodeChaincode);

    public async Task DisposeAsync()
    {
        if (_chaincode is not null)
        {
            await _chaincode.DisposeAsync();
        }
    }

    [Fact]
    public async Task SubmitTransaction_and_evaluateTransaction_on_the_csharp_contract()
    {
        var id = PeerNetwork.NewId();
        var steps = await RunAsync(
            Tx("submit", PeerNetwork.Chaincode, "CreateAsset", id, "blue", "5", "Tom", "100"),
            Tx("evaluate", PeerNetwork.Chaincode, "ReadAsset", id),
            Tx("evaluate", PeerNetwork.Chaincode, "AssetExists", id));

        using var created = JsonDocument.Parse(Result(steps[0]));
        Assert.Equal(id, created.RootElement.GetProperty("ID").GetString());
        using var read = JsonDocument.Parse(Result(steps[1]));
        Assert.Equal("blue", read.RootElement.GetProperty("Color").GetString());
        Assert.Equal(5, read.RootElement.GetProperty("Size").GetInt32());
        Assert.Equal("Tom", read.RootElement.GetProperty("Owner").GetString());
        Assert.Equal(100, read.RootElement.GetProperty("AppraisedValue").GetInt32());
        Assert.Equal("true", Result(steps[2]));
    }

    [Fact]
    public async Task Proposal_endorse_submit_and_getStatus_step_by_step_report_the_block_our_peer_delivers()
    {
        var id = PeerNetwork.NewId();
        var create = Ok((await RunAsync(Tx("stepwise", PeerNetwork.Chaincode, "CreateAsset", id, "green", "7", "Ann", "70")))[0]);
        var txId = create.GetProperty("transactionId").GetString()!;
        Assert.Equal(txId, create.GetProperty("endorsedTransactionId").GetString());
        using (var asset = JsonDocument.Parse(create.GetProperty("endorsedResult").GetString()!))
        {
            Assert.Equal(id, asset.RootElement.GetProperty("ID").GetString());
        }
        Assert.Equal(create.GetProperty("endorsedResult").GetString(), create.GetProperty("submittedResult").GetString());
        await AssertCommittedAsync(create.GetProperty("status"), txId); // on both peers, which both endorse the transfer

        var transfer = Ok((await RunAsync(Tx("stepwise", PeerNetwork.Chaincode, "TransferAsset", id, "Bob")))[0]);
        Assert.Equal("Ann", transfer.GetProperty("endorsedResult").GetString());
        await AssertCommittedAsync(transfer.GetProperty("status"), transfer.GetProperty("transactionId").GetString()!);
        Assert.Contains("\"Owner\":\"Bob\"", await _network.EvaluateAsync(_network.Peer2, "ReadAsset", id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offline_signing_of_proposal_transaction_and_commit_status_request()
    {
        var id = PeerNetwork.NewId();
        var steps = await RunAsync(
            Tx("offline", PeerNetwork.Chaincode, "CreateAsset", id, "red", "3", "Eve", "30"),
            Tx("evaluate", PeerNetwork.Chaincode, "ReadAsset", id));

        var offline = Ok(steps[0]);
        using (var asset = JsonDocument.Parse(offline.GetProperty("endorsedResult").GetString()!))
        {
            Assert.Equal("Eve", asset.RootElement.GetProperty("Owner").GetString());
        }
        await AssertCommittedAsync(offline.GetProperty("status"), offline.GetProperty("transactionId").GetString()!);
        using var read = JsonDocument.Parse(Result(steps[1]));
        Assert.Equal("red", read.RootElement.GetProperty("Color").GetString());
    }

    [Fact]
    public async Task Chaincode_events_from_a_start_block_and_resumed_from_a_checkpoint()
    {
        var id = PeerNetwork.NewId();
        var created = await RunAsync(
            Tx("submit", PeerNetwork.Chaincode, "CreateAsset", id + "-a", "white", "1", "Owner0", "10"),
            Tx("submit", PeerNetwork.Chaincode, "CreateAsset", id + "-b", "white", "1", "Owner0", "10"));
        Result(created[0]);
        Result(created[1]);
        // The transfers below are endorsed by both orgs' peers: Org2's must have the assets too.
        await WaitUntilOrg2PeerReadsAsync(PeerNetwork.Chaincode, id + "-a");
        await WaitUntilOrg2PeerReadsAsync(PeerNetwork.Chaincode, id + "-b");
        var steps = await RunAsync(
            new JsonObject
            {
                ["op"] = "chaincodeEvents",
                ["chaincode"] = PeerNetwork.Chaincode,
                ["transactions"] = new JsonArray(
                    Transaction(PeerNetwork.Chaincode, "CreateAsset", id + "-c", "black", "2", "Owner1", "20"),
                    Transaction(PeerNetwork.Chaincode, "TransferAsset", id + "-a", "Owner2"),
                    Transaction(PeerNetwork.Chaincode, "TransferAsset", id + "-b", "Owner3")),
            });
        var events = Ok(steps[0]);
        var submitted = events.GetProperty("submitted").EnumerateArray().Select(s => s.GetProperty("status")).ToList();
        Assert.All(submitted, status => Assert.Equal("VALID", status.GetProperty("codeName").GetString()));
        var txIds = submitted.Select(status => status.GetProperty("transactionId").GetString()!).ToList();

        // The first event of our transactions is the first event the stream gives from that block.
        var first = events.GetProperty("first").EnumerateArray().ToList();
        var firstEvent = Assert.Single(first);
        Assert.Equal(txIds[0], firstEvent.GetProperty("transactionId").GetString());
        Assert.Equal(PeerNetwork.Chaincode, firstEvent.GetProperty("chaincodeName").GetString());
        Assert.Equal("CreateAsset", firstEvent.GetProperty("eventName").GetString());
        using (var payload = JsonDocument.Parse(firstEvent.GetProperty("payload").GetString()!))
        {
            Assert.Equal(id + "-c", payload.RootElement.GetProperty("ID").GetString());
        }
        Assert.Equal(submitted[0].GetProperty("blockNumber").GetString(), firstEvent.GetProperty("blockNumber").GetString());

        var checkpoint = events.GetProperty("checkpoint");
        Assert.Equal(txIds[0], checkpoint.GetProperty("transactionId").GetString());
        Assert.Equal(firstEvent.GetProperty("blockNumber").GetString(), checkpoint.GetProperty("blockNumber").GetString());

        // Resumed from the checkpoint: the following events, in commit order, and never the checkpointed one again.
        var resumed = events.GetProperty("resumed").EnumerateArray().ToList();
        Assert.Equal(txIds.Skip(1), resumed.Select(e => e.GetProperty("transactionId").GetString()));
        Assert.All(resumed, e => Assert.Equal("TransferAsset", e.GetProperty("eventName").GetString()));
        for (var i = 0; i < resumed.Count; i++)
        {
            Assert.Equal(submitted[i + 1].GetProperty("blockNumber").GetString(), resumed[i].GetProperty("blockNumber").GetString());
        }
    }

    [Fact]
    public async Task Block_and_filtered_block_events_carry_the_submitted_transaction()
    {
        var id = PeerNetwork.NewId();
        var steps = await RunAsync(Tx("blockEvents", PeerNetwork.Chaincode, "CreateAsset", id, "grey", "4", "Kim", "40"));

        var result = Ok(steps[0]);
        var status = result.GetProperty("status");
        var txId = status.GetProperty("transactionId").GetString()!;
        var blockNumber = status.GetProperty("blockNumber").GetString();
        await AssertCommittedAsync(status, txId);

        var block = result.GetProperty("block");
        Assert.Equal(blockNumber, block.GetProperty("number").ToString());
        Assert.Equal(5, block.GetProperty("metadataCount").GetInt32());
        var blockTxIds = block.GetProperty("transactionIds").EnumerateArray().Select(t => t.GetString()).ToList();
        var index = blockTxIds.IndexOf(txId);
        Assert.True(index >= 0, $"block {blockNumber} holds {txId}: {block}");
        Assert.Equal((int)TxValidationCode.Valid, block.GetProperty("filter")[index].GetInt32());

        var filtered = result.GetProperty("filteredBlock");
        Assert.Equal(PeerNetwork.ChannelId, filtered.GetProperty("channelId").GetString());
        Assert.Equal(blockNumber, filtered.GetProperty("number").ToString());
        var transactions = filtered.GetProperty("transactions").EnumerateArray().ToList();
        Assert.Equal(blockTxIds, transactions.Select(t => t.GetProperty("txid").GetString()));
        var transaction = transactions[index];
        Assert.Equal((int)TxValidationCode.Valid, transaction.GetProperty("validationCode").GetInt32());
        Assert.Equal(3, transaction.GetProperty("type").GetInt32()); // ENDORSER_TRANSACTION
        var chaincodeEvent = Assert.Single(transaction.GetProperty("events").EnumerateArray());
        Assert.Equal(PeerNetwork.Chaincode, chaincodeEvent.GetProperty("chaincodeId").GetString());
        Assert.Equal(txId, chaincodeEvent.GetProperty("txId").GetString());
        Assert.Equal("CreateAsset", chaincodeEvent.GetProperty("eventName").GetString());
        Assert.Equal(0, chaincodeEvent.GetProperty("payloadLength").GetInt32());
    }

    [Fact]
    public async Task System_chaincode_qscc_evaluated_through_the_gateway_finds_the_committed_transaction_its_block_and_the_chain()
    {
        var created = Ok((await RunAsync(Tx("stepwise", PeerNetwork.Chaincode, "CreateAsset", PeerNetwork.NewId(), "olive", "2", "Lea", "20")))[0]);
        var txId = created.GetProperty("transactionId").GetString()!;
        await AssertCommittedAsync(created.GetProperty("status"), txId);
        var blockNumber = created.GetProperty("status").GetProperty("blockNumber").GetString()!;

        // As applications do with Fabric: network.getContract('qscc').evaluateTransaction(function, channel, ...).
        var steps = await RunAsync(
            Tx("evaluate", "qscc", "GetTransactionByID", PeerNetwork.ChannelId, txId),
            Tx("evaluate", "qscc", "GetBlockByTxID", PeerNetwork.ChannelId, txId),
            Tx("evaluate", "qscc", "GetBlockByNumber", PeerNetwork.ChannelId, blockNumber),
            Tx("evaluate", "qscc", "GetChainInfo", PeerNetwork.ChannelId),
            Tx("evaluate", "qscc", "GetTransactionByID", PeerNetwork.ChannelId, "no-such-tx"));

        var processed = ProcessedTransaction.Parser.ParseFrom(Bytes(steps[0]));
        Assert.Equal((int)TxValidationCode.Valid, processed.ValidationCode);
        Assert.Equal(txId, Envelopes.Unpack(processed.TransactionEnvelope).ChannelHeader.TxId);
        var block = Block.Parser.ParseFrom(Bytes(steps[1]));
        Assert.Equal(blockNumber, block.Header.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(block.Data.Data, data => Envelopes.Unpack(data).ChannelHeader.TxId == txId);
        Assert.Equal(block, Block.Parser.ParseFrom(Bytes(steps[2])));
        var info = BlockchainInfo.Parser.ParseFrom(Bytes(steps[3]));
        Assert.True(info.Height > block.Header.Number, $"height {info.Height}, transaction in block {block.Header.Number}");

        var missing = Error(steps[4]);
        Assert.Equal("GatewayError", missing.GetProperty("class").GetString());
        Assert.Equal(2, missing.GetProperty("code").GetInt32()); // UNKNOWN
        var detail = Assert.Single(missing.GetProperty("details").EnumerateArray());
        Assert.Equal("chaincode response 500, Failed to get transaction with id no-such-tx, error no such transaction ID [no-such-tx] in index",
            detail.GetProperty("message").GetString());
    }

    private static byte[] Bytes(JsonElement step) => Convert.FromBase64String(Ok(step).GetProperty("resultBase64").GetString()!);

    [Fact]
    public async Task Contract_errors_are_EndorseError_on_submit_and_GatewayError_on_evaluate_with_peer_details()
    {
        var missing = "missing-" + Guid.NewGuid().ToString("N")[..8];
        var steps = await RunAsync(
            Tx("submit", PeerNetwork.Chaincode, "TransferAsset", missing, "Bob"),
            Tx("evaluate", PeerNetwork.Chaincode, "ReadAsset", missing),
            Tx("submit", PeerNetwork.Chaincode, "NoSuchFunction"));

        var endorse = Error(steps[0]);
        Assert.Equal("EndorseError", endorse.GetProperty("class").GetString());
        Assert.Equal(10, endorse.GetProperty("code").GetInt32()); // ABORTED
        Assert.Equal(EndorseFailed, endorse.GetProperty("grpcDetails").GetString());
        Assert.Equal($"10 ABORTED: {EndorseFailed}", endorse.GetProperty("message").GetString());
        Assert.False(string.IsNullOrEmpty(endorse.GetProperty("transactionId").GetString()));
        var endorseDetails = endorse.GetProperty("details").EnumerateArray().ToList();
        Assert.NotEmpty(endorseDetails);
        Assert.All(endorseDetails, detail =>
        {
            Assert.StartsWith("chaincode response 500, ", detail.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Contains($"The asset {missing} does not exist", detail.GetProperty("message").GetString(), StringComparison.Ordinal);
        });
        AssertDetailsNameOurPeers(endorseDetails);

        var evaluate = Error(steps[1]);
        Assert.Equal("GatewayError", evaluate.GetProperty("class").GetString());
        Assert.Equal(2, evaluate.GetProperty("code").GetInt32()); // UNKNOWN
        Assert.StartsWith("evaluate call to endorser returned error: chaincode response 500, ", evaluate.GetProperty("grpcDetails").GetString(), StringComparison.Ordinal);
        Assert.Contains($"The asset {missing} does not exist", evaluate.GetProperty("grpcDetails").GetString(), StringComparison.Ordinal);
        var evaluateDetail = Assert.Single(evaluate.GetProperty("details").EnumerateArray());
        Assert.StartsWith("chaincode response 500, ", evaluateDetail.GetProperty("message").GetString(), StringComparison.Ordinal);
        AssertDetailsNameOurPeers([evaluateDetail]);

        var unknown = Error(steps[2]);
        Assert.Equal("EndorseError", unknown.GetProperty("class").GetString());
        Assert.Equal(10, unknown.GetProperty("code").GetInt32());
        Assert.All(unknown.GetProperty("details").EnumerateArray(), detail => Assert.Equal(
            "chaincode response 500, You've asked to invoke a function that does not exist: NoSuchFunction", detail.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Conflicting_transactions_one_valid_one_mvcc_read_conflict_and_submitTransaction_throws_CommitError()
    {
        var id = PeerNetwork.NewId();
        // Each step's transactions are endorsed by both orgs' peers: both must have committed the step before.
        var create = Ok((await RunAsync(Tx("stepwise", PeerNetwork.Chaincode, "CreateAsset", id, "blue", "1", "Ann", "10")))[0]);
        await AssertCommittedAsync(create.GetProperty("status"), create.GetProperty("transactionId").GetString()!);
        var steps = await RunAsync(
            new JsonObject
            {
                ["op"] = "mvcc",
                ["transactions"] = new JsonArray(
                    Transaction(PeerNetwork.Chaincode, "TransferAsset", id, "Bob"),
                    Transaction(PeerNetwork.Chaincode, "TransferAsset", id, "Cid")),
            });

        var statuses = Ok(steps[0]).GetProperty("statuses").EnumerateArray().Select(s => s.GetProperty("status")).ToList();
        Assert.Equal(2, statuses.Count);
        var valid = Assert.Single(statuses, s => s.GetProperty("code").GetInt32() == (int)TxValidationCode.Valid);
        var conflict = Assert.Single(statuses, s => s.GetProperty("code").GetInt32() == (int)TxValidationCode.MvccReadConflict);
        Assert.True(valid.GetProperty("successful").GetBoolean());
        Assert.False(conflict.GetProperty("successful").GetBoolean());
        Assert.Equal("MVCC_READ_CONFLICT", conflict.GetProperty("codeName").GetString());
        await AssertCommittedAsync(valid, valid.GetProperty("transactionId").GetString()!);
        await AssertCommittedAsync(conflict, conflict.GetProperty("transactionId").GetString()!);

        var submitted = await RunAsync(
            new JsonObject
            {
                ["op"] = "mvccSubmit",
                ["attempts"] = 3,
                ["transactions"] = new JsonArray(
                    Transaction(PeerNetwork.Chaincode, "TransferAsset", id, "Dan"),
                    Transaction(PeerNetwork.Chaincode, "TransferAsset", id, "Fay")),
            });
        var outcomes = Ok(submitted[0]).GetProperty("outcomes").EnumerateArray().ToList();
        Assert.Single(outcomes, o => o.TryGetProperty("result", out _));
        var commitError = Assert.Single(outcomes, o => o.TryGetProperty("error", out _)).GetProperty("error");
        Assert.Equal("CommitError", commitError.GetProperty("class").GetString());
        Assert.Equal((int)TxValidationCode.MvccReadConflict, commitError.GetProperty("code").GetInt32());
        var loser = commitError.GetProperty("transactionId").GetString()!;
        Assert.Contains(loser, commitError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(TxValidationCode.MvccReadConflict, (await _network.WaitForTransactionAsync(_network.Peer1, loser)).Code);
    }

    [Fact]
    public async Task Submit_evaluate_and_errors_through_the_node_contract()
    {
        var id = PeerNetwork.NewId();
        var created = await RunAsync(
            Tx("submit", NodeChaincode, "CreateAsset", id, "yellow", "Zoe", "15"),
            Tx("evaluate", NodeChaincode, "ReadAsset", id));
        using (var asset = JsonDocument.Parse(Result(created[0])))
        {
            Assert.Equal(id, asset.RootElement.GetProperty("ID").GetString());
            Assert.Equal(15, asset.RootElement.GetProperty("Value").GetInt32());
        }
        using (var read = JsonDocument.Parse(Result(created[1])))
        {
            Assert.Equal("Zoe", read.RootElement.GetProperty("Owner").GetString());
        }
        // The transfer is endorsed by both orgs' peers: Org2's must have committed the asset too.
        await WaitUntilOrg2PeerReadsAsync(NodeChaincode, id);
        var steps = await RunAsync(
            Tx("stepwise", NodeChaincode, "TransferAsset", id, "Max"),
            Tx("evaluate", NodeChaincode, "ReadAsset", id),
            Tx("submit", NodeChaincode, "CreateAsset", id, "yellow", "Zoe", "15"),
            Tx("evaluate", NodeChaincode, "ReadAsset", "no-such-asset"));
        var transfer = Ok(steps[0]);
        Assert.Equal("Zoe", transfer.GetProperty("endorsedResult").GetString());
        await AssertCommittedAsync(transfer.GetProperty("status"), transfer.GetProperty("transactionId").GetString()!);
        using (var read = JsonDocument.Parse(Result(steps[1])))
        {
            Assert.Equal("Max", read.RootElement.GetProperty("Owner").GetString());
        }

        var duplicate = Error(steps[2]);
        Assert.Equal("EndorseError", duplicate.GetProperty("class").GetString());
        Assert.Equal(10, duplicate.GetProperty("code").GetInt32());
        Assert.Equal(EndorseFailed, duplicate.GetProperty("grpcDetails").GetString());
        var details = duplicate.GetProperty("details").EnumerateArray().ToList();
        Assert.NotEmpty(details);
        Assert.All(details, detail => Assert.Equal($"chaincode response 500, The asset {id} already exists", detail.GetProperty("message").GetString()));
        AssertDetailsNameOurPeers(details);

        var missing = Error(steps[3]);
        Assert.Equal("GatewayError", missing.GetProperty("class").GetString());
        Assert.Equal(2, missing.GetProperty("code").GetInt32());
        Assert.Equal("evaluate call to endorser returned error: chaincode response 500, The asset no-such-asset does not exist",
            missing.GetProperty("grpcDetails").GetString());
    }

    [Fact]
    public async Task Key_level_policy_makes_the_gateway_also_ask_the_org_it_names()
    {
        // Under OR(Org1, Org2) Org1's gateway asks only its own org; once the asset's key-level policy names Org2's
        // peers, the gateway learns that from Org1's endorsement (its ChaincodeInterest) and asks Org2 as well.
        const string Name = "asset-node-sbe";
        await using var chaincode = await NodeChaincodeServer.StartAndDeployAsync(_network, Name, policy: "OR('Org1MSP.peer','Org2MSP.peer')");
        var id = PeerNetwork.NewId();
        var setup = await RunAsync(
            Tx("submit", Name, "CreateAsset", id, "green", "Ann", "5"),
            Tx("stepwise", Name, "SetAssetEndorsers", id, "Org2MSP"));
        Ok(setup[0]);
        var guard = Ok(setup[1]);
        await AssertCommittedAsync(guard.GetProperty("status"), guard.GetProperty("transactionId").GetString()!);
        Assert.True(guard.GetProperty("status").GetProperty("successful").GetBoolean());

        var steps = await RunAsync(Tx("stepwise", Name, "UpdateAssetValue", id, "50"), Tx("evaluate", Name, "ReadAsset", id));
        var update = Ok(steps[0]);
        await AssertCommittedAsync(update.GetProperty("status"), update.GetProperty("transactionId").GetString()!);
        Assert.True(update.GetProperty("status").GetProperty("successful").GetBoolean(), $"update: {update}");
        using var read = JsonDocument.Parse(Result(steps[1]));
        Assert.Equal(50, read.RootElement.GetProperty("Value").GetInt32());
    }

    /// <summary>Waits until Org2's peer answers <c>ReadAsset</c> for <paramref name="id"/> (it committed the asset's creation).</summary>
    private async Task WaitUntilOrg2PeerReadsAsync(string chaincode, string id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30); // a failure guard, not a timing assertion
        while (true)
        {
            var (proposal, _) = Proposals.Create(ChaincodeInvocation.Of(PeerNetwork.ChannelId, chaincode, "ReadAsset", id), _network.Org1.User());
            var response = await PeerNetwork.ProcessAsync(_network.Peer2, proposal);
            if (response.Response.Status == 200)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Org2's peer never read asset {id}: {response.Response.Message}");
            await Task.Delay(50);
        }
    }

    /// <summary>The status matches what our peers' Deliver reports for the transaction (code and block number).</summary>
    private async Task AssertCommittedAsync(JsonElement status, string txId)
    {
        Assert.Equal(txId, status.GetProperty("transactionId").GetString());
        var code = status.GetProperty("code").GetInt32();
        Assert.Equal(code == (int)TxValidationCode.Valid, status.GetProperty("successful").GetBoolean());
        foreach (var peer in new[] { _network.Peer1, _network.Peer2 })
        {
            var (block, delivered) = await _network.WaitForTransactionAsync(peer, txId);
            Assert.Equal((int)delivered, code);
            Assert.Equal(block.ToString(System.Globalization.CultureInfo.InvariantCulture), status.GetProperty("blockNumber").GetString());
        }
    }

    private void AssertDetailsNameOurPeers(List<JsonElement> details)
    {
        var peers = new Dictionary<string, string>
        {
            [_network.Peer1.Endpoint] = _network.Org1.MspId,
            [_network.Peer2.Endpoint] = _network.Org2.MspId,
        };
        foreach (var detail in details)
        {
            var address = detail.GetProperty("address").GetString()!;
            Assert.True(peers.TryGetValue(address, out var mspId), $"detail names one of our peers: {detail}");
            Assert.Equal(mspId, detail.GetProperty("mspId").GetString());
        }
        Assert.Equal(details.Count, details.Select(d => d.GetProperty("address").GetString()).Distinct().Count());
    }

    private static JsonObject Transaction(string chaincode, string function, params string[] args) => new()
    {
        ["chaincode"] = chaincode,
        ["fn"] = function,
        ["args"] = new JsonArray([.. args.Select(arg => (JsonNode)arg)]),
    };

    private static JsonObject Tx(string op, string chaincode, string function, params string[] args)
    {
        var step = Transaction(chaincode, function, args);
        step["op"] = op;
        return step;
    }

    /// <summary>A step that succeeded.</summary>
    private static JsonElement Ok(JsonElement step)
    {
        Assert.False(step.TryGetProperty("error", out _), $"step failed: {step}");
        return step;
    }

    private static string Result(JsonElement step) => Ok(step).GetProperty("result").GetString()!;

    private static JsonElement Error(JsonElement step)
    {
        Assert.True(step.TryGetProperty("error", out var error), $"step was expected to fail: {step}");
        return error;
    }

    /// <summary>Runs the steps in one Node client process against the gateway and returns each step's result.</summary>
    private async Task<IReadOnlyList<JsonElement>> RunAsync(params JsonObject[] steps)
    {
        var msp = Path.Combine(_network.Org1.UserDirectory("User1"), "msp");
        var request = new JsonObject
        {
            ["endpoint"] = _network.Gateway.Endpoint,
            ["mspId"] = _network.Org1.MspId,
            ["certPath"] = Directory.GetFiles(Path.Combine(msp, "signcerts")).Single(),
            ["keyPath"] = Directory.GetFiles(Path.Combine(msp, "keystore")).Single(),
            ["channel"] = PeerNetwork.ChannelId,
            ["steps"] = new JsonArray([.. steps]),
        };
        var file = Path.Combine(_network.Consortium.NewDirectory("gateway-client"), "request.json");
        await File.WriteAllTextAsync(file, request.ToJsonString());
        IReadOnlyList<JsonElement> lines;
        try
        {
            lines = await NodeTool.RunAsync(Script, [file]);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            throw new InvalidOperationException($"{ex.Message}\ngateway:\n{_network.Gateway.Output}", ex);
        }
        _output.WriteLine(string.Join('\n', lines));
        var results = Assert.Single(lines).GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(steps.Length, results.Count);
        return results;
    }
}
