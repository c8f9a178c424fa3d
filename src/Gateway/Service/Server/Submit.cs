using Grpc.Core;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Nodes;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Gateway;
using ZonCoin.Rpc.Server;
using Status = ZonCoin.Protos.Common.Status;

namespace ZonCoin.Gateway.Server;

internal sealed partial class GatewayServer
{
    /// <summary>
    /// <c>/gateway.Gateway/Submit</c>: checks the client's signature on the prepared transaction, then sends it to the
    /// channel's orderers in random order until one accepts it. An orderer's 4xx answer is final (ABORTED, with its
    /// status and info); unreachable or unavailable orderers are passed over (UNAVAILABLE when all fail).
    /// </summary>
    public async Task<SubmitResponse> SubmitAsync(SubmitRequest request, ServerCallContext context)
    {
        var envelope = request.PreparedTransaction ?? throw GatewayErrors.Create(StatusCode.InvalidArgument, "a prepared transaction is required");
        if (envelope.Signature.IsEmpty)
        {
            throw GatewayErrors.Create(StatusCode.InvalidArgument, "prepared transaction must be signed");
        }
        UnpackedEnvelope unpacked;
        try
        {
            unpacked = Envelopes.Unpack(envelope);
        }
        catch (MalformedMessageException ex)
        {
            throw GatewayErrors.Create(StatusCode.InvalidArgument, $"malformed prepared transaction: {ex.Message}");
        }
        var channelId = unpacked.ChannelHeader.ChannelId;
        if (!string.IsNullOrEmpty(request.ChannelId) && request.ChannelId != channelId)
        {
            throw GatewayErrors.Create(StatusCode.InvalidArgument, $"the prepared transaction is for channel '{channelId}', not '{request.ChannelId}'");
        }
        var txId = unpacked.ChannelHeader.TxId;
        if (!string.IsNullOrEmpty(request.TransactionId) && request.TransactionId != txId)
        {
            throw GatewayErrors.Create(StatusCode.InvalidArgument, $"the prepared transaction is transaction '{txId}', not '{request.TransactionId}'");
        }
        var channel = await ChannelAsync(channelId, context.CancellationToken).ConfigureAwait(false);
        var signers = SignerSet.From([new SignedData(envelope.Payload.ToByteArray(), unpacked.SignatureHeader.Creator.ToByteArray(), envelope.Signature.ToByteArray())],
            channel.Resources.Msps, _time.GetUtcNow());
        if (signers.Identities.Count == 0)
        {
            throw GatewayErrors.Create(StatusCode.Aborted,
                $"transaction {txId} refused: status=FORBIDDEN, info=the signature does not verify against the transaction's creator ({signers.Describe()})");
        }
        var orderers = channel.Orderers.OrderBy(_ => Random.Shared.Next()).ToList();
        if (orderers.Count == 0)
        {
            throw GatewayErrors.Create(StatusCode.Unavailable, $"no orderer nodes available: channel {channelId} lists no orderer endpoints");
        }
        channel.Submitted(txId);
        var details = new List<ErrorDetail>();
        foreach (var (mspId, endpoint) in orderers)
        {
            Protos.Orderer.BroadcastResponse answer;
            try
            {
                answer = await _orderers.BroadcastAsync(endpoint, envelope, context.CancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex) when (!context.CancellationToken.IsCancellationRequested)
            {
                details.Add(GatewayErrors.Detail(endpoint, mspId, ex.Status.Detail));
                continue;
            }
            if (answer.Status == Status.Success)
            {
                return new SubmitResponse();
            }
            var text = $"received unsuccessful response from orderer: status={OrdererClient.StatusName(answer.Status)}, info={answer.Info}";
            if ((int)answer.Status is >= 400 and < 500)
            {
                throw GatewayErrors.Create(StatusCode.Aborted, text, [GatewayErrors.Detail(endpoint, mspId, text)]);
            }
            details.Add(GatewayErrors.Detail(endpoint, mspId, text));
        }
        throw GatewayErrors.Create(StatusCode.Unavailable, "no orderers could successfully process transaction", details);
    }
}
