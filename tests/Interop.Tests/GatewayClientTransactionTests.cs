using System.Text;
using System.Text.Json;
using Google.Protobuf;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Interop.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Interop.Tests;

/// <summary>
/// The reverse direction: a prepared transaction ZonCoin built (Endorsements.Endorse + CreateTransaction) for the
/// Node client's proposal, read and signed by the official client, offline and through endorse → submit →
/// commit status.
/// </summary>
public sealed class GatewayClientTransactionTests : IClassFixture<GatewayClientFixture>
{
    private readonly GatewayClientFixture _fixture;

    public GatewayClientTransactionTests(GatewayClientFixture fixture) => _fixture = fixture;

    private JsonElement Offline => _fixture.Transaction.GetProperty("offline");

    private JsonElement Online => _fixture.Transaction.GetProperty("online");

    private MspIdentity Client => _fixture.Org.Msps.DeserializeAndValidate(_fixture.Org.ClientCreator);

    [Fact]
    public void The_client_reads_the_result_and_transaction_id_from_our_prepared_transaction()
    {
        Assert.Equal(_fixture.Proposal.TxId, Offline.Text("transactionId"));
        Assert.Equal(GatewayClientFixture.ResultPayload, Encoding.UTF8.GetString(Offline.Bytes("result")));
        Assert.Equal(GatewayClientFixture.ResultPayload, Encoding.UTF8.GetString(Offline.Bytes("signedResult")));
    }

    [Fact]
    public void The_client_signs_our_envelope_payload_unchanged()
    {
        var signed = PreparedTransaction.Parser.ParseFrom(Offline.Bytes("signed"));
        Assert.Equal(_fixture.Proposal.TxId, signed.TransactionId);
        Assert.Equal(_fixture.Prepared.Payload, signed.Envelope.Payload);
        Assert.Equal(Offline.Bytes("signature"), signed.Envelope.Signature.ToByteArray());

        var payload = signed.Envelope.Payload.ToByteArray();
        Signatures.AssertDigestOf(payload, Offline.Bytes("digest"));
        Signatures.AssertSigned(Client, payload, signed.Envelope.Signature.ToByteArray());
    }

    [Fact]
    public void Endorse_sends_the_signed_proposal_and_the_client_reads_the_result_from_our_EndorseResponse()
    {
        var request = EndorseRequest.Parser.ParseFrom(Online.Bytes("endorseRequest"));
        Assert.Equal(_fixture.Proposal.TxId, request.TransactionId);
        Assert.Equal(GatewayClientFixture.Channel, request.ChannelId);
        Assert.Empty(request.EndorsingOrganizations);
        Assert.Equal(_fixture.Proposal.SignedProposal, request.ProposedTransaction);

        Assert.Equal(_fixture.Proposal.TxId, Online.Text("transactionId"));
        Assert.Equal(GatewayClientFixture.ResultPayload, Encoding.UTF8.GetString(Online.Bytes("result")));
        Assert.Equal(GatewayClientFixture.ResultPayload, Encoding.UTF8.GetString(Online.Bytes("submittedResult")));
    }

    [Fact]
    public void Submitted_envelope_is_our_payload_signed_by_the_client_and_still_matches_the_endorsement()
    {
        var request = SubmitRequest.Parser.ParseFrom(Online.Bytes("submitRequest"));
        Assert.Equal(_fixture.Proposal.TxId, request.TransactionId);
        Assert.Equal(GatewayClientFixture.Channel, request.ChannelId);
        Assert.Equal(_fixture.Prepared.Payload, request.PreparedTransaction.Payload);
        Signatures.AssertSigned(Client, request.PreparedTransaction.Payload.ToByteArray(), request.PreparedTransaction.Signature.ToByteArray());

        // What a committer checks: same header bytes as the proposal, and the proposal hash recomputed from the
        // transaction equals the one the peer endorsed, whose signature still verifies.
        var envelope = Envelopes.Unpack(request.PreparedTransaction);
        Assert.Equal(HeaderType.EndorserTransaction, envelope.Type);
        Assert.Equal(_fixture.Proposal.Proposal.Header, envelope.Payload.Header.ToByteString());
        var action = Assert.Single(ZonCoin.Protos.Peer.Transaction.Parser.ParseFrom(envelope.Payload.Data).Actions);
        var actionPayload = ChaincodeActionPayload.Parser.ParseFrom(action.Payload);
        var prp = ProposalResponsePayload.Parser.ParseFrom(actionPayload.Action.ProposalResponsePayload);
        var recomputed = Hashing.Sha256Concat(
            envelope.Payload.Header.ChannelHeader.ToByteArray(), action.Header.ToByteArray(), actionPayload.ChaincodeProposalPayload.ToByteArray());
        Assert.Equal(prp.ProposalHash.ToByteArray(), recomputed);
        var endorsement = Assert.Single(actionPayload.Action.Endorsements);
        var endorser = _fixture.Org.Msps.DeserializeAndValidate(endorsement.Endorser.Span);
        Assert.Equal(NodeRole.Peer, _fixture.Org.Msp.RoleOf(endorser));
        Assert.True(endorser.Verify([.. actionPayload.Action.ProposalResponsePayload.Span, .. endorsement.Endorser.Span], endorsement.Signature.Span));
        Assert.Empty(ChaincodeProposalPayload.Parser.ParseFrom(actionPayload.ChaincodeProposalPayload).TransientMap);
    }

    [Fact]
    public void Commit_status_request_decodes_and_verifies_and_the_client_reads_our_response()
    {
        var signed = SignedCommitStatusRequest.Parser.ParseFrom(Online.Bytes("commitStatusRequest"));
        var request = CommitStatusRequest.Parser.ParseFrom(signed.Request);
        Assert.Equal(_fixture.Proposal.TxId, request.TransactionId);
        Assert.Equal(GatewayClientFixture.Channel, request.ChannelId);
        Assert.Equal(_fixture.Org.ClientCreator, request.Identity.ToByteArray());
        Signatures.AssertSigned(Client, signed.Request.ToByteArray(), signed.Signature.ToByteArray());

        // Offline form of the same request: unsigned bytes, digest, Gateway.newSignedCommit.
        var unsigned = SignedCommitStatusRequest.Parser.ParseFrom(Online.Bytes("commitUnsigned"));
        Assert.True(unsigned.Signature.IsEmpty);
        Assert.Equal(signed.Request, unsigned.Request);
        Signatures.AssertDigestOf(unsigned.Request.ToByteArray(), Online.Bytes("commitDigest"));
        var offline = SignedCommitStatusRequest.Parser.ParseFrom(Online.Bytes("commitSigned"));
        Assert.Equal(signed.Request, offline.Request);
        Signatures.AssertSigned(Client, offline.Request.ToByteArray(), offline.Signature.ToByteArray());
        Assert.Equal(_fixture.Proposal.TxId, Online.Text("commitTransactionId"));

        var status = Online.GetProperty("status");
        Assert.Equal(GatewayClientFixture.CommitBlock.ToString(System.Globalization.CultureInfo.InvariantCulture), status.Text("blockNumber"));
        Assert.Equal((int)TxValidationCode.Valid, status.GetProperty("code").GetInt32());
        Assert.True(status.GetProperty("successful").GetBoolean());
        Assert.Equal(_fixture.Proposal.TxId, status.Text("transactionId"));
    }
}
