using Google.Protobuf;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Core.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Core.Tests.Protocol;

public sealed class EndorsementsTests : IDisposable
{
    private readonly TestOrg _org1 = new("Org1MSP");
    private readonly TestOrg _org2 = new("Org2MSP");

    public void Dispose()
    {
        _org1.Dispose();
        _org2.Dispose();
    }

    private static SimulationResult Result(string payload = "42") => new(
        new ChaincodeID { Name = "token", Version = "1.0" },
        new Response { Status = 200, Payload = ByteString.CopyFromUtf8(payload) },
        ByteString.CopyFrom(1, 2, 3),
        new ChaincodeEvent { ChaincodeId = "token", TxId = "t", EventName = "Transfer", Payload = ByteString.CopyFromUtf8("{}") });

    [Fact]
    public void Endorsement_signature_covers_payload_and_endorser()
    {
        var (signed, _) = Proposals.Create(ChaincodeInvocation.Of("ch", "token", "fn"), _org1.NewIdentity("client"));
        var proposal = Proposals.Unpack(signed);
        var peer = _org1.NewIdentity("peer");
        var response = Endorsements.Endorse(proposal, Result(), peer);

        Assert.Equal(1, response.Version);
        Assert.Equal(peer.Creator, response.Endorsement.Endorser.ToByteArray());
        var prp = ProposalResponsePayload.Parser.ParseFrom(response.Payload);
        Assert.Equal(proposal.Hash(), prp.ProposalHash.ToByteArray());
        var action = ChaincodeAction.Parser.ParseFrom(prp.Extension);
        Assert.Equal("1.0", action.ChaincodeId.Version);
        Assert.Equal("42", action.Response.Payload.ToStringUtf8());
        Assert.Equal("Transfer", ChaincodeEvent.Parser.ParseFrom(action.Events).EventName);

        var endorser = MspIdentity.Parse(response.Endorsement.Endorser.Span);
        Assert.True(endorser.Verify([.. response.Payload.Span, .. response.Endorsement.Endorser.Span], response.Endorsement.Signature.Span));
    }

    [Fact]
    public void A_failed_simulation_gets_no_endorsement()
    {
        var (signed, _) = Proposals.Create(ChaincodeInvocation.Of("ch", "token", "fn"), _org1.NewIdentity("client"));
        var failed = Result() with { Response = new Response { Status = 500, Message = "boom" } };
        var response = Endorsements.Endorse(Proposals.Unpack(signed), failed, _org1.NewIdentity("peer"));
        Assert.Null(response.Endorsement);
        Assert.True(response.Payload.IsEmpty);
        Assert.Equal(500, response.Response.Status);
    }

    [Fact]
    public void The_transaction_envelope_reuses_the_proposal_header_and_drops_transient_data()
    {
        var client = _org1.NewIdentity("client");
        var (signed, txId) = Proposals.Create(ChaincodeInvocation.Of("ch", "token", "fn") with
        {
            Transient = new Dictionary<string, byte[]> { ["secret"] = [7] },
        }, client);
        var proposal = Proposals.Unpack(signed);
        var peer1 = _org1.NewIdentity("peer");
        var peer2 = _org2.NewIdentity("peer");
        var r1 = Endorsements.Endorse(proposal, Result(), peer1);
        var r2 = Endorsements.Endorse(proposal, Result(), peer2);

        var prepared = Endorsements.CreateTransaction(proposal, [r1, r2, r1]);
        Assert.True(prepared.Signature.IsEmpty);
        var unpacked = Envelopes.Unpack(Endorsements.Sign(prepared, client));
        Assert.Equal(proposal.Proposal.Header, unpacked.Payload.Header.ToByteString());
        Assert.Equal(txId, unpacked.ChannelHeader.TxId);
        Assert.True(MspIdentity.Parse(client.Creator).Verify(unpacked.Envelope.Payload.Span, unpacked.Envelope.Signature.Span));

        var transaction = Transaction.Parser.ParseFrom(unpacked.Payload.Data);
        var action = Assert.Single(transaction.Actions);
        Assert.Equal(proposal.Header.SignatureHeader, action.Header);
        var actionPayload = ChaincodeActionPayload.Parser.ParseFrom(action.Payload);
        var cpp = ChaincodeProposalPayload.Parser.ParseFrom(actionPayload.ChaincodeProposalPayload);
        Assert.Empty(cpp.TransientMap);
        Assert.Equal(proposal.Payload.Input, cpp.Input);
        Assert.Equal(r1.Payload, actionPayload.Action.ProposalResponsePayload);
        Assert.Equal(2, actionPayload.Action.Endorsements.Count);

        // The hash the committer recomputes from the transaction equals the endorsed proposal hash.
        var recomputed = ZonCoin.Core.Crypto.Hashing.Sha256Concat(unpacked.Payload.Header.ChannelHeader.ToByteArray(), action.Header.ToByteArray(), actionPayload.ChaincodeProposalPayload.ToByteArray());
        Assert.Equal(ProposalResponsePayload.Parser.ParseFrom(r1.Payload).ProposalHash.ToByteArray(), recomputed);
    }

    [Fact]
    public void Disagreeing_or_failed_endorsements_cannot_form_a_transaction()
    {
        var (signed, _) = Proposals.Create(ChaincodeInvocation.Of("ch", "token", "fn"), _org1.NewIdentity("client"));
        var proposal = Proposals.Unpack(signed);
        var a = Endorsements.Endorse(proposal, Result("1"), _org1.NewIdentity("peer"));
        var b = Endorsements.Endorse(proposal, Result("2"), _org2.NewIdentity("peer"));
        Assert.Contains("do not match", Assert.Throws<ArgumentException>(() => Endorsements.CreateTransaction(proposal, [a, b])).Message, StringComparison.Ordinal);
        var failed = Endorsements.Endorse(proposal, Result() with { Response = new Response { Status = 500 } }, _org1.NewIdentity("peer"));
        Assert.Throws<ArgumentException>(() => Endorsements.CreateTransaction(proposal, [failed]));
        Assert.Throws<ArgumentException>(() => Endorsements.CreateTransaction(proposal, []));
    }

    [Fact]
    public void An_endorsement_without_chaincode_version_is_refused()
    {
        var (signed, _) = Proposals.Create(ChaincodeInvocation.Of("ch", "token", "fn"), _org1.NewIdentity("client"));
        var noVersion = Result() with { ChaincodeId = new ChaincodeID { Name = "token" } };
        Assert.Throws<ArgumentException>(() => Endorsements.Endorse(Proposals.Unpack(signed), noVersion, _org1.NewIdentity("peer")));
    }

    [Fact]
    public void Envelopes_with_garbage_layers_are_MalformedMessage()
    {
        Assert.Throws<MalformedMessageException>(() => Envelopes.Unpack(new Envelope()));
        Assert.Throws<MalformedMessageException>(() => Envelopes.Unpack(new Envelope { Payload = ByteString.CopyFrom(0xff, 0x01) }));
        Assert.Throws<MalformedMessageException>(() => Envelopes.Unpack(new Envelope { Payload = new Payload().ToByteString() }));
        var badHeader = new Payload { Header = new Header { ChannelHeader = ByteString.CopyFrom(0x0a, 0x09) } };
        Assert.Throws<MalformedMessageException>(() => Envelopes.Unpack(new Envelope { Payload = badHeader.ToByteString() }));
        Assert.Throws<MalformedMessageException>(() => Envelopes.Unpack(ByteString.CopyFrom(0x0a)));
    }
}
