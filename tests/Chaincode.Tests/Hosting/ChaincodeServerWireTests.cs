using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using ZonCoin.Chaincode.Contracts;
using ZonCoin.Chaincode.Hosting;
using ZonCoin.Chaincode.Sample;
using ZonCoin.Chaincode.Tests.Support;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Client;
using MessageType = ZonCoin.Protos.Peer.ChaincodeMessage.Types.Type;
using WireKeyModification = ZonCoin.Protos.Ledger.QueryResult.KeyModification;

namespace ZonCoin.Chaincode.Tests.Hosting;

/// <summary>
/// The real CCaaS server on 127.0.0.1 and a free port, driven over real gRPC by a test peer that checks every
/// ChaincodeMessage the shim sends.
/// </summary>
public sealed class ChaincodeServerWireTests : IAsyncLifetime, IDisposable
{
    private const string ChaincodeId = "basic_1.0:4ec191e793b27e953ff2ede5a8bcc63152cecb1e4c3f301a26e22692c61967ad";
    private const string Channel = "supplychain";

    private TestOrg _org = null!;
    private ChaincodeServer _server = null!;
    private TestPeer _peer = null!;
    private SigningIdentity _alice = null!;

    public async Task InitializeAsync()
    {
        _org = new TestOrg("Org1MSP");
        _alice = _org.NewIdentity("alice");
        _server = await ChaincodeServer.StartAsync(new ContractChaincode(new AssetTransferContract(), new ProbeContract()),
            new ChaincodeServerOptions { ChaincodeId = ChaincodeId, Address = "127.0.0.1:0" });
        _peer = await TestPeer.ConnectAsync(_server.Address);
    }

    public async Task DisposeAsync()
    {
        await _peer.DisposeAsync();
        await _server.DisposeAsync();
    }

    public void Dispose() => _org.Dispose();

    private ChaincodeMessage Tx(string function, params string[] args) => TestPeer.Transaction(_alice, Channel, function, args);

    private static string Text(ChaincodeMessage completed) => Response.Parser.ParseFrom(completed.Payload).Payload.ToStringUtf8();

    private static void AssertEchoes(ChaincodeMessage transaction, ChaincodeMessage message)
    {
        Assert.Equal(transaction.Txid, message.Txid);
        Assert.Equal(transaction.ChannelId, message.ChannelId);
    }

    private void Seed(string id, string owner = "alice")
    {
        _peer.State[id] = JsonSerializer.SerializeToUtf8Bytes(new Asset { ID = id, Color = "blue", Size = 1, Owner = owner, AppraisedValue = 10 });
    }

    [Fact]
    public async Task Registers_with_the_chaincode_id_then_creates_an_asset_with_exact_messages()
    {
        var register = await _peer.HandshakeAsync();
        Assert.Equal(MessageType.Register, register.Type);
        Assert.Equal(ChaincodeId, ChaincodeID.Parser.ParseFrom(register.Payload).Name);

        // A KEEPALIVE from the peer gets no answer: the next message the shim sends belongs to the transaction.
        await _peer.SendAsync(new ChaincodeMessage { Type = MessageType.Keepalive });
        var tx = Tx("CreateAsset", "asset1", "blue", "5", "alice", "300");
        await _peer.SendAsync(tx);

        var get = await _peer.ReceiveAsync();
        Assert.Equal(MessageType.GetState, get.Type);
        AssertEchoes(tx, get);
        Assert.Equal(new GetState { Key = "asset1" }, GetState.Parser.ParseFrom(get.Payload));
        await _peer.SendAsync(_peer.Answer(get));

        var put = await _peer.ReceiveAsync();
        Assert.Equal(MessageType.PutState, put.Type);
        AssertEchoes(tx, put);
        var json = """{"ID":"asset1","Color":"blue","Size":5,"Owner":"alice","AppraisedValue":300}""";
        Assert.Equal(new PutState { Key = "asset1", Value = ByteString.CopyFromUtf8(json) }, PutState.Parser.ParseFrom(put.Payload));
        await _peer.SendAsync(_peer.Answer(put));

        var index = await _peer.ReceiveAsync();
        Assert.Equal(new PutState { Key = "\u0000owner~asset\u0000alice\u0000asset1\u0000", Value = ByteString.CopyFrom(0) }, PutState.Parser.ParseFrom(index.Payload));
        await _peer.SendAsync(_peer.Answer(index));

        var completed = await _peer.ReceiveAsync();
        Assert.Equal(MessageType.Completed, completed.Type);
        AssertEchoes(tx, completed);
        Assert.Equal(new Response { Status = 200, Payload = ByteString.CopyFromUtf8(json) }, Response.Parser.ParseFrom(completed.Payload));
        Assert.Equal(new ChaincodeEvent { EventName = "CreateAsset", Payload = ByteString.CopyFromUtf8(json) }, completed.ChaincodeEvent);
        Assert.Equal("", completed.ChaincodeEvent.ChaincodeId);
        Assert.Equal("", completed.ChaincodeEvent.TxId);
        Assert.DoesNotContain(_peer.Received, m => m.Type == MessageType.Keepalive);
    }

