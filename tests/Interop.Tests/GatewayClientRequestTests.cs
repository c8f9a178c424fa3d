using System.Text;
using System.Text.Json;
using Google.Protobuf;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Interop.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Orderer;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Interop.Tests;

/// <summary>
/// What the official Fabric Node client (@hyperledger/fabric-gateway) signs, decoded and verified with ZonCoin's
/// protocol helpers and MSP: the chaincode proposal, chaincode-events and block-events requests, and the
/// Evaluate request the client signs itself.
/// </summary>
public sealed class GatewayClientRequestTests : IClassFixture<GatewayClientFixture>
{
    private const ulong MaxSafeInteger = (1UL << 53) - 1;

    private readonly GatewayClientFixture _fixture;

    public GatewayClientRequestTests(GatewayClientFixture fixture) => _fixture = fixture;

    private JsonElement Output(string name) => _fixture.Requests.GetProperty(name);

    private MspIdentity ValidClient(ByteString creator)
    {
        var identity = _fixture.Org.Msps.DeserializeAndValidate(creator.Span);
        Assert.Equal(_fixture.Org.MspId, identity.MspId);
        Assert.Equal(NodeRole.Client, _fixture.Org.Msp.RoleOf(identity));
        // The client serializes its identity byte for byte as ZonCoin does (PEM id_bytes).
        Assert.Equal(_fixture.Org.ClientCreator, creator.ToByteArray());
        return identity;
    }

    [Fact]
    public void The_offline_API_made_no_call()
    {
        Assert.Equal("IDLE", _fixture.Requests.Text("connectivity"));
    }

    [Fact]
    public void Proposal_bytes_are_a_ProposedTransaction_that_unpacks_with_our_code()
    {
        var output = Output("proposal");
        var txId = output.Text("transactionId");
        var proposed = ProposedTransaction.Parser.ParseFrom(output.Bytes("signed"));
        Assert.Equal(txId, proposed.TransactionId);
        Assert.Equal(txId, output.Text("reparsedTransactionId"));
        Assert.Empty(proposed.EndorsingOrganizations);

        var unpacked = Proposals.Unpack(proposed.Proposal);
        Assert.Equal(txId, unpacked.TxId);
        Assert.Equal(TransactionIds.NonceSize, unpacked.SignatureHeader.Nonce.Length);
        Assert.Equal(txId, TransactionIds.Compute(unpacked.SignatureHeader.Nonce.Span, unpacked.SignatureHeader.Creator.Span));
        Assert.Matches("^[0-9a-f]{64}$", txId);
    }

