using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Grpc.Net.Client;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Client.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Msp;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Client;

namespace ZonCoin.Gateway.Client.Tests;

/// <summary>Proposal, transaction and commit bytes, digests and offline signing; no server needed.</summary>
public sealed class ProposalTests : IDisposable
{
    private readonly TestIdentity _client = new();
    // Nothing listens there: these tests never call.
    private readonly GrpcChannel _channel = RpcChannels.ForAddress("http://127.0.0.1:9");

    public void Dispose()
    {
        _channel.Dispose();
        _client.Dispose();
    }

    [Fact]
    public void Proposal_bytes_decode_to_what_the_protocol_specifies()
    {
        using var gateway = Gateway.Connect(_channel, _client.Identity, _client.Signer);
        var contract = gateway.GetNetwork("supplychain").GetContract("trade", "Shipment");

        var proposal = contract.NewProposal("create", new ProposalOptions
        {
            Arguments = [Encoding.UTF8.GetBytes("a"), Encoding.UTF8.GetBytes("b")],
            TransientData = new Dictionary<string, byte[]> { ["price"] = [9] },
            EndorsingOrganizations = ["Org1MSP"],
        });

        var message = Protos.Peer.Proposal.Parser.ParseFrom(proposal.Bytes);
        var header = Header.Parser.ParseFrom(message.Header);
        var channelHeader = ChannelHeader.Parser.ParseFrom(header.ChannelHeader);
        var signatureHeader = SignatureHeader.Parser.ParseFrom(header.SignatureHeader);
        Assert.Equal((int)HeaderType.EndorserTransaction, channelHeader.Type);
        Assert.Equal(0, channelHeader.Version);
        Assert.Equal(0UL, channelHeader.Epoch);
        Assert.Equal("supplychain", channelHeader.ChannelId);
        Assert.Equal("trade", ChaincodeHeaderExtension.Parser.ParseFrom(channelHeader.Extension).ChaincodeId.Name);
        Assert.NotNull(channelHeader.Timestamp);

        var creator = SerializedIdentity.Parser.ParseFrom(signatureHeader.Creator);
        Assert.Equal("Org1MSP", creator.Mspid);
        Assert.Equal(_client.CertificatePem, creator.IdBytes.ToByteArray());
        Assert.Equal(24, signatureHeader.Nonce.Length);
        var expectedTxId = Convert.ToHexStringLower(SHA256.HashData([.. signatureHeader.Nonce.Span, .. signatureHeader.Creator.Span]));
        Assert.Equal(expectedTxId, channelHeader.TxId);
        Assert.Equal(expectedTxId, proposal.TransactionId);

        var payload = ChaincodeProposalPayload.Parser.ParseFrom(message.Payload);
        var spec = ChaincodeInvocationSpec.Parser.ParseFrom(payload.Input).ChaincodeSpec;
        Assert.Equal(ChaincodeSpec.Types.Type.Node, spec.Type);
        Assert.Equal("trade", spec.ChaincodeId.Name);
        Assert.Equal(["Shipment:create", "a", "b"], spec.Input.Args.Select(a => a.ToStringUtf8()));
        Assert.Equal([9], payload.TransientMap["price"].ToByteArray());

        // Core's own unpacking (what a peer runs) accepts it.
        var unpacked = Proposals.Unpack(new SignedProposal { ProposalBytes = ByteString.CopyFrom(proposal.Bytes), Signature = ByteString.CopyFrom([1]) });
        Assert.Equal(proposal.TransactionId, unpacked.TxId);
    }

    [Fact]
    public void Without_a_contract_name_the_transaction_name_is_the_function_alone()
    {
        using var gateway = Gateway.Connect(_channel, _client.Identity, _client.Signer);
        var proposal = gateway.GetNetwork("ch").GetContract("cc").NewProposal("fn", ProposalOptions.WithArguments("x"));

        var unpacked = Proposals.Unpack(new SignedProposal { ProposalBytes = ByteString.CopyFrom(proposal.Bytes), Signature = ByteString.CopyFrom([1]) });
        Assert.Equal(["fn", "x"], unpacked.Args.Select(a => a.ToStringUtf8()));
        Assert.Null(gateway.GetNetwork("ch").GetContract("cc").ContractName);
    }

    [Fact]
    public void Each_proposal_gets_a_new_transaction_id_and_its_digest_is_the_sha256_of_its_bytes()
    {
        using var gateway = Gateway.Connect(_channel, _client.Identity, _client.Signer);
        var contract = gateway.GetNetwork("ch").GetContract("cc");

        var first = contract.NewProposal("fn");
        var second = contract.NewProposal("fn");

        Assert.NotEqual(first.TransactionId, second.TransactionId);
        Assert.Equal(SHA256.HashData(first.Bytes), first.Digest);
        Assert.Equal("ch", first.ChannelName);
    }

