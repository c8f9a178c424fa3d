using Google.Protobuf;
using Grpc.Core;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Channels;
using ZonCoin.Gateway.Nodes;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Orderer;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Server;
using ZonCoin.Rpc.Services;
using PeerDeliverResponse = ZonCoin.Protos.Peer.DeliverResponse;

namespace ZonCoin.Gateway.Server;

internal sealed partial class GatewayServer
{
    /// <summary>
    /// <c>/gateway.Gateway/ChaincodeEvents</c>: streams, block by block, the events the chaincode emitted in valid
    /// transactions, from the start position (a block number, or the next block to commit) or from the block of
    /// <c>after_transaction_id</c>, skipping events up to and including that transaction's. Blocks without
    /// matching events are skipped. Runs until the client cancels; the gateway's next peer takes over if one fails.
    /// </summary>
    public async Task ChaincodeEventsAsync(SignedChaincodeEventsRequest signed, IServerStreamWriter<ChaincodeEventsResponse> responses, ServerCallContext context)
    {
        if (signed.Request.IsEmpty)
        {
            throw GatewayErrors.Create(StatusCode.InvalidArgument, "a chaincode events request is required");
        }
        ChaincodeEventsRequest request;
        try
        {
            request = ChaincodeEventsRequest.Parser.ParseFrom(signed.Request);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw GatewayErrors.Create(StatusCode.InvalidArgument, $"invalid chaincode events request: {ex.Message}");
        }
        var channel = await ChannelAsync(request.ChannelId, context.CancellationToken).ConfigureAwait(false);
        CheckReaders(channel.Resources, signed.Request.ToByteArray(), request.Identity.ToByteArray(), signed.Signature.ToByteArray());

        var (start, fromCheckpoint) = await EventsStartAsync(channel, request, context.CancellationToken).ConfigureAwait(false);
        var afterTransaction = request.AfterTransactionId;
        var passed = !fromCheckpoint;
        var failures = new List<ErrorDetail>();
        while (true)
        {
            var peer = _topology.OwnPeers.FirstOrDefault(p => !failures.Any(f => f.Address == p.Endpoint));
            if (peer is null)
            {
                throw GatewayErrors.Create(StatusCode.Unavailable, "no peer of the gateway's organisation could deliver blocks", failures);
            }
            try
            {
                var seek = DeliverRequests.Range(start, DeliverRequests.Specified(DeliverRequests.Forever));
                await foreach (var response in _peers.DeliverAsync(peer, PeerDeliverService.Deliver, channel.ChannelId, seek, context.CancellationToken).ConfigureAwait(false))
                {
                    if (response.TypeCase != PeerDeliverResponse.TypeOneofCase.Block)
                    {
                        throw new PeerRefusedException(peer, response.Status);
                    }
                    var block = response.Block;
                    var events = new ChaincodeEventsResponse { BlockNumber = block.Header.Number };
                    foreach (var (txId, chaincodeEvent) in EventsOf(block))
                    {
                        if (!passed)
                        {
                            passed = txId == afterTransaction;
                            continue;
                        }
                        if (chaincodeEvent?.ChaincodeId == request.ChaincodeId)
                        {
                            events.Events.Add(chaincodeEvent);
                        }
                    }
                    // A checkpoint names a transaction of the start block; once past that block, nothing more is skipped.
                    passed = true;
                    if (events.Events.Count > 0)
                    {
                        await responses.WriteAsync(events, context.CancellationToken).ConfigureAwait(false);
                    }
                    start = DeliverRequests.Specified(block.Header.Number + 1);
                }
                return;
            }
            catch (PeerRefusedException ex) when (ex.Status is Protos.Common.Status.Forbidden or Protos.Common.Status.BadRequest or Protos.Common.Status.NotFound)
            {
                throw GatewayErrors.Create(StatusCode.Aborted, ex.Message, [GatewayErrors.Detail(peer, ex.Message)]);
            }
            catch (Exception ex) when (ex is RpcException or IOException or PeerRefusedException && !context.CancellationToken.IsCancellationRequested)
            {
                _topology.Failed(peer);
                failures.Add(GatewayErrors.Detail(peer, ex.Message));
            }
        }
    }

    /// <summary>Where the events start: the checkpointed transaction's block when it is in the ledger, else the start position.</summary>
    private static async Task<(SeekPosition Start, bool FromCheckpoint)> EventsStartAsync(GatewayChannel channel, ChaincodeEventsRequest request, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(request.AfterTransactionId)
            && await channel.LookUpAsync(request.AfterTransactionId, cancellationToken).ConfigureAwait(false) is { } checkpoint)
        {
            return (DeliverRequests.Specified(checkpoint.BlockNumber), true);
        }
        return (request.StartPosition?.TypeCase switch
        {
            null or SeekPosition.TypeOneofCase.None or SeekPosition.TypeOneofCase.NextCommit => new SeekPosition { NextCommit = new SeekNextCommit() },
            SeekPosition.TypeOneofCase.Specified => DeliverRequests.Specified(request.StartPosition.Specified.Number),
            var other => throw GatewayErrors.Create(StatusCode.InvalidArgument, $"invalid start position type: {other}"),
        }, false);
    }

    /// <summary>
    /// Every transaction of a block in order, with its chaincode event when it is valid and emitted one (with the
    /// chaincode id, name and txid the peer filled in).
    /// </summary>
    private static IEnumerable<(string TxId, ChaincodeEvent? Event)> EventsOf(Block block)
    {
        var filter = GatewayChannel.Filter(block);
        for (var i = 0; i < block.Data.Data.Count; i++)
        {
            string txId;
            ChaincodeEvent? chaincodeEvent = null;
            try
            {
                var payload = Payload.Parser.ParseFrom(Envelope.Parser.ParseFrom(block.Data.Data[i]).Payload);
                var header = ChannelHeader.Parser.ParseFrom(payload.Header?.ChannelHeader ?? ByteString.Empty);
                txId = header.TxId;
                var valid = i < filter.Length && filter[i] == (byte)TxValidationCode.Valid;
                if (valid && header.Type == (int)HeaderType.EndorserTransaction)
                {
                    chaincodeEvent = EventOf(Transaction.Parser.ParseFrom(payload.Data));
                }
            }
            catch (InvalidProtocolBufferException)
            {
                continue;
            }
            yield return (txId, chaincodeEvent);
        }
    }

    private static ChaincodeEvent? EventOf(Transaction transaction)
    {
        foreach (var action in transaction.Actions)
        {
            var actionPayload = ChaincodeActionPayload.Parser.ParseFrom(action.Payload);
            var responsePayload = ProposalResponsePayload.Parser.ParseFrom(actionPayload.Action?.ProposalResponsePayload ?? ByteString.Empty);
            var chaincodeAction = ChaincodeAction.Parser.ParseFrom(responsePayload.Extension);
            if (chaincodeAction.Events.IsEmpty)
            {
                continue;
            }
            var chaincodeEvent = ChaincodeEvent.Parser.ParseFrom(chaincodeAction.Events);
            if (chaincodeEvent.ChaincodeId.Length > 0 && chaincodeEvent.EventName.Length > 0 && chaincodeEvent.TxId.Length > 0)
            {
                return chaincodeEvent;
            }
        }
        return null;
    }
}
