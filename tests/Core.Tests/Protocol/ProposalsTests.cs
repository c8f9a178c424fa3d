using System.Text;
using Google.Protobuf;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Core.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Core.Tests.Protocol;

public sealed class ProposalsTests : IDisposable
{
    private readonly TestOrg _org = new("Org1MSP");

    public void Dispose() => _org.Dispose();

    [Fact]
    public void A_created_proposal_unpacks_with_every_field_fabric_expects()
    {
        var client = _org.NewIdentity("client");
        var invocation = ChaincodeInvocation.Of("zoncoin", "token", "Transfer", "bob", "10") with
        {
            Transient = new Dictionary<string, byte[]> { ["secret"] = [1, 2, 3] },
        };
        var (signed, txId) = Proposals.Create(invocation, client);

        var unpacked = Proposals.Unpack(signed);
        Assert.Equal(txId, unpacked.TxId);
        Assert.Equal(64, txId.Length);
        Assert.Equal("zoncoin", unpacked.ChannelId);
        Assert.Equal("token", unpacked.ChaincodeName);
        Assert.Equal("token", unpacked.Extension.ChaincodeId.Name);
        Assert.Equal((int)HeaderType.EndorserTransaction, unpacked.ChannelHeader.Type);
        Assert.Equal(0UL, unpacked.ChannelHeader.Epoch);
        Assert.Equal(TransactionIds.NonceSize, unpacked.SignatureHeader.Nonce.Length);
        Assert.Equal(client.Creator, unpacked.SignatureHeader.Creator.ToByteArray());
        Assert.Equal(ChaincodeSpec.Types.Type.Node, unpacked.Invocation.ChaincodeSpec.Type);
        Assert.Equal(["Transfer", "bob", "10"], unpacked.Args.Select(a => a.ToStringUtf8()));
        Assert.Equal([1, 2, 3], unpacked.Payload.TransientMap["secret"].ToByteArray());

        var creator = MspIdentity.Parse(unpacked.SignatureHeader.Creator.Span);
        Assert.True(creator.Verify(signed.ProposalBytes.Span, signed.Signature.Span));
    }

    [Fact]
    public void Proposal_hash_is_over_received_header_bytes_and_ignores_the_transient_map()
    {
        var client = _org.NewIdentity("client");
        var (signed, _) = Proposals.Create(ChaincodeInvocation.Of("ch", "cc", "fn") with
        {
            Transient = new Dictionary<string, byte[]> { ["k"] = [9] },
        }, client);
        var unpacked = Proposals.Unpack(signed);
        var expected = Hashing.Sha256Concat(
            unpacked.Header.ChannelHeader.ToByteArray(),
            unpacked.Header.SignatureHeader.ToByteArray(),
            new ChaincodeProposalPayload { Input = unpacked.Payload.Input }.ToByteArray());
        Assert.Equal(expected, unpacked.Hash());
    }

    [Fact]
    public void A_txid_that_does_not_match_nonce_and_creator_is_refused()
    {
        var client = _org.NewIdentity("client");
        var (signed, _) = Proposals.Create(ChaincodeInvocation.Of("ch", "cc", "fn"), client);
        var proposal = Proposal.Parser.ParseFrom(signed.ProposalBytes);
        var header = Header.Parser.ParseFrom(proposal.Header);
        var channelHeader = ChannelHeader.Parser.ParseFrom(header.ChannelHeader);
        channelHeader.TxId = new string('a', 64);
        header.ChannelHeader = channelHeader.ToByteString();
        proposal.Header = header.ToByteString();
        var tampered = new SignedProposal { ProposalBytes = proposal.ToByteString(), Signature = signed.Signature };

        var error = Assert.Throws<MalformedMessageException>(() => Proposals.Unpack(tampered));
        Assert.Contains("incorrectly computed txid", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x0a, 0x05, 0x01 })]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff })]
    [InlineData(new byte[] { 0x0a, 0x02, 0x0a, 0x7f })]
    public void Garbage_or_truncated_proposal_bytes_are_MalformedMessage(byte[] bytes)
    {
        var signed = new SignedProposal { ProposalBytes = ByteString.CopyFrom(bytes), Signature = ByteString.CopyFrom(1) };
        Assert.Throws<MalformedMessageException>(() => Proposals.Unpack(signed));
    }

    [Fact]
    public void Truncating_a_real_proposal_anywhere_never_escapes_as_another_exception()
    {
        var (signed, _) = Proposals.Create(ChaincodeInvocation.Of("ch", "cc", "fn", "a"), _org.NewIdentity("client"));
        var bytes = signed.ProposalBytes.ToByteArray();
        for (var length = 0; length < bytes.Length; length++)
        {
            var truncated = new SignedProposal { ProposalBytes = ByteString.CopyFrom(bytes, 0, length), Signature = signed.Signature };
            Assert.Throws<MalformedMessageException>(() => Proposals.Unpack(truncated));
        }
    }

    [Fact]
    public void Missing_signature_or_wrong_header_type_is_refused()
    {
        var client = _org.NewIdentity("client");
        var (signed, _) = Proposals.Create(ChaincodeInvocation.Of("ch", "cc", "fn"), client);
        Assert.Contains("signature is empty", Assert.Throws<MalformedMessageException>(
            () => Proposals.Unpack(new SignedProposal { ProposalBytes = signed.ProposalBytes })).Message, StringComparison.Ordinal);

        var deliver = Envelopes.CreateSigned(HeaderType.DeliverSeekInfo, "ch", new Envelope(), client);
        var payload = Payload.Parser.ParseFrom(deliver.Payload);
        var notAProposal = new SignedProposal
        {
            ProposalBytes = new Proposal { Header = payload.Header.ToByteString() }.ToByteString(),
            Signature = ByteString.CopyFrom(1),
        };
        Assert.Contains("invalid header type 5", Assert.Throws<MalformedMessageException>(() => Proposals.Unpack(notAProposal)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TransactionId_is_hex_sha256_of_nonce_and_creator()
    {
        var nonce = Encoding.UTF8.GetBytes("nonce");
        var creator = Encoding.UTF8.GetBytes("creator");
        Assert.Equal(Hashing.Sha256Hex(Encoding.UTF8.GetBytes("noncecreator")), TransactionIds.Compute(nonce, creator));
        Assert.Equal(TransactionIds.Compute(nonce, creator).ToLowerInvariant(), TransactionIds.Compute(nonce, creator));
    }
}
