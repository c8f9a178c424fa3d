using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using ZonCoin.Core.Protocol;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Msp;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// What the official Node shim (fabric-contract-api 2.5, <c>tests/interop/chaincode/conformance-node</c>) sees of our
/// peer, compared with what Fabric v2.5 answers: the transaction header, client identity and transient data; a key's
/// history; ranges, pages and bookmarks; the paginated-query rules; events; chaincode-to-chaincode calls; empty values.
/// Two instances of the contract run, so one can call the other.
/// </summary>
[Collection(PeerNetworkCollectionDefinition.Name)]
public sealed class NodeChaincodeConformanceTests : IAsyncLifetime
{
    private readonly PeerNetwork _network;
    private readonly string _name = "conf-" + Guid.NewGuid().ToString("N")[..6];
    private readonly string _callee = "conf-callee-" + Guid.NewGuid().ToString("N")[..6];
    private NodeChaincodeServer? _chaincode;
    private NodeChaincodeServer? _calleeChaincode;

    public NodeChaincodeConformanceTests(PeerNetwork network)
    {
        _network = network;
    }

    public async Task InitializeAsync()
    {
        var contract = NodeChaincodeServer.Contract("conformance-node");
        _chaincode = await NodeChaincodeServer.StartAndDeployAsync(_network, _name, modulePath: contract);
        _calleeChaincode = await NodeChaincodeServer.StartAndDeployAsync(_network, _callee, modulePath: contract);
    }

