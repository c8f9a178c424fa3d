using Grpc.Core;
using ZonCoin.Gateway.Nodes;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Server;

namespace ZonCoin.Gateway.Server;

internal sealed partial class GatewayServer
{
    /// <summary>
    /// <c>/gateway.Gateway/Evaluate</c>: runs the proposal on one peer (the gateway's own organisation's first, or
    /// the target organisations'), moving on to the next when a peer is unreachable or fails by itself, and returns
    /// the chaincode's response with the transaction result as its payload. A proposal with transient data goes only
    /// to the gateway's own organisation unless the client names target organisations.
    /// </summary>
    public async Task<EvaluateResponse> EvaluateAsync(EvaluateRequest request, ServerCallContext context)
    {
        var proposal = UnpackProposal(request.ProposedTransaction);
        var channel = await ChannelAsync(proposal.ChannelId, context.CancellationToken).ConfigureAwait(false);
        // As Fabric: transient data never leaves the gateway's organisation unless the client names target organisations.
        var transientProtected = proposal.Payload.TransientMap.Count > 0 && request.TargetOrganizations.Count == 0;
        var candidates = request.TargetOrganizations.Count > 0
            ? request.TargetOrganizations.SelectMany(channel.PeersOf).ToList()
            : transientProtected
                ? [.. channel.PeersOf(_topology.MspId)]
                : [.. channel.PeersOf(_topology.MspId), .. channel.Organizations.Where(org => org != _topology.MspId).SelectMany(channel.PeersOf)];
        if (candidates.Count == 0 && transientProtected)
        {
            throw GatewayErrors.Create(StatusCode.FailedPrecondition,
                "no endorsers found in the gateway's organization; retry specifying target organization(s) to protect transient data");
        }
        if (candidates.Count == 0)
        {
            throw GatewayErrors.Create(StatusCode.FailedPrecondition,
                $"no peers available to evaluate chaincode {proposal.ChaincodeName} in channel {proposal.ChannelId}");
        }
        var details = new List<ErrorDetail>();
        var code = StatusCode.Unavailable;
        foreach (var peer in candidates)
        {
            var answer = await _peers.ProcessProposalAsync(peer, request.ProposedTransaction, context.CancellationToken).ConfigureAwait(false);
            if (answer.IsSuccess)
            {
                _topology.Succeeded(peer);
                var result = answer.Response!.Response;
                result.Payload = ResultOf(answer.Response) ?? result.Payload;
                return new EvaluateResponse { Result = result };
            }
            details.Add(GatewayErrors.Detail(peer, answer.Message));
            code = answer.Code;
            if (!answer.Retry)
            {
                throw GatewayErrors.Create(answer.Code, $"evaluate call to endorser returned error: {answer.Message}", details);
            }
            _topology.Failed(peer);
        }
        throw GatewayErrors.Create(code, "failed to evaluate transaction, see attached details for more info", details);
    }

    /// <summary>The transaction result: the response payload inside the endorsed ChaincodeAction, as clients read it.</summary>
    private static Google.Protobuf.ByteString? ResultOf(ProposalResponse response)
    {
        try
        {
            var payload = ProposalResponsePayload.Parser.ParseFrom(response.Payload);
            return ChaincodeAction.Parser.ParseFrom(payload.Extension).Response?.Payload;
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