    [Fact]
    public async Task Without_a_signer_sending_throws_and_names_the_offline_method()
    {
        using var gateway = Gateway.Connect(_channel, _client.Identity, signer: null);
        var proposal = gateway.GetNetwork("ch").GetContract("cc").NewProposal("fn");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => proposal.EvaluateAsync());
        Assert.Contains(nameof(Gateway.NewSignedProposal), error.Message, StringComparison.Ordinal);
        var endorse = await Assert.ThrowsAsync<InvalidOperationException>(() => proposal.EndorseAsync());
        Assert.Contains(nameof(Gateway.NewSignedProposal), endorse.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_offline_signature_over_the_digest_verifies_over_the_bytes()
    {
        using var gateway = Gateway.Connect(_channel, _client.Identity, signer: null);
        var unsigned = gateway.GetNetwork("ch").GetContract("cc").NewProposal("fn", ProposalOptions.WithArguments("a"));

        // "Elsewhere": an HSM or wallet signs the digest only.
        var signature = EcdsaSignatures.SignDigest(_client.Key, unsigned.Digest);
        var signed = gateway.NewSignedProposal(unsigned.Bytes, signature);

        Assert.Equal(unsigned.TransactionId, signed.TransactionId);
        Assert.Equal("ch", signed.ChannelName);
        Assert.Equal(unsigned.Bytes, signed.Bytes);
        Assert.True(_client.Verifies(signed.Bytes, signature));
    }

    [Fact]
    public void Offline_signing_refuses_bytes_that_are_not_the_right_message()
    {
        using var gateway = Gateway.Connect(_channel, _client.Identity, signer: null);

        Assert.Throws<ArgumentException>(() => gateway.NewSignedProposal([0xff, 0xff, 0xff], [1]));
        Assert.Throws<ArgumentException>(() => gateway.NewSignedTransaction([0xff, 0xff, 0xff], [1]));
        Assert.Throws<ArgumentException>(() => gateway.NewSignedProposal(new Protos.Peer.Proposal().ToByteArray(), []));
    }

    [Fact]
    public void The_result_is_parsed_from_action_0_of_the_prepared_envelope()
    {
        using var endorser = new TestIdentity("Org1MSP", "peer0");
        using var gateway = Gateway.Connect(_channel, _client.Identity, signer: null);
        var proposal = gateway.GetNetwork("ch").GetContract("cc").NewProposal("fn");
        var unpacked = Proposals.Unpack(new SignedProposal { ProposalBytes = ByteString.CopyFrom(proposal.Bytes), Signature = ByteString.CopyFrom([1]) });
        var endorsement = Endorsements.Endorse(unpacked,
            new SimulationResult(new ChaincodeID { Name = "cc", Version = "1" }, new Response { Status = 200, Payload = ByteString.CopyFromUtf8("{\"ok\":true}") }, ByteString.Empty, null),
            endorser.SigningIdentity);
        var prepared = Endorsements.CreateTransaction(unpacked, [endorsement]);

        var signature = EcdsaSignatures.SignDigest(_client.Key, SHA256.HashData(prepared.Payload.Span));
        var transaction = gateway.NewSignedTransaction(prepared.Payload.ToByteArray(), signature);

        Assert.Equal("{\"ok\":true}", Encoding.UTF8.GetString(transaction.Result));
        Assert.Equal(proposal.TransactionId, transaction.TransactionId);
        Assert.Equal("ch", transaction.ChannelName);
        Assert.Equal(SHA256.HashData(transaction.Bytes), transaction.Digest);
        Assert.True(_client.Verifies(transaction.Bytes, signature));
    }

    [Fact]
    public void Commit_bytes_are_a_commit_status_request_with_the_client_identity()
    {
        using var gateway = Gateway.Connect(_channel, _client.Identity, signer: null);
        var bytes = new CommitStatusRequest { TransactionId = "abc", ChannelId = "ch", Identity = ByteString.CopyFrom(_client.Creator) }.ToByteArray();

        var signature = EcdsaSignatures.SignDigest(_client.Key, SHA256.HashData(bytes));
        var commit = gateway.NewSignedCommit(bytes, signature);

        Assert.Equal("abc", commit.TransactionId);
        Assert.Equal("ch", commit.ChannelName);
        Assert.Equal(SHA256.HashData(bytes), commit.Digest);
        Assert.True(_client.Verifies(commit.Bytes, signature));
    }
}
