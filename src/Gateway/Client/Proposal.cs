using Google.Protobuf;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Peer;
using ProposalMessage = ZonCoin.Protos.Peer.Proposal;

namespace ZonCoin.Gateway.Client;

/// <summary>
/// A chaincode proposal ready to evaluate or endorse (Fabric's <c>Proposal</c>). It is signed when first sent, or
/// carries a signature attached with <see cref="Gateway.NewSignedProposal"/>.
/// </summary>
public sealed class Proposal : Signable
{
    private readonly IReadOnlyList<string> _endorsingOrganizations;

    /// <summary>Bytes: The serialized <c>protos.Proposal</c> (<c>SignedProposal.proposal_bytes</c>).</summary>
    internal Proposal(GatewayClient client, byte[] bytes, string transactionId, string channelName, IReadOnlyList<string> endorsingOrganizations, byte[]? signature)
        : base(client, bytes, transactionId, channelName, signature, nameof(Gateway.NewSignedProposal))
    {
        _endorsingOrganizations = endorsingOrganizations;
    }

    /// <summary>Runs the transaction function on one peer without ordering it, and returns its result.</summary>
    public async Task<byte[]> EvaluateAsync(CancellationToken cancellationToken = default)
    {
        var request = new EvaluateRequest
        {
            TransactionId = TransactionId,
            ChannelId = ChannelName,
            ProposedTransaction = Signed(),
        };
        request.TargetOrganizations.AddRange(_endorsingOrganizations);
        var response = await Client.EvaluateAsync(request, cancellationToken).ConfigureAwait(false);
        return response.Result?.Payload.ToByteArray() ?? [];
    }

    /// <summary>Has the proposal endorsed and returns the prepared transaction, ready to sign and submit.</summary>
    public async Task<Transaction> EndorseAsync(CancellationToken cancellationToken = default)
    {
        var request = new EndorseRequest
        {
            TransactionId = TransactionId,
            ChannelId = ChannelName,
            ProposedTransaction = Signed(),
        };
        request.EndorsingOrganizations.AddRange(_endorsingOrganizations);
        var response = await Client.EndorseAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.PreparedTransaction is null || response.PreparedTransaction.Payload.IsEmpty)
        {
            throw new EndorseException(Grpc.Core.StatusCode.Internal, "the gateway returned no prepared transaction", [], TransactionId);
        }
        return Transaction.FromPayload(Client, response.PreparedTransaction.Payload.ToByteArray(), null);
    }

    /// <summary>Parses proposal bytes (for offline signing) and checks they are a chaincode proposal.</summary>
    internal static Proposal FromBytes(GatewayClient client, byte[] bytes, byte[]? signature)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var proposal = Messages.Parse(ProposalMessage.Parser, bytes, "Proposal");
        var header = Messages.Parse(Header.Parser, proposal.Header, "Proposal.header");
        var channelHeader = Messages.Parse(ChannelHeader.Parser, header.ChannelHeader, "Proposal.header.channel_header");
        if (string.IsNullOrEmpty(channelHeader.TxId))
        {
            throw new ArgumentException("the proposal has no transaction id", nameof(bytes));
        }
        return new Proposal(client, [.. bytes], channelHeader.TxId, channelHeader.ChannelId, [], signature);
    }

    private SignedProposal Signed()
    {
        return new SignedProposal { ProposalBytes = ByteString.CopyFrom(Bytes), Signature = ByteString.CopyFrom(Signature()) };
    }
}
