using Google.Protobuf;
using Grpc.Core;
using ZonCoin.Gateway.Nodes;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Gateway.Tests.Nodes;

/// <summary>Peer answers classified as Fabric's gateway <c>responseStatus</c> does.</summary>
public sealed class EndorserAnswerTests
{
    private static readonly PeerAddress Peer = new("Org1MSP", "127.0.0.1:7051");

    [Theory]
    // Endorsements: 200-399.
    [InlineData(200, false, "", StatusCode.OK, false, "")]
    [InlineData(200, true, "", StatusCode.OK, false, "")]
    [InlineData(300, true, "moved", StatusCode.OK, false, "")]
    [InlineData(399, true, "", StatusCode.OK, false, "")]
    // 500 without payload: the peer's own failure (e.g. the chaincode could not be reached); another peer may do better.
    [InlineData(500, false, "chaincode unreachable", StatusCode.Aborted, true, "chaincode unreachable")]
    // 500 with payload and every other status: the chaincode's answer, final.
    [InlineData(500, true, "asset exists", StatusCode.Unknown, false, "chaincode response 500, asset exists")]
    [InlineData(400, false, "bad request", StatusCode.Unknown, false, "chaincode response 400, bad request")]
    [InlineData(400, true, "bad request", StatusCode.Unknown, false, "chaincode response 400, bad request")]
    [InlineData(404, false, "", StatusCode.Unknown, false, "chaincode response 404, ")]
    [InlineData(501, false, "nope", StatusCode.Unknown, false, "chaincode response 501, nope")]
    [InlineData(199, true, "early", StatusCode.Unknown, false, "chaincode response 199, early")]
    [InlineData(0, false, "", StatusCode.Unknown, false, "chaincode response 0, ")]
    public void Proposal_responses(int status, bool withPayload, string message, StatusCode code, bool retry, string expectedMessage)
    {
        var response = new ProposalResponse
        {
            Response = new Response { Status = status, Message = message },
            Payload = withPayload ? ByteString.CopyFromUtf8("payload") : ByteString.Empty,
        };

        var answer = EndorserAnswer.FromResponse(Peer, response);

        Assert.Equal(code, answer.Code);
        Assert.Equal(code == StatusCode.OK, answer.IsSuccess);
        Assert.Equal(retry, answer.Retry);
        Assert.Equal(expectedMessage, answer.Message);
        Assert.Same(response, answer.Response);
        Assert.Equal(Peer, answer.Peer);
    }

    [Theory]
    // The peer refused the proposal (our peers answer refusals as UNKNOWN, like Fabric's endorser): the client's fault, final.
    [InlineData(StatusCode.Unknown, StatusCode.FailedPrecondition, false)]
    [InlineData(StatusCode.InvalidArgument, StatusCode.FailedPrecondition, false)]
    [InlineData(StatusCode.PermissionDenied, StatusCode.FailedPrecondition, false)]
    [InlineData(StatusCode.FailedPrecondition, StatusCode.FailedPrecondition, false)]
    [InlineData(StatusCode.NotFound, StatusCode.FailedPrecondition, false)]
    // The peer could not be reached or did not answer in time: try another.
    [InlineData(StatusCode.Unavailable, StatusCode.Unavailable, true)]
    [InlineData(StatusCode.Internal, StatusCode.Unavailable, true)]
    [InlineData(StatusCode.Cancelled, StatusCode.Unavailable, true)]
    [InlineData(StatusCode.DeadlineExceeded, StatusCode.DeadlineExceeded, true)]
    public void Rpc_errors(StatusCode received, StatusCode code, bool retry)
    {
        var answer = EndorserAnswer.FromError(Peer, new RpcException(new Status(received, "access denied: creator org unknown")));

        Assert.Equal(code, answer.Code);
        Assert.False(answer.IsSuccess);
        Assert.Equal(retry, answer.Retry);
        Assert.Equal("access denied: creator org unknown", answer.Message);
        Assert.Null(answer.Response);
    }

    [Fact]
    public void An_error_without_detail_is_named_by_its_code()
    {
        Assert.Equal("Unavailable", EndorserAnswer.FromError(Peer, new RpcException(new Status(StatusCode.Unavailable, ""))).Message);
    }

    [Fact]
    public void A_proposal_response_without_a_response_is_the_peers_failure()
    {
        var answer = EndorserAnswer.FromResponse(Peer, new ProposalResponse());

        Assert.Equal(StatusCode.Aborted, answer.Code);
        Assert.True(answer.Retry);
    }
}