    public async Task DisposeAsync()
    {
        foreach (var server in new[] { _chaincode, _calleeChaincode })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task The_stub_sees_the_proposal_header_arguments_creator_and_transient_data_which_the_transaction_leaves_out()
    {
        var user = _network.Org1.User();
        var invocation = ChaincodeInvocation.Of(PeerNetwork.ChannelId, _name, "Describe", "a", "b c") with
        {
            Transient = new Dictionary<string, byte[]> { ["secret"] = Encoding.UTF8.GetBytes("s3cret") },
        };
        var (proposal, txId) = Proposals.Create(invocation, user);
        var header = Proposals.Unpack(proposal).ChannelHeader;

        var (envelope, responses) = await EndorseAsync(proposal, user);
        using var described = JsonDocument.Parse(responses[0].Response.Payload.ToStringUtf8());
        var root = described.RootElement;
        Assert.Equal(txId, root.GetProperty("txId").GetString());
        Assert.Equal(PeerNetwork.ChannelId, root.GetProperty("channelId").GetString());
        Assert.Equal(header.Timestamp.Seconds, root.GetProperty("timestamp").GetProperty("seconds").GetInt64());
        Assert.Equal(header.Timestamp.Nanos, root.GetProperty("timestamp").GetProperty("nanos").GetInt32());
        Assert.Equal(header.Timestamp.ToDateTimeOffset().ToUnixTimeMilliseconds(), root.GetProperty("dateMillis").GetInt64());
        Assert.Equal("Describe", root.GetProperty("fcn").GetString());
        Assert.Equal(["a", "b c"], root.GetProperty("params").EnumerateArray().Select(p => p.GetString()));
        // Certificates list their attributes as Go's pkix.Name writes them (C, O, OU, CN), so the shim's ID reads as on Fabric.
        var id = root.GetProperty("id").GetString()!;
        Assert.Equal(ExpectedClientId(user), id);
        Assert.Matches("^x509::/C=US/O=[^/]+/OU=client/CN=[^/]+::/C=US/O=[^/]+/CN=[^/]+$", id);
        Assert.Equal("Org1MSP", root.GetProperty("mspId").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("attribute").ValueKind);
        Assert.Equal("s3cret", root.GetProperty("transient").GetProperty("secret").GetString());

        // As Fabric: the transient map goes to the endorsers only; the committed proposal payload has none.
        await CommitAsync(envelope, txId);
        var committed = await CommittedTransactionAsync(txId);
        var action = ChaincodeActionPayload.Parser.ParseFrom(committed.Actions[0].Payload);
        var payload = ChaincodeProposalPayload.Parser.ParseFrom(action.ChaincodeProposalPayload);
        Assert.Empty(payload.TransientMap);
        Assert.Equal("Describe", ChaincodeInvocationSpec.Parser.ParseFrom(payload.Input).ChaincodeSpec.Input.Args[0].ToStringUtf8());
    }

    [Fact]
    public async Task History_is_newest_first_with_each_transaction_timestamp_and_empty_values_are_deletes()
    {
        var key = PeerNetwork.NewId();
        var steps = new List<(string TxId, Google.Protobuf.WellKnownTypes.Timestamp Timestamp)>();
        foreach (var (function, args) in new[] { ("Put", new[] { key, "v1" }), ("Put", [key, "v2"]), ("Put", [key, "v3"]), ("Delete", [key]) })
        {
            steps.Add(await SubmitAsync(function, args));
        }

        using var history = JsonDocument.Parse(await EvaluateAsync("History", key));
        var entries = history.RootElement.EnumerateArray().ToList();
        // Fabric's history query executor reads the key's index backwards: the latest modification comes first.
        Assert.Equal(steps.Select(s => s.TxId).Reverse(), entries.Select(e => e.GetProperty("txId").GetString()));
        Assert.Equal([true, false, false, false], entries.Select(e => e.GetProperty("isDelete").GetBoolean()));
        Assert.Equal(["", "v3", "v2", "v1"], entries.Select(e => e.GetProperty("value").GetString()));
        Assert.Equal(0, entries[0].GetProperty("valueLength").GetInt32());
        for (var i = 0; i < steps.Count; i++)
        {
            var timestamp = entries[steps.Count - 1 - i].GetProperty("timestamp");
            Assert.Equal(steps[i].Timestamp.Seconds, timestamp.GetProperty("seconds").GetInt64());
            Assert.Equal(steps[i].Timestamp.Nanos, timestamp.GetProperty("nanos").GetInt32());
        }

        // A missing key reads as an empty buffer, not null.
        using var missing = JsonDocument.Parse(await EvaluateAsync("Get", key));
        Assert.True(missing.RootElement.GetProperty("isBuffer").GetBoolean());
        Assert.Equal(0, missing.RootElement.GetProperty("length").GetInt32());

        // Fabric writes an empty value as a delete (KVWrite.is_delete = len(value) == 0).
        var emptied = PeerNetwork.NewId();
        await SubmitAsync("Put", emptied, "x");
        var (emptyTx, _) = await SubmitAsync("PutEmpty", emptied);
        using var afterEmpty = JsonDocument.Parse(await EvaluateAsync("Get", emptied));
        Assert.Equal(0, afterEmpty.RootElement.GetProperty("length").GetInt32());
        using var emptyHistory = JsonDocument.Parse(await EvaluateAsync("History", emptied));
        var latest = emptyHistory.RootElement[0];
        Assert.Equal(emptyTx, latest.GetProperty("txId").GetString());
        Assert.True(latest.GetProperty("isDelete").GetBoolean());
        var write = (await CommittedWritesAsync(emptyTx, _name)).Single();
        Assert.True(write.IsDelete);
        Assert.True(write.Value.IsEmpty);
    }

    [Fact]
    public async Task Ranges_skip_composite_keys_and_pages_carry_fetched_counts_and_bookmarks()
    {
        var prefix = "r" + Guid.NewGuid().ToString("N")[..6];
        var keys = Enumerable.Range(1, 5).Select(i => $"{prefix}-{i}").ToList();
        var writes = new List<(Envelope, string)>();
        foreach (var key in keys)
        {
            writes.Add(await EndorseAsync("Put", key, "v"));
        }
        foreach (var attribute in new[] { "a", "b", "c" })
        {
            writes.Add(await EndorseAsync("PutComposite", "conf~type", prefix, attribute));
        }
        await _network.BroadcastAsync([.. writes.Select(w => w.Item1)]);
        foreach (var (_, txId) in writes)
        {
            await WaitOnBothPeersAsync(txId);
        }

        Assert.Equal(keys, Keys(await EvaluateAsync("Range", "", "")));

        var (first, firstFetched, firstBookmark) = Page(await EvaluateAsync("RangePage", "", "", "2", ""));
        Assert.Equal(keys[..2], first);
        Assert.Equal(2, firstFetched);
        Assert.Equal(keys[2], firstBookmark);
        var (second, _, secondBookmark) = Page(await EvaluateAsync("RangePage", "", "", "2", firstBookmark));
        Assert.Equal(keys[2..4], second);
        Assert.Equal(keys[4], secondBookmark);
        var (last, lastFetched, lastBookmark) = Page(await EvaluateAsync("RangePage", "", "", "2", secondBookmark));
        Assert.Equal([keys[4]], last);
        Assert.Equal(1, lastFetched);
        Assert.Equal("", lastBookmark);
        // A page that ends exactly at the end of the range: no key follows, so the bookmark is empty.
        var (full, fullFetched, fullBookmark) = Page(await EvaluateAsync("RangePage", keys[0], keys[2], "2", ""));
        Assert.Equal(keys[..2], full);
        Assert.Equal(2, fullFetched);
        Assert.Equal("", fullBookmark);

        using var composite = JsonDocument.Parse(await EvaluateAsync("PartialCompositePage", "conf~type", prefix, "2", ""));
        Assert.Equal(["a", "b"], composite.RootElement.GetProperty("keys").EnumerateArray().Select(k => k[1].GetString()));
        Assert.Equal(2, composite.RootElement.GetProperty("fetchedRecordsCount").GetInt32());
        var compositeBookmark = composite.RootElement.GetProperty("bookmark").GetString()!;
        Assert.Equal($"\u0000conf~type\u0000{prefix}\u0000c\u0000", compositeBookmark);
        using var compositeLast = JsonDocument.Parse(await EvaluateAsync("PartialCompositePage", "conf~type", prefix, "2", compositeBookmark));
        Assert.Equal(["c"], compositeLast.RootElement.GetProperty("keys").EnumerateArray().Select(k => k[1].GetString()));
        Assert.Equal(1, compositeLast.RootElement.GetProperty("fetchedRecordsCount").GetInt32());
        Assert.Equal("", compositeLast.RootElement.GetProperty("bookmark").GetString());
    }

    [Fact]
    public async Task A_transaction_cannot_both_page_and_write_and_the_shim_gets_Fabrics_errors()
    {
        var key = PeerNetwork.NewId();
        var (proposal, txId) = Proposal(_name, "PaginatedQueryAndWrite", key);
        var afterQuery = await PeerNetwork.ProcessAsync(_network.Peer1, proposal);
        Assert.True(afterQuery.Response.Status == 200, afterQuery.Response.Message);
        Assert.Equal(
            $"PUT_STATE failed: transaction ID: {txId}: txid [{txId}]: unsuppored transaction. Transaction has already performed a paginated query. Writes are not allowed",
            JsonDocument.Parse(afterQuery.Response.Payload.ToStringUtf8()).RootElement.GetProperty("afterQuery").GetString());

        (proposal, txId) = Proposal(_name, "WriteAndPaginatedQuery", key);
        var afterWrite = await PeerNetwork.ProcessAsync(_network.Peer1, proposal);
        Assert.True(afterWrite.Response.Status == 200, afterWrite.Response.Message);
        Assert.Equal(
            $"GET_STATE_BY_RANGE failed: transaction ID: {txId}: txid [{txId}]: unsuppored transaction. Paginated queries are supported only in a read-only transaction",
            JsonDocument.Parse(afterWrite.Response.Payload.ToStringUtf8()).RootElement.GetProperty("afterWrite").GetString());
    }

    [Fact]
    public async Task Only_the_last_event_is_kept_and_chaincode_to_chaincode_calls_behave_as_Fabric()
    {
        var (eventsTx, _) = await SubmitAsync("TwoEvents", "first", "second");
        var action = ChaincodeActionPayload.Parser.ParseFrom((await CommittedTransactionAsync(eventsTx)).Actions[0].Payload);
        var chaincodeAction = ChaincodeAction.Parser.ParseFrom(ProposalResponsePayload.Parser.ParseFrom(action.Action.ProposalResponsePayload).Extension);
        var chaincodeEvent = ChaincodeEvent.Parser.ParseFrom(chaincodeAction.Events);
        Assert.Equal("second", chaincodeEvent.EventName);
        Assert.Equal("second", chaincodeEvent.Payload.ToStringUtf8());
        Assert.Equal(_name, chaincodeEvent.ChaincodeId);
        Assert.Equal(eventsTx, chaincodeEvent.TxId);

        // The callee writes under its own namespace, in the caller's transaction.
        var key = PeerNetwork.NewId();
        var (callTx, _) = await SubmitAsync("Call", _callee, "", Json("Put", key, "from-caller"));
        using var calleeValue = JsonDocument.Parse(await EvaluateOnAsync(_callee, "Get", key));
        Assert.Equal("from-caller", calleeValue.RootElement.GetProperty("value").GetString());
        using var callerValue = JsonDocument.Parse(await EvaluateOnAsync(_name, "Get", key));
        Assert.Equal(0, callerValue.RootElement.GetProperty("length").GetInt32());
        Assert.Equal(key, Assert.Single(await CommittedWritesAsync(callTx, _callee)).Key);
        Assert.Empty(await CommittedWritesAsync(callTx, _name));

        // The same channel named explicitly.
        using var explicitChannel = JsonDocument.Parse(await EvaluateOnAsync(_name, "Call", _callee, PeerNetwork.ChannelId, Json("Get", key)));
        Assert.Equal(200, explicitChannel.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("from-caller", explicitChannel.RootElement.GetProperty("payload").GetString(), StringComparison.Ordinal);

        // A callee that throws answers COMPLETED with status 500: the Node shim resolves with that response.
        using var failed = JsonDocument.Parse(await EvaluateOnAsync(_name, "Call", _callee, "", Json("Fail", "callee says no")));
        Assert.Equal(500, failed.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("callee says no", failed.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);

        // An unknown chaincode: the peer answers ERROR, which the shim throws.
        var (proposal, txId) = Proposal(_name, "Call", "no-such-chaincode", "", Json("Get", key));
        var unknown = await PeerNetwork.ProcessAsync(_network.Peer1, proposal);
        Assert.True(unknown.Response.Status == 200, unknown.Response.Message);
        Assert.Equal(
            $"INVOKE_CHAINCODE failed: transaction ID: {txId}: invalid invocation: [channel {PeerNetwork.ChannelId}] failed to get chaincode container info for no-such-chaincode: chaincode no-such-chaincode not found",
            JsonDocument.Parse(unknown.Response.Payload.ToStringUtf8()).RootElement.GetProperty("error").GetString());
    }

    /// <summary>
    /// fabric-shim's <c>ClientIdentity.getID()</c> for a certificate: <c>x509::</c>, the subject's attributes in
    /// certificate order as <c>/SHORTNAME=value</c>, <c>::</c>, then the issuer's the same way.
    /// </summary>
    private static string ExpectedClientId(SigningIdentity user)
    {
        var pem = SerializedIdentity.Parser.ParseFrom(user.Creator).IdBytes.ToStringUtf8();
        using var certificate = X509Certificate2.CreateFromPem(pem);
        return $"x509::{Dn(certificate.SubjectName)}::{Dn(certificate.IssuerName)}";

        static string Dn(X500DistinguishedName name) => string.Concat(name.EnumerateRelativeDistinguishedNames(reversed: false).Select(rdn =>
        {
            var shortName = rdn.GetSingleElementType().Value switch
            {
                "2.5.4.3" => "CN",
                "2.5.4.6" => "C",
                "2.5.4.7" => "L",
                "2.5.4.8" => "ST",
                "2.5.4.10" => "O",
                "2.5.4.11" => "OU",
                var oid => throw new InvalidOperationException($"attribute {oid} is not in the test's table"),
            };
            var value = rdn.GetSingleElementValue()!;
            var slash = value.IndexOf('/', StringComparison.Ordinal);
            return $"/{shortName}={(slash < 0 ? value : value[..slash] + "\\/" + value[(slash + 1)..])}";
        }));
    }

    private static string Json(params string[] args) => JsonSerializer.Serialize(args);

    private static List<string> Keys(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(k => k.GetString()!)];
    }

    private static (List<string> Keys, int Fetched, string Bookmark) Page(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return ([.. root.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!)], root.GetProperty("fetchedRecordsCount").GetInt32(), root.GetProperty("bookmark").GetString()!);
    }

    private (SignedProposal Proposal, string TxId) Proposal(string chaincode, string function, params string[] args) =>
        Proposals.Create(ChaincodeInvocation.Of(PeerNetwork.ChannelId, chaincode, function, args), _network.Org1.User());

    private Task<string> EvaluateAsync(string function, params string[] args) => EvaluateOnAsync(_name, function, args);

    private async Task<string> EvaluateOnAsync(string chaincode, string function, params string[] args)
    {
        var response = await PeerNetwork.ProcessAsync(_network.Peer1, Proposal(chaincode, function, args).Proposal);
        Assert.True(response.Response.Status == 200, $"{function}: {response.Response.Status} {response.Response.Message}");
        return response.Response.Payload.ToStringUtf8();
    }

    private async Task<(Envelope Envelope, string TxId)> EndorseAsync(string function, params string[] args)
    {
        var user = _network.Org1.User();
        var (proposal, txId) = Proposals.Create(ChaincodeInvocation.Of(PeerNetwork.ChannelId, _name, function, args), user);
        return ((await EndorseAsync(proposal, user)).Envelope, txId);
    }

    private async Task<(Envelope Envelope, ProposalResponse[] Responses)> EndorseAsync(SignedProposal proposal, SigningIdentity user)
    {
        var responses = await Task.WhenAll(new[] { _network.Peer1, _network.Peer2 }.Select(peer => PeerNetwork.ProcessAsync(peer, proposal)));
        foreach (var response in responses)
        {
            Assert.True(response.Response.Status == 200, $"{response.Response.Status} {response.Response.Message}");
        }
        return (Endorsements.Sign(Endorsements.CreateTransaction(Proposals.Unpack(proposal), responses), user), responses);
    }

    /// <summary>Endorses on both peers, submits, waits until both committed it as VALID; returns its id and timestamp.</summary>
    private async Task<(string TxId, Google.Protobuf.WellKnownTypes.Timestamp Timestamp)> SubmitAsync(string function, params string[] args)
    {
        var (envelope, txId) = await EndorseAsync(function, args);
        await CommitAsync(envelope, txId);
        return (txId, Envelopes.Unpack(envelope).ChannelHeader.Timestamp);
    }

    private async Task CommitAsync(Envelope envelope, string txId)
    {
        await _network.BroadcastAsync(envelope);
        await WaitOnBothPeersAsync(txId);
    }

    private async Task WaitOnBothPeersAsync(string txId)
    {
        Assert.Equal(TxValidationCode.Valid, (await _network.WaitForTransactionAsync(_network.Peer1, txId)).Code);
        Assert.Equal(TxValidationCode.Valid, (await _network.WaitForTransactionAsync(_network.Peer2, txId)).Code);
    }

    /// <summary>The committed transaction <paramref name="txId"/> as Peer1 delivers it (a full block).</summary>
    private async Task<Transaction> CommittedTransactionAsync(string txId)
    {
        var (number, _) = await _network.WaitForTransactionAsync(_network.Peer1, txId);
        using var channel = _network.Peer1.Connect();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var request = DeliverRequests.Create(PeerNetwork.ChannelId, DeliverRequests.Range(DeliverRequests.Specified(number), DeliverRequests.Specified(number)), _network.Org1.User());
        await foreach (var response in PeerDeliverClient.ReadAsync(channel.CreateCallInvoker(), PeerDeliverService.Deliver, request, timeout.Token))
        {
            Assert.Equal(DeliverResponse.TypeOneofCase.Block, response.TypeCase);
            foreach (var data in response.Block.Data.Data)
            {
                var envelope = Envelopes.Unpack(data);
                if (envelope.ChannelHeader.TxId == txId)
                {
                    return Transaction.Parser.ParseFrom(envelope.Payload.Data);
                }
            }
        }
        throw new InvalidOperationException($"transaction {txId} not found in block {number}");
    }

    /// <summary>The writes a committed transaction made in namespace <paramref name="ns"/>.</summary>
    private async Task<IReadOnlyList<Protos.Ledger.Rwset.Kvrwset.KVWrite>> CommittedWritesAsync(string txId, string ns)
    {
        var action = ChaincodeActionPayload.Parser.ParseFrom((await CommittedTransactionAsync(txId)).Actions[0].Payload);
        var chaincodeAction = ChaincodeAction.Parser.ParseFrom(ProposalResponsePayload.Parser.ParseFrom(action.Action.ProposalResponsePayload).Extension);
        var rwSet = Protos.Ledger.Rwset.TxReadWriteSet.Parser.ParseFrom(chaincodeAction.Results);
        var nsRwSet = rwSet.NsRwset.SingleOrDefault(n => n.Namespace == ns);
        return nsRwSet is null ? [] : Protos.Ledger.Rwset.Kvrwset.KVRWSet.Parser.ParseFrom(nsRwSet.Rwset).Writes;
    }
}