    [Fact]
    public async Task Two_transactions_interleave_on_one_stream_and_replies_are_routed_by_txid()
    {
        await _peer.HandshakeAsync();
        Seed("a1", "alice");
        Seed("a2", "bob");
        var first = Tx("ReadAsset", "a1");
        var second = Tx("ReadAsset", "a2");
        await _peer.SendAsync(first);
        await _peer.SendAsync(second);

        var requests = new[] { await _peer.ReceiveAsync(), await _peer.ReceiveAsync() };
        Assert.All(requests, r => Assert.Equal(MessageType.GetState, r.Type));
        var forFirst = Assert.Single(requests, r => r.Txid == first.Txid);
        var forSecond = Assert.Single(requests, r => r.Txid == second.Txid);
        Assert.Equal("a1", GetState.Parser.ParseFrom(forFirst.Payload).Key);
        Assert.Equal("a2", GetState.Parser.ParseFrom(forSecond.Payload).Key);

        // Answer the second transaction first.
        await _peer.SendAsync(_peer.Answer(forSecond));
        var secondDone = await _peer.ReceiveAsync();
        Assert.Equal((MessageType.Completed, second.Txid), (secondDone.Type, secondDone.Txid));
        Assert.Equal("bob", JsonSerializer.Deserialize<Asset>(Text(secondDone))!.Owner);

        await _peer.SendAsync(_peer.Answer(forFirst));
        var firstDone = await _peer.ReceiveAsync();
        Assert.Equal((MessageType.Completed, first.Txid), (firstDone.Type, firstDone.Txid));
        Assert.Equal("alice", JsonSerializer.Deserialize<Asset>(Text(firstDone))!.Owner);
    }

    [Fact]
    public async Task Many_concurrent_transactions_each_complete_with_their_own_result()
    {
        await _peer.HandshakeAsync();
        var transactions = Enumerable.Range(0, 20).Select(i => { Seed($"c{i:D2}", $"owner{i}"); return Tx("ReadAsset", $"c{i:D2}"); }).ToList();
        foreach (var transaction in transactions)
        {
            await _peer.SendAsync(transaction);
        }
        var done = await _peer.ServeAsync([.. transactions.Select(t => t.Txid)]);
        for (var i = 0; i < transactions.Count; i++)
        {
            Assert.Equal($"owner{i}", JsonSerializer.Deserialize<Asset>(Text(done[transactions[i].Txid]))!.Owner);
        }
    }

    [Fact]
    public async Task Range_query_reads_has_more_batches_then_closes_and_skips_composite_keys()
    {
        await _peer.HandshakeAsync();
        _peer.BatchSize = 2;
        foreach (var id in new[] { "a5", "a1", "a3", "a2", "a4" })
        {
            Seed(id);
        }
        _peer.State["\u0000owner~asset\u0000alice\u0000a1\u0000"] = [0];
        var tx = Tx("GetAllAssets");
        var completed = await _peer.RunAsync(tx);

        Assert.Equal(200, Response.Parser.ParseFrom(completed.Payload).Status);
        Assert.Equal(["a1", "a2", "a3", "a4", "a5"], JsonSerializer.Deserialize<List<Asset>>(Text(completed))!.Select(a => a.ID));
        Assert.Equal(
            [MessageType.GetStateByRange, MessageType.QueryStateNext, MessageType.QueryStateNext, MessageType.QueryStateClose, MessageType.Completed],
            _peer.Received.Select(m => m.Type));
        var range = GetStateByRange.Parser.ParseFrom(_peer.Received[0].Payload);
        Assert.Equal(new GetStateByRange { StartKey = "\u0001", EndKey = "" }, range);
        Assert.Equal(new QueryStateNext { Id = "query-1" }, QueryStateNext.Parser.ParseFrom(_peer.Received[1].Payload));
        Assert.Equal(new QueryStateClose { Id = "query-1" }, QueryStateClose.Parser.ParseFrom(_peer.Received[3].Payload));
        Assert.All(_peer.Received, m => AssertEchoes(tx, m));
    }

