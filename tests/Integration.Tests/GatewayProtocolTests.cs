using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using ZonCoin.Core.Protocol;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// The gateway process on the wire, with raw gRPC calls as any Fabric client makes them: evaluate, endorse under a
/// two-org AND policy, submit, commit status, and its errors with <c>gateway.ErrorDetail</c>s.
/// </summary>
[Collection(GatewayNetworkCollectionDefinition.Name)]
public sealed class GatewayProtocolTests(GatewayNetwork network)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Endorse_submit_and_commit_status_commit_a_transaction_endorsed_by_both_orgs()
    {
        using var channel = network.Gateway.Connect();
        var id = PeerNetwork.NewId();
        var (proposal, txId) = PeerNetwork.Proposal(network.User, "CreateAsset", id, "blue", "5", "Tom", "100");

        var endorsed = await CallAsync(channel, GatewayService.Endorse, new EndorseRequest { TransactionId = txId, ChannelId = PeerNetwork.ChannelId, ProposedTransaction = proposal });
        var transaction = Transaction.Parser.ParseFrom(Payload.Parser.ParseFrom(endorsed.PreparedTransaction.Payload).Data);
        var action = ChaincodeActionPayload.Parser.ParseFrom(transaction.Actions[0].Payload);
        Assert.Equal(2, action.Action.Endorsements.Count);

        var signed = Endorsements.Sign(endorsed.PreparedTransaction, network.User);
        await CallAsync(channel, GatewayService.Submit, new SubmitRequest { TransactionId = txId, ChannelId = PeerNetwork.ChannelId, PreparedTransaction = signed });
        var status = await CallAsync(channel, GatewayService.CommitStatus, CommitStatusRequest(network.User, txId));
        Assert.Equal(TxValidationCode.Valid, status.Result);

        var (committedBlock, code) = await network.WaitForTransactionAsync(network.Peer2, txId);
        Assert.Equal(TxValidationCode.Valid, code);
        Assert.Equal(committedBlock, status.BlockNumber);

        var (read, _) = PeerNetwork.Proposal(network.User, "ReadAsset", id);
        var evaluated = await CallAsync(channel, GatewayService.Evaluate, new EvaluateRequest { TransactionId = "x", ChannelId = PeerNetwork.ChannelId, ProposedTransaction = read });
        Assert.Equal(200, evaluated.Result.Status);
        Assert.Contains("\"Color\":\"blue\"", evaluated.Result.Payload.ToStringUtf8(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_chaincode_error_on_evaluate_is_unknown_with_the_peer_in_the_details()
    {
        using var channel = network.Gateway.Connect();
        var (read, _) = PeerNetwork.Proposal(network.User, "ReadAsset", "no-such-asset");
        var error = await Assert.ThrowsAsync<RpcException>(() => CallAsync(channel, GatewayService.Evaluate, new EvaluateRequest { ChannelId = PeerNetwork.ChannelId, ProposedTransaction = read }));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.StartsWith("evaluate call to endorser returned error: chaincode response 500, ", error.Status.Detail, StringComparison.Ordinal);
        var detail = Assert.Single(error.GetDetails()).Unpack<ErrorDetail>();
        Assert.Equal(network.Org1.MspId, detail.MspId);
        Assert.Equal(network.Peer1.Endpoint, detail.Address);
    }

    [Fact]
    public async Task A_chaincode_error_on_endorse_is_aborted_with_details()
    {
        using var channel = network.Gateway.Connect();
        var (proposal, txId) = PeerNetwork.Proposal(network.User, "TransferAsset", "no-such-asset", "Bob");
        var error = await Assert.ThrowsAsync<RpcException>(() => CallAsync(channel, GatewayService.Endorse, new EndorseRequest { TransactionId = txId, ChannelId = PeerNetwork.ChannelId, ProposedTransaction = proposal }));
        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal("failed to endorse transaction, see attached details for more info", error.Status.Detail);
        Assert.All(error.GetDetails().Select(d => d.Unpack<ErrorDetail>()), d => Assert.StartsWith("chaincode response 500, ", d.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unknown_channel_and_malformed_requests_get_clear_errors_and_the_gateway_keeps_serving()
    {
        using var channel = network.Gateway.Connect();
        var (proposal, _) = Proposals.Create(ChaincodeInvocation.Of("no-such-channel", PeerNetwork.Chaincode, "GetAllAssets"), network.User);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => CallAsync(channel, GatewayService.Evaluate, new EvaluateRequest { ProposedTransaction = proposal }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no-such-channel", unknown.Status.Detail, StringComparison.Ordinal);

        var garbage = new SignedProposal { ProposalBytes = ByteString.CopyFromUtf8("not a proposal"), Signature = ByteString.CopyFromUtf8("x") };
        var malformed = await Assert.ThrowsAsync<RpcException>(() => CallAsync(channel, GatewayService.Endorse, new EndorseRequest { ProposedTransaction = garbage }));
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);

        var unsigned = await Assert.ThrowsAsync<RpcException>(() => CallAsync(channel, GatewayService.Submit, new SubmitRequest { PreparedTransaction = new Envelope { Payload = ByteString.CopyFromUtf8("x") } }));
        Assert.Equal(StatusCode.InvalidArgument, unsigned.StatusCode);
        Assert.Equal("prepared transaction must be signed", unsigned.Status.Detail);

        var (read, _) = PeerNetwork.Proposal(network.User, "GetAllAssets");
        var still = await CallAsync(channel, GatewayService.Evaluate, new EvaluateRequest { ProposedTransaction = read });
        Assert.Equal(200, still.Result.Status);
    }

    [Fact]
    public async Task Commit_status_for_someone_elses_transaction_is_refused()
    {
        using var channel = network.Gateway.Connect();
        var (proposal, txId) = PeerNetwork.Proposal(network.User, "CreateAsset", PeerNetwork.NewId(), "red", "1", "Ann", "10");
        var endorsed = await CallAsync(channel, GatewayService.Endorse, new EndorseRequest { ProposedTransaction = proposal });
        await CallAsync(channel, GatewayService.Submit, new SubmitRequest { PreparedTransaction = Endorsements.Sign(endorsed.PreparedTransaction, network.User) });

        var other = network.Org1.User("Admin");
        var refused = await Assert.ThrowsAsync<RpcException>(() => CallAsync(channel, GatewayService.CommitStatus, CommitStatusRequest(other, txId)));
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);

        var badSignature = CommitStatusRequest(network.User, txId);
        badSignature.Signature = ByteString.CopyFrom(other.Sign(badSignature.Request.Span));
        var forged = await Assert.ThrowsAsync<RpcException>(() => CallAsync(channel, GatewayService.CommitStatus, badSignature));
        Assert.Equal(StatusCode.PermissionDenied, forged.StatusCode);

        var mine = await CallAsync(channel, GatewayService.CommitStatus, CommitStatusRequest(network.User, txId));
        Assert.Equal(TxValidationCode.Valid, mine.Result);
    }

    [Fact]
    public async Task A_proposal_with_a_bad_signature_is_refused_with_fabrics_text_and_nothing_is_written()
    {
        using var channel = network.Gateway.Connect();
        var id = PeerNetwork.NewId();
        var (proposal, txId) = PeerNetwork.Proposal(network.User, "CreateAsset", id, "blue", "5", "Tom", "100");
        var forged = proposal.Clone();
        forged.Signature = ByteString.CopyFrom(network.Org1.User("Admin").Sign(proposal.ProposalBytes.Span));
        var expected = $"error validating proposal: access denied: channel [{PeerNetwork.ChannelId}] creator org [{network.Org1.MspId}]";

        var evaluate = await Assert.ThrowsAsync<RpcException>(() => CallAsync(channel, GatewayService.Evaluate, new EvaluateRequest { ProposedTransaction = forged }));
        Assert.Equal(StatusCode.FailedPrecondition, evaluate.StatusCode);
        Assert.Equal($"evaluate call to endorser returned error: {expected}", evaluate.Status.Detail);

        var endorse = await Assert.ThrowsAsync<RpcException>(() => CallAsync(channel, GatewayService.Endorse, new EndorseRequest { TransactionId = txId, ProposedTransaction = forged }));
        Assert.Equal(StatusCode.Aborted, endorse.StatusCode);
        Assert.Contains(endorse.GetDetails().Select(d => d.Unpack<ErrorDetail>()), d => d.Message == expected && d.MspId == network.Org1.MspId);

        var (exists, _) = PeerNetwork.Proposal(network.User, "AssetExists", id);
        var answer = await CallAsync(channel, GatewayService.Evaluate, new EvaluateRequest { ProposedTransaction = exists });
        Assert.Equal("false", answer.Result.Payload.ToStringUtf8());
    }

    [Fact]
    public async Task An_unknown_chaincode_is_an_error_naming_it_and_the_gateway_keeps_serving()
    {
        using var channel = network.Gateway.Connect();
        var (proposal, txId) = Proposals.Create(ChaincodeInvocation.Of(PeerNetwork.ChannelId, "no-such-chaincode", "Anything"), network.User);

        var evaluate = await Assert.ThrowsAsync<RpcException>(() => CallAsync(channel, GatewayService.Evaluate, new EvaluateRequest { ProposedTransaction = proposal }));
        Assert.Contains(evaluate.GetDetails().Select(d => d.Unpack<ErrorDetail>()), d => d.Message.Contains("make sure the chaincode no-such-chaincode has been successfully defined", StringComparison.Ordinal));

        var endorse = await Assert.ThrowsAsync<RpcException>(() => CallAsync(channel, GatewayService.Endorse, new EndorseRequest { TransactionId = txId, ProposedTransaction = proposal }));
        Assert.Equal(StatusCode.Aborted, endorse.StatusCode);
        Assert.Contains(endorse.GetDetails().Select(d => d.Unpack<ErrorDetail>()), d => d.Message.Contains("no-such-chaincode", StringComparison.Ordinal));

        var (read, _) = PeerNetwork.Proposal(network.User, "GetAllAssets");
        Assert.Equal(200, (await CallAsync(channel, GatewayService.Evaluate, new EvaluateRequest { ProposedTransaction = read })).Result.Status);
    }

    private static SignedCommitStatusRequest CommitStatusRequest(SigningIdentity identity, string txId)
    {
        var request = new CommitStatusRequest { TransactionId = txId, ChannelId = PeerNetwork.ChannelId, Identity = ByteString.CopyFrom(identity.Creator) }.ToByteString();
        return new SignedCommitStatusRequest { Request = request, Signature = ByteString.CopyFrom(identity.Sign(request.Span)) };
    }

    private static async Task<TResponse> CallAsync<TRequest, TResponse>(GrpcChannel channel, Method<TRequest, TResponse> method, TRequest request)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        using var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(deadline: DateTime.UtcNow + Deadline), request);
        return await call.ResponseAsync;
    }

    [Fact]
    public async Task The_gateway_is_unhealthy_while_no_peer_of_its_organisation_answers()
    {
        Assert.Equal(HttpStatusCode.OK, (await Health.GetAsync(network.Gateway.OperationsPort)).Status);

        await network.Peer1.StopAsync();
        try
        {
            var (_, body) = await Health.WaitForAsync(network.Gateway.OperationsPort, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("no peer of the gateway", body, StringComparison.Ordinal);
            Assert.Contains(network.Peer1.Endpoint, body, StringComparison.Ordinal);
        }
        finally
        {
            await network.Peer1.StartAsync();
        }

        await Health.WaitForAsync(network.Gateway.OperationsPort, HttpStatusCode.OK);

        // The gateway endorses through the restarted peer again once its connection is back (at most its reconnect
        // back-off). Endorse needs both orgs' peers under the AND policy (an evaluation could be served by Org2's peer
        // alone), so success means the gateway reaches the restarted peer, and the next test may rely on it.
        using var channel = network.Gateway.Connect();
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var (read, txId) = PeerNetwork.Proposal(network.User, "GetAllAssets");
            try
            {
                var endorsed = await CallAsync(channel, GatewayService.Endorse, new EndorseRequest { TransactionId = txId, ChannelId = PeerNetwork.ChannelId, ProposedTransaction = read });
                Assert.NotNull(endorsed.PreparedTransaction);
                break;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.Aborted && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}
