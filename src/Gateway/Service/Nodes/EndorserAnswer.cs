using Grpc.Core;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Gateway.Nodes;

/// <summary>
/// What one peer answered to a proposal, classified as Fabric's gateway does: <see cref="StatusCode.OK"/> for an
/// endorsement (status 200–399); UNKNOWN for a chaincode error (status ≥ 400 from the chaincode, which is final);
/// ABORTED for an error the peer itself produced (status 500 without payload: another peer may do better);
/// FAILED_PRECONDITION when the peer refused the proposal (bad signature, access denied: the client's fault);
/// UNAVAILABLE when the peer could not be reached.
/// </summary>
internal sealed record EndorserAnswer(PeerAddress Peer, ProposalResponse? Response, StatusCode Code, string Message)
{
    public bool IsSuccess => Code == StatusCode.OK;

    /// <summary>True when another peer may succeed where this one failed.</summary>
    public bool Retry => Code is StatusCode.Aborted or StatusCode.Unavailable or StatusCode.DeadlineExceeded;

    public static EndorserAnswer FromResponse(PeerAddress peer, ProposalResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var status = response.Response?.Status ?? 500;
        var message = response.Response?.Message ?? "the peer's proposal response has no response";
        if (status is >= 200 and < 400)
        {
            return new EndorserAnswer(peer, response, StatusCode.OK, "");
        }
        if (status == 500 && response.Payload.IsEmpty)
        {
            return new EndorserAnswer(peer, response, StatusCode.Aborted, message);
        }
        return new EndorserAnswer(peer, response, StatusCode.Unknown, $"chaincode response {status}, {message}");
    }

    public static EndorserAnswer FromError(PeerAddress peer, RpcException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var code = error.StatusCode switch
        {
            StatusCode.Unknown or StatusCode.InvalidArgument or StatusCode.PermissionDenied or StatusCode.FailedPrecondition or StatusCode.NotFound => StatusCode.FailedPrecondition,
            StatusCode.DeadlineExceeded => StatusCode.DeadlineExceeded,
            _ => StatusCode.Unavailable,
        };
        var message = string.IsNullOrEmpty(error.Status.Detail) ? error.StatusCode.ToString() : error.Status.Detail;
        return new EndorserAnswer(peer, null, code, message);
    }
}
