using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Client.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Orderer;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc;
using ZonCoin.Rpc.Client;
using PeerDeliverResponse = ZonCoin.Protos.Peer.DeliverResponse;
using ProtoChaincodeEvent = ZonCoin.Protos.Peer.ChaincodeEvent;
using ProtoChaincodeEventsRequest = ZonCoin.Protos.Gateway.ChaincodeEventsRequest;

namespace ZonCoin.Gateway.Client.Tests;

/// <summary>Chaincode and block events against the fake gateway: the start position sent, what is yielded, how streams end.</summary>
public sealed class EventsTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private readonly TestIdentity _client = new();
    private FakeGatewayServer _server = null!;
    private GrpcChannel _channel = null!;
    private Gateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeGatewayServer.StartAsync();
        _channel = RpcChannels.ForAddress(_server.Address);
        _gateway = Gateway.Connect(_channel, _client.Identity, _client.Signer);
    }

    public async Task DisposeAsync()
    {
        _gateway.Dispose();
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    public void Dispose() => _client.Dispose();

    private Network Network => _gateway.GetNetwork("supplychain");

    private static ChaincodeEventsResponse EventsIn(ulong block, params string[] txIds)
    {
        var response = new ChaincodeEventsResponse { BlockNumber = block };
        response.Events.AddRange(txIds.Select(tx => new ProtoChaincodeEvent { ChaincodeId = "trade", TxId = tx, EventName = "Moved", Payload = ByteString.CopyFromUtf8(tx) }));
        return response;
    }

    private static async Task<List<T>> TakeAsync<T>(IAsyncEnumerable<T> events, int count)
    {
        using var guard = new CancellationTokenSource(Guard);
        var taken = new List<T>();
        await foreach (var e in events.WithCancellation(guard.Token))
        {
            taken.Add(e);
            if (taken.Count == count)
            {
                break;
            }
        }
        return taken;
    }

    private ProtoChaincodeEventsRequest ChaincodeEventsRequestSent()
    {
        var signed = Assert.Single(_server.Requests<SignedChaincodeEventsRequest>("ChaincodeEvents"));
        Assert.True(_client.Verifies(signed.Request.Span, signed.Signature.Span));
        return ProtoChaincodeEventsRequest.Parser.ParseFrom(signed.Request);
    }

    [Fact]
    public async Task Chaincode_events_are_yielded_with_their_block_and_the_stream_is_cancelled_when_reading_stops()
    {
        _server.ChaincodeEvents = [EventsIn(5, "tx1", "tx2"), EventsIn(6, "tx3")];

        var events = await TakeAsync(Network.GetChaincodeEvents("trade"), 3);

        Assert.Equal([(5UL, "tx1"), (5UL, "tx2"), (6UL, "tx3")], events.Select(e => (e.BlockNumber, e.TransactionId)));
        Assert.All(events, e => Assert.Equal(("trade", "Moved"), (e.ChaincodeName, e.EventName)));
        Assert.Equal("tx3"u8.ToArray(), events[2].Payload);
        await _server.StreamCancelled.Task.WaitAsync(Guard);
        var request = ChaincodeEventsRequestSent();
        Assert.Equal("supplychain", request.ChannelId);
        Assert.Equal("trade", request.ChaincodeId);
        Assert.Equal(_client.Creator, request.Identity.ToByteArray());
        Assert.Equal(SeekPosition.TypeOneofCase.NextCommit, request.StartPosition.TypeCase);
        Assert.Equal("", request.AfterTransactionId);
    }

    [Fact]
    public async Task Chaincode_events_start_at_the_start_block()
    {
        _server.ChaincodeEvents = [EventsIn(5, "tx1")];

        await TakeAsync(Network.GetChaincodeEvents("trade", new ChaincodeEventsOptions { StartBlock = 5 }), 1);

        var request = ChaincodeEventsRequestSent();
        Assert.Equal(5UL, request.StartPosition.Specified.Number);
        Assert.Equal("", request.AfterTransactionId);
    }

    [Fact]
    public async Task A_checkpoint_wins_over_the_start_block_and_resumes_after_its_transaction()
    {
        _server.ChaincodeEvents = [EventsIn(9, "tx-next")];
        var checkpointer = new InMemoryCheckpointer();
        await checkpointer.CheckpointTransactionAsync(9, "tx-done");

        var events = await TakeAsync(Network.GetChaincodeEvents("trade", new ChaincodeEventsOptions { StartBlock = 2, Checkpoint = checkpointer }), 1);
        await checkpointer.CheckpointChaincodeEventAsync(events[0]);

        var request = ChaincodeEventsRequestSent();
        Assert.Equal(9UL, request.StartPosition.Specified.Number);
        Assert.Equal("tx-done", request.AfterTransactionId);
        Assert.Equal("tx-next", checkpointer.TransactionId);
    }

    [Fact]
    public async Task An_empty_checkpoint_falls_back_to_the_start_block()
    {
        _server.ChaincodeEvents = [EventsIn(3, "tx")];

        await TakeAsync(Network.GetChaincodeEvents("trade", new ChaincodeEventsOptions { StartBlock = 3, Checkpoint = new InMemoryCheckpointer() }), 1);

        Assert.Equal(3UL, ChaincodeEventsRequestSent().StartPosition.Specified.Number);
    }

    [Fact]
    public async Task A_chaincode_events_error_is_a_gateway_exception_with_details()
    {
        _server.ChaincodeEvents = [EventsIn(1, "tx1")];
        _server.ChaincodeEventsError = RpcStatusDetails.Create(StatusCode.PermissionDenied, "access denied",
            Any.Pack(new ErrorDetail { Address = "peer0:7051", MspId = "Org1MSP", Message = "not a reader" }));

        var error = await Assert.ThrowsAsync<GatewayException>(() => TakeAsync(Network.GetChaincodeEvents("trade"), 5));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("not a reader", Assert.Single(error.Details).Message);
    }

    [Fact]
    public async Task Offline_signed_chaincode_events_request()
    {
        _server.ChaincodeEvents = [EventsIn(1, "tx1")];
        using var offline = Gateway.Connect(_channel, _client.Identity, signer: null);
        var unsigned = offline.GetNetwork("supplychain").NewChaincodeEventsRequest("trade", new ChaincodeEventsOptions { StartBlock = 1 });

        await Assert.ThrowsAsync<InvalidOperationException>(() => TakeAsync(unsigned.GetEventsAsync(), 1));
        var signed = offline.NewSignedChaincodeEventsRequest(unsigned.Bytes, EcdsaSignatures.SignDigest(_client.Key, unsigned.Digest));
        var events = await TakeAsync(signed.GetEventsAsync(), 1);

        Assert.Equal("tx1", Assert.Single(events).TransactionId);
        Assert.Equal(1UL, ChaincodeEventsRequestSent().StartPosition.Specified.Number);
    }

    private SeekInfo SeekSent(string method)
    {
        var envelope = Assert.Single(_server.Requests<Envelope>(method));
        Assert.True(_client.Verifies(envelope.Payload.Span, envelope.Signature.Span));
        var unpacked = Envelopes.Unpack(envelope);
        Assert.Equal(HeaderType.DeliverSeekInfo, unpacked.Type);
        Assert.Equal("supplychain", unpacked.ChannelHeader.ChannelId);
        Assert.Equal(0UL, unpacked.ChannelHeader.Epoch);
        Assert.Equal(_client.Creator, unpacked.SignatureHeader.Creator.ToByteArray());
        Assert.True(unpacked.ChannelHeader.TlsCertHash.IsEmpty);
        var seek = SeekInfo.Parser.ParseFrom(unpacked.Payload.Data);
        Assert.Equal(DeliverRequests.Forever, seek.Stop.Specified.Number);
        return seek;
    }

    private static PeerDeliverResponse BlockResponse(ulong number) =>
        new() { Block = new Block { Header = new BlockHeader { Number = number } } };

    [Fact]
    public async Task Block_events_read_blocks_from_next_commit_until_the_caller_stops()
    {
        _server.DeliverResponses = [BlockResponse(4), BlockResponse(5)];

        var blocks = await TakeAsync(Network.GetBlockEvents(), 2);

        Assert.Equal([4UL, 5UL], blocks.Select(b => b.Header.Number));
        await _server.StreamCancelled.Task.WaitAsync(Guard);
        Assert.Equal(SeekPosition.TypeOneofCase.NextCommit, SeekSent("Deliver").Start.TypeCase);
    }

    [Fact]
    public async Task Block_events_start_at_the_checkpoint_or_the_start_block()
    {
        _server.DeliverResponses = [BlockResponse(8)];
        var checkpointer = new InMemoryCheckpointer();
        await checkpointer.CheckpointBlockAsync(7);

        await TakeAsync(Network.GetBlockEvents(new BlockEventsOptions { StartBlock = 1, Checkpoint = checkpointer }), 1);

        Assert.Equal(8UL, SeekSent("Deliver").Start.Specified.Number);
    }

    [Fact]
    public async Task Filtered_and_private_data_block_events_use_their_deliver_methods()
    {
        _server.DeliverResponses =
        [
            new PeerDeliverResponse { FilteredBlock = new FilteredBlock { ChannelId = "supplychain", Number = 3 } },
            new PeerDeliverResponse { BlockAndPrivateData = new BlockAndPrivateData { Block = new Block { Header = new BlockHeader { Number = 3 } } } },
        ];

        var filtered = await TakeAsync(Network.GetFilteredBlockEvents(new BlockEventsOptions { StartBlock = 3 }), 1);
        var withPrivateData = await TakeAsync(Network.GetBlockAndPrivateDataEvents(new BlockEventsOptions { StartBlock = 3 }), 1);

        Assert.Equal(3UL, Assert.Single(filtered).Number);
        Assert.Equal(3UL, Assert.Single(withPrivateData).Block.Header.Number);
        Assert.Equal(3UL, SeekSent("DeliverFiltered").Start.Specified.Number);
        Assert.Equal(3UL, SeekSent("DeliverWithPrivateData").Start.Specified.Number);
    }

    [Fact]
    public async Task A_status_response_ends_block_events_with_a_gateway_exception()
    {
        _server.DeliverResponses = [BlockResponse(1), new PeerDeliverResponse { Status = Protos.Common.Status.Forbidden }];

        var received = new List<Block>();
        var error = await Assert.ThrowsAsync<GatewayException>(async () =>
        {
            await foreach (var block in Network.GetBlockEvents(new BlockEventsOptions { StartBlock = 1 }))
            {
                received.Add(block);
            }
        }).WaitAsync(Guard);

        Assert.Single(received);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("Forbidden", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offline_signed_block_events_request()
    {
        _server.DeliverResponses = [BlockResponse(2)];
        using var offline = Gateway.Connect(_channel, _client.Identity, signer: null);
        var unsigned = offline.GetNetwork("supplychain").NewBlockEventsRequest(new BlockEventsOptions { StartBlock = 2 });

        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => TakeAsync(unsigned.GetEventsAsync(), 1));
        Assert.Contains(nameof(Gateway.NewSignedBlockEventsRequest), missing.Message, StringComparison.Ordinal);
        var signed = offline.NewSignedBlockEventsRequest(unsigned.Bytes, EcdsaSignatures.SignDigest(_client.Key, unsigned.Digest));
        var blocks = await TakeAsync(signed.GetEventsAsync(), 1);

        Assert.Equal(2UL, Assert.Single(blocks).Header.Number);
        Assert.Equal(2UL, SeekSent("Deliver").Start.Specified.Number);
    }
}