    [Fact]
    public async Task Range_pagination_sends_query_metadata_and_returns_the_bookmark()
    {
        await _peer.HandshakeAsync();
        foreach (var id in new[] { "a1", "a2", "a3", "a4", "a5" })
        {
            Seed(id);
        }
        var pages = new List<AssetPage>();
        var bookmark = "";
        do
        {
            var completed = await _peer.RunAsync(Tx("GetAssetsPage", "2", bookmark));
            var page = JsonSerializer.Deserialize<AssetPage>(Text(completed))!;
            pages.Add(page);
            bookmark = page.Bookmark;
        }
        while (bookmark.Length > 0);

        Assert.Equal([["a1", "a2"], ["a3", "a4"], ["a5"]], pages.Select(p => p.Assets.Select(a => a.ID).ToArray()));
        Assert.Equal(["a3", "a5", ""], pages.Select(p => p.Bookmark));
        Assert.Equal([2, 2, 1], pages.Select(p => p.FetchedRecordsCount));
        var requests = _peer.Received.Where(m => m.Type == MessageType.GetStateByRange).Select(m => GetStateByRange.Parser.ParseFrom(m.Payload)).ToList();
        Assert.Equal(new QueryMetadata { PageSize = 2, Bookmark = "" }, QueryMetadata.Parser.ParseFrom(requests[0].Metadata));
        Assert.Equal(new QueryMetadata { PageSize = 2, Bookmark = "a3" }, QueryMetadata.Parser.ParseFrom(requests[1].Metadata));
        Assert.Equal(3, _peer.Received.Count(m => m.Type == MessageType.QueryStateClose));
    }

    [Fact]
    public async Task Partial_composite_key_query_and_transfer_maintain_the_owner_index()
    {
        await _peer.HandshakeAsync();
        await _peer.RunAsync(Tx("CreateAsset", "a1", "red", "1", "alice", "5"));
        await _peer.RunAsync(Tx("CreateAsset", "a2", "red", "1", "alice", "5"));
        var transfer = await _peer.RunAsync(Tx("TransferAsset", "a1", "bob"));
        Assert.Equal("alice", Text(transfer));
        Assert.Equal("TransferAsset", transfer.ChaincodeEvent.EventName);

        _peer.Received.Clear();
        var byOwner = await _peer.RunAsync(Tx("GetAssetsByOwner", "alice"));
        Assert.Equal("""["a2"]""", Text(byOwner));
        var range = GetStateByRange.Parser.ParseFrom(_peer.Received[0].Payload);
        Assert.Equal("\u0000owner~asset\u0000alice\u0000", range.StartKey);
        Assert.Equal("\u0000owner~asset\u0000alice\u0000\U0010FFFF", range.EndKey);
    }