    [Fact]
    public void Proposal_headers_carry_what_PROTOCOL_section_1_says()
    {
        var proposal = _fixture.Proposal;
        var header = proposal.ChannelHeader;
        Assert.Equal((int)HeaderType.EndorserTransaction, header.Type);
        Assert.Equal(0, header.Version);
        Assert.Equal(0UL, header.Epoch);
        Assert.Equal(GatewayClientFixture.Channel, header.ChannelId);
        Assert.True(header.TlsCertHash.IsEmpty);
        Assert.InRange(header.Timestamp.ToDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(GatewayClientFixture.Chaincode, proposal.Extension.ChaincodeId.Name);
        Assert.True(proposal.Proposal.Extension.IsEmpty);
        ValidClient(proposal.SignatureHeader.Creator);
    }

    [Fact]
    public void Proposal_payload_has_a_NODE_spec_the_contract_qualified_function_and_the_transient_map()
    {
        var proposal = _fixture.Proposal;
        var spec = proposal.Invocation.ChaincodeSpec;
        Assert.Equal(ChaincodeSpec.Types.Type.Node, spec.Type);
        Assert.Equal(GatewayClientFixture.Chaincode, proposal.ChaincodeName);
        Assert.Equal(["MyContract:Transfer", "alice", "bob", "10"], proposal.Args.Select(a => a.ToStringUtf8()));
        Assert.False(spec.Input.IsInit);
        Assert.Empty(spec.Input.Decorations);
        var transient = Assert.Single(proposal.Payload.TransientMap);
        Assert.Equal("secret", transient.Key);
        Assert.Equal("x", transient.Value.ToStringUtf8());

        // The proposal hash ZonCoin endorses leaves the transient map out.
        var withoutTransient = ChaincodeProposalPayload.Parser.ParseFrom(Proposals.WithoutTransient(proposal.Payload));
        Assert.Empty(withoutTransient.TransientMap);
        Assert.Equal(proposal.Payload.Input, withoutTransient.Input);
    }

    [Fact]
    public void Proposal_signature_verifies_with_our_MSP_and_is_low_S()
    {
        var output = Output("proposal");
        var signed = ProposedTransaction.Parser.ParseFrom(output.Bytes("signed")).Proposal;
        var unsigned = ProposedTransaction.Parser.ParseFrom(output.Bytes("unsigned")).Proposal;
        Assert.True(unsigned.Signature.IsEmpty);
        Assert.Equal(unsigned.ProposalBytes, signed.ProposalBytes);
        Assert.Equal(output.Bytes("signature"), signed.Signature.ToByteArray());

        var proposalBytes = signed.ProposalBytes.ToByteArray();
        Signatures.AssertDigestOf(proposalBytes, output.Bytes("digest"));
        var creator = ValidClient(_fixture.Proposal.SignatureHeader.Creator);
        Signatures.AssertSigned(creator, proposalBytes, signed.Signature.ToByteArray());
    }

    [Fact]
    public void An_unsigned_proposal_is_refused_by_Unpack()
    {
        var unsigned = ProposedTransaction.Parser.ParseFrom(Output("proposal").Bytes("unsigned")).Proposal;
        var ex = Assert.Throws<MalformedMessageException>(() => Proposals.Unpack(unsigned));
        Assert.Contains("signature", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_request_the_client_signed_itself_unpacks_and_verifies()
    {
        var output = Output("evaluate");
        Assert.Equal(GatewayClientFixture.EvaluatePayload, Encoding.UTF8.GetString(output.Bytes("result")));

        var request = EvaluateRequest.Parser.ParseFrom(output.Bytes("request"));
        Assert.Equal(GatewayClientFixture.Channel, request.ChannelId);
        Assert.Empty(request.TargetOrganizations);
        var proposal = Proposals.Unpack(request.ProposedTransaction);
        Assert.Equal(request.TransactionId, proposal.TxId);
        Assert.Equal(["MyContract:Transfer", "alice", "bob", "10"], proposal.Args.Select(a => a.ToStringUtf8()));
        Assert.Empty(proposal.Payload.TransientMap);
        var creator = ValidClient(proposal.SignatureHeader.Creator);
        Signatures.AssertSigned(creator, request.ProposedTransaction.ProposalBytes.ToByteArray(), request.ProposedTransaction.Signature.ToByteArray());
    }

    [Theory]
    [InlineData("chaincodeEvents", 5UL, "")]
    [InlineData("chaincodeEventsCheckpoint", 8UL, "tx-after-this-one")]
    public void Chaincode_events_request_decodes_and_verifies(string name, ulong startBlock, string afterTransactionId)
    {
        var output = Output(name);
        var signed = SignedChaincodeEventsRequest.Parser.ParseFrom(output.Bytes("signed"));
        Assert.True(SignedChaincodeEventsRequest.Parser.ParseFrom(output.Bytes("unsigned")).Signature.IsEmpty);
        var request = ChaincodeEventsRequest.Parser.ParseFrom(signed.Request);
        Assert.Equal(GatewayClientFixture.Channel, request.ChannelId);
        Assert.Equal(GatewayClientFixture.Chaincode, request.ChaincodeId);
        Assert.Equal(SeekPosition.TypeOneofCase.Specified, request.StartPosition.TypeCase);
        Assert.Equal(startBlock, request.StartPosition.Specified.Number);
        Assert.Equal(afterTransactionId, request.AfterTransactionId);

        var requestBytes = signed.Request.ToByteArray();
        Signatures.AssertDigestOf(requestBytes, output.Bytes("digest"));
        Signatures.AssertSigned(ValidClient(request.Identity), requestBytes, signed.Signature.ToByteArray());
    }

    [Theory]
    [InlineData("blockEvents", 3L)]
    [InlineData("filteredBlockEvents", -1L)]
    [InlineData("privateDataEvents", 7L)]
    public void Block_events_seek_envelope_decodes_and_verifies(string name, long startBlock)
    {
        var output = Output(name);
        Assert.True(Envelope.Parser.ParseFrom(output.Bytes("unsigned")).Signature.IsEmpty);
        var envelope = Envelopes.Unpack(ByteString.CopyFrom(output.Bytes("signed")));

        Assert.Equal(HeaderType.DeliverSeekInfo, envelope.Type);
        Assert.Equal(GatewayClientFixture.Channel, envelope.ChannelHeader.ChannelId);
        Assert.Equal(0UL, envelope.ChannelHeader.Epoch);
        Assert.Equal(string.Empty, envelope.ChannelHeader.TxId);
        Assert.True(envelope.ChannelHeader.TlsCertHash.IsEmpty);
        Assert.InRange(envelope.ChannelHeader.Timestamp.ToDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.True(envelope.SignatureHeader.Nonce.IsEmpty, "block-events requests carry no nonce (PROTOCOL §2.7)");

        var seek = SeekInfo.Parser.ParseFrom(envelope.Payload.Data);
        if (startBlock < 0)
        {
            Assert.Equal(SeekPosition.TypeOneofCase.NextCommit, seek.Start.TypeCase);
        }
        else
        {
            Assert.Equal(SeekPosition.TypeOneofCase.Specified, seek.Start.TypeCase);
            Assert.Equal((ulong)startBlock, seek.Start.Specified.Number);
        }
        Assert.Equal(SeekPosition.TypeOneofCase.Specified, seek.Stop.TypeCase);
        Assert.Equal(MaxSafeInteger, seek.Stop.Specified.Number);
        Assert.Equal(SeekInfo.Types.SeekBehavior.BlockUntilReady, seek.Behavior);

        var payload = envelope.Envelope.Payload.ToByteArray();
        Signatures.AssertDigestOf(payload, output.Bytes("digest"));
        Signatures.AssertSigned(ValidClient(envelope.SignatureHeader.Creator), payload, envelope.Envelope.Signature.ToByteArray());
    }
}