    [Fact]
    public async Task History_is_read_newest_first_with_deletes()
    {
        await _peer.HandshakeAsync();
        var json = JsonSerializer.SerializeToUtf8Bytes(new Asset { ID = "a1", Color = "blue", Size = 1, Owner = "alice", AppraisedValue = 1 });
        _peer.History["a1"] =
        [
            new WireKeyModification { TxId = "tx2", IsDelete = true, Timestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeSeconds(2000)) },
            new WireKeyModification { TxId = "tx1", Value = ByteString.CopyFrom(json), Timestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeSeconds(1000)) },
        ];
        var completed = await _peer.RunAsync(Tx("GetAssetHistory", "a1"));
        var history = JsonSerializer.Deserialize<List<AssetHistoryEntry>>(Text(completed))!;
        Assert.Equal([("tx2", true, 2000L), ("tx1", false, 1000L)], history.Select(h => (h.TxId, h.IsDelete, h.Timestamp.ToUnixTimeSeconds())));
        Assert.Null(history[0].Asset);
        Assert.Equal("alice", history[1].Asset!.Owner);
        Assert.Equal(new GetHistoryForKey { Key = "a1" }, GetHistoryForKey.Parser.ParseFrom(_peer.Received[0].Payload));
        Assert.Equal(MessageType.QueryStateClose, _peer.Received[1].Type);
    }

    [Fact]
    public async Task Client_identity_comes_from_the_proposal_creator_certificate()
    {
        await _peer.HandshakeAsync();
        var appraiser = _org.NewIdentity("carol", new Dictionary<string, string> { ["role"] = AssetTransferContract.AppraiserRole });
        var who = await _peer.RunAsync(TestPeer.Transaction(appraiser, Channel, "WhoAmI", []));
        Assert.Equal(new Caller("Org1MSP", "x509::/C=US/O=Org1MSP/OU=client/CN=carol::/C=US/O=Org1MSP/CN=ca.org1msp", "appraiser"),
            JsonSerializer.Deserialize<Caller>(Text(who)));

        Seed("a1");
        var allowed = await _peer.RunAsync(TestPeer.Transaction(appraiser, Channel, "AppraiseAsset", ["a1", "999"]));
        Assert.Equal(999, JsonSerializer.Deserialize<Asset>(Text(allowed))!.AppraisedValue);
        var refused = Response.Parser.ParseFrom((await _peer.RunAsync(Tx("AppraiseAsset", "a1", "1"))).Payload);
        Assert.Equal(500, refused.Status);
        Assert.Equal("x509::/C=US/O=Org1MSP/OU=client/CN=alice::/C=US/O=Org1MSP/CN=ca.org1msp of Org1MSP is not an appraiser", refused.Message);
    }

    [Fact]
    public async Task Txid_channel_timestamp_binding_and_transient_data_come_from_the_proposal()
    {
        await _peer.HandshakeAsync();
        var tx = TestPeer.Transaction(_alice, Channel, "ProbeContract:Secret", ["pin"], new Dictionary<string, byte[]> { ["pin"] = Encoding.UTF8.GetBytes("1234") });
        Assert.Equal("1234", Text(await _peer.RunAsync(tx)));

        var info = TestPeer.Transaction(_alice, Channel, "ProbeContract:TxInfo", []);
        var header = ZonCoin.Protos.Common.ChannelHeader.Parser.ParseFrom(ZonCoin.Protos.Common.Header.Parser.ParseFrom(Proposal.Parser.ParseFrom(info.Proposal.ProposalBytes).Header).ChannelHeader);
        Assert.Equal($"{Channel}|{info.Txid}|{header.Timestamp.Seconds}|32", Text(await _peer.RunAsync(info)));
    }

    [Fact]
    public async Task Contract_errors_and_unknown_functions_complete_with_status_500()
    {
        await _peer.HandshakeAsync();
        var missing = await _peer.RunAsync(Tx("ReadAsset", "nope"));
        Assert.Equal(MessageType.Completed, missing.Type);
        Assert.Equal(new Response { Status = 500, Message = "The asset nope does not exist" }, Response.Parser.ParseFrom(missing.Payload));
        Assert.Null(missing.ChaincodeEvent);

        var unknown = await _peer.RunAsync(Tx("NoSuchFunction", "x"));
        Assert.Equal(new Response { Status = 500, Message = "You've asked to invoke a function that does not exist: NoSuchFunction" }, Response.Parser.ParseFrom(unknown.Payload));
        Assert.Equal(2, _peer.Received.Count(m => m.Type == MessageType.Completed));
    }

    [Fact]
    public async Task An_error_reply_from_the_peer_fails_the_contract_with_its_message()
    {
        await _peer.HandshakeAsync();
        _peer.FailRequest = (MessageType.GetState, "state database unavailable");
        var failed = await _peer.RunAsync(Tx("ReadAsset", "a1"));
        Assert.Equal(new Response { Status = 500, Message = "state database unavailable" }, Response.Parser.ParseFrom(failed.Payload));
    }

    [Fact]
    public async Task Malformed_input_gets_an_ERROR_message()
    {
        await _peer.HandshakeAsync();
        var tx = Tx("ReadAsset", "a1");
        tx.Payload = ByteString.CopyFrom(0xFF, 0xFF, 0xFF);
        await _peer.SendAsync(tx);
        var error = await _peer.ReceiveAsync();
        Assert.Equal(MessageType.Error, error.Type);
        AssertEchoes(tx, error);
        Assert.False(error.Payload.IsEmpty);
    }

    [Fact]
    public async Task State_metadata_and_chaincode_to_chaincode_calls()
    {
        await _peer.HandshakeAsync();
        await _peer.RunAsync(Tx("ProbeContract:SetPolicy", "a1", "policy-bytes"));
        var put = _peer.Received.Single(m => m.Type == MessageType.PutStateMetadata);
        Assert.Equal(new PutStateMetadata { Key = "a1", Metadata = new StateMetadata { Metakey = "VALIDATION_PARAMETER", Value = ByteString.CopyFromUtf8("policy-bytes") } },
            PutStateMetadata.Parser.ParseFrom(put.Payload));
        Assert.Equal("policy-bytes", Text(await _peer.RunAsync(Tx("ProbeContract:GetPolicy", "a1"))));
        Assert.Equal(new GetStateMetadata { Key = "a1" }, GetStateMetadata.Parser.ParseFrom(_peer.Received.Single(m => m.Type == MessageType.GetStateMetadata).Payload));

        _peer.InvokeChaincode = spec => new ChaincodeMessage
        {
            Type = MessageType.Completed,
            Payload = new Response { Status = 200, Payload = ByteString.CopyFromUtf8($"{spec.ChaincodeId.Name}:{spec.Input.Args[0].ToStringUtf8()}({spec.Input.Args[1].ToStringUtf8()})") }.ToByteString(),
        };
        Assert.Equal("200:token:Balance(alice)", Text(await _peer.RunAsync(Tx("ProbeContract:CallOther", "token", "Balance", "alice"))));
    }

    [Fact]
    public async Task Metadata_is_served_over_the_wire()
    {
        await _peer.HandshakeAsync();
        var completed = await _peer.RunAsync(Tx("org.hyperledger.fabric:GetMetadata"));
        using var json = JsonDocument.Parse(Text(completed));
        Assert.True(json.RootElement.GetProperty("contracts").GetProperty("AssetTransfer").GetProperty("contractInstance").GetProperty("default").GetBoolean());
    }
}

/// <summary>The CCaaS server with TLS and a client CA: a peer with a client certificate is served, one without is refused.</summary>
public sealed class ChaincodeServerTlsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("zoncoin-cc-tls-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Mutual_tls_serves_a_peer_with_a_client_certificate_and_refuses_one_without()
    {
        using var tlsCa = CertificateAuthority.CreateRoot("tlsca.org1", "Org1MSP");
        var server = tlsCa.Issue(new CertificateSpec { CommonName = "chaincode", ForTls = true, IpAddresses = ["127.0.0.1"], DnsNames = ["localhost"] });
        var client = tlsCa.Issue(new CertificateSpec { CommonName = "peer0.org1", ForTls = true });
        var certFile = Path.Combine(_directory, "server.crt");
        var keyFile = Path.Combine(_directory, "server.key");
        var caFile = Path.Combine(_directory, "ca.crt");
        await File.WriteAllTextAsync(certFile, Pem.Certificate(server.Certificate));
        await File.WriteAllTextAsync(keyFile, Pem.PrivateKey(server.Key));
        await File.WriteAllTextAsync(caFile, Pem.Certificate(tlsCa.Certificate));
        var options = ChaincodeServerOptions.FromEnvironment(new Dictionary<string, string>
        {
            ["CHAINCODE_SERVER_ADDRESS"] = "127.0.0.1:0",
            ["CHAINCODE_ID"] = "basic_1.0:tls",
            ["CHAINCODE_TLS_CERT_FILE"] = certFile,
            ["CHAINCODE_TLS_KEY_FILE"] = keyFile,
            ["CHAINCODE_TLS_CLIENT_CA_FILE"] = caFile,
        }.GetValueOrDefault)!;

        await using var chaincodeServer = await ChaincodeServer.StartAsync(new ContractChaincode(new AssetTransferContract()), options);
        Assert.Equal("https", chaincodeServer.Address.Scheme);

        using var clientCertificate = X509CertificateLoader.LoadPkcs12(client.Certificate.CopyWithPrivateKey(client.Key).Export(X509ContentType.Pkcs12), null);
        await using (var peer = await TestPeer.ConnectAsync(chaincodeServer.Address, new RpcChannelOptions { RootCertificates = [tlsCa.Certificate], ClientCertificate = clientCertificate }))
        {
            var register = await peer.HandshakeAsync();
            Assert.Equal("basic_1.0:tls", ChaincodeID.Parser.ParseFrom(register.Payload).Name);
            using var org = new TestOrg("Org1MSP");
            var exists = await peer.RunAsync(TestPeer.Transaction(org.NewIdentity("alice"), "zoncoin", "AssetExists", ["a1"]));
            Assert.Equal("false", Response.Parser.ParseFrom(exists.Payload).Payload.ToStringUtf8());
        }

        await using var anonymous = await TestPeer.ConnectAsync(chaincodeServer.Address, new RpcChannelOptions { RootCertificates = [tlsCa.Certificate] });
        await Assert.ThrowsAnyAsync<Exception>(anonymous.ReceiveAsync);
    }
}
