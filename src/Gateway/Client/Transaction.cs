using Google.Protobuf;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Peer;
using TransactionMessage = ZonCoin.Protos.Peer.Transaction;

namespace ZonCoin.Gateway.Client;

/// <summary>
/// An endorsed transaction, ready to submit (Fabric's <c>Transaction</c>): the prepared envelope the gateway
/// returned. It is signed when submitted, or carries a signature attached with <see cref="Gateway.NewSignedTransaction"/>.
/// </summary>
public sealed class Transaction : Signable
{
    private readonly byte[] _result;

    /// <summary>Bytes: The prepared envelope's payload (<c>Envelope.payload</c>).</summary>
    private Transaction(GatewayClient client, byte[] bytes, string transactionId, string channelName, byte[] result, byte[]? signature)
        : base(client, bytes, transactionId, channelName, signature, nameof(Gateway.NewSignedTransaction))
    {
        _result = result;
    }

    /// <summary>The transaction function's result, as endorsed (action 0's chaincode response payload).</summary>
    public byte[] Result => [.. _result];

    /// <summary>Sends the signed transaction to be ordered; returns at once, before it commits.</summary>
    public async Task<SubmittedTransaction> SubmitAsync(CancellationToken cancellationToken = default)
    {
        var request = new SubmitRequest
        {
            TransactionId = TransactionId,
            ChannelId = ChannelName,
            PreparedTransaction = new Envelope { Payload = ByteString.CopyFrom(Bytes), Signature = ByteString.CopyFrom(Signature()) },
        };
        await Client.SubmitAsync(request, cancellationToken).ConfigureAwait(false);
        return new SubmittedTransaction(Client, Commit.NewRequestBytes(Client, TransactionId, ChannelName), TransactionId, ChannelName, _result);
    }

    /// <summary>Parses a prepared envelope's payload; throws <see cref="ArgumentException"/> for anything else.</summary>
    internal static Transaction FromPayload(GatewayClient client, byte[] payloadBytes, byte[]? signature)
    {
        ArgumentNullException.ThrowIfNull(payloadBytes);
        try
        {
            var payload = Messages.Parse(Payload.Parser, payloadBytes, "Envelope.payload");
            if (payload.Header is null)
            {
                throw new MalformedMessageException("Payload", "header is missing");
            }
            var channelHeader = Messages.Parse(ChannelHeader.Parser, payload.Header.ChannelHeader, "Payload.header.channel_header");
            return new Transaction(client, [.. payloadBytes], channelHeader.TxId, channelHeader.ChannelId, ParseResult(payload), signature);
        }
        catch (MalformedMessageException ex)
        {
            throw new ArgumentException($"not a prepared transaction: {ex.Message}", nameof(payloadBytes), ex);
        }
    }

    /// <summary>The result in a prepared transaction: action 0's <c>ChaincodeAction.response.payload</c> (PROTOCOL.md §2.6).</summary>
    internal static byte[] ParseResult(Payload payload)
    {
        var transaction = Messages.Parse(TransactionMessage.Parser, payload.Data, "Payload.data");
        if (transaction.Actions.Count == 0)
        {
            throw new MalformedMessageException("Transaction", "no actions");
        }
        var actionPayload = Messages.Parse(ChaincodeActionPayload.Parser, transaction.Actions[0].Payload, "TransactionAction.payload");
        if (actionPayload.Action is null)
        {
            throw new MalformedMessageException("ChaincodeActionPayload", "action is missing");
        }
        var responsePayload = Messages.Parse(ProposalResponsePayload.Parser, actionPayload.Action.ProposalResponsePayload, "ChaincodeEndorsedAction.proposal_response_payload");
        var action = Messages.Parse(ChaincodeAction.Parser, responsePayload.Extension, "ProposalResponsePayload.extension");
        return action.Response?.Payload.ToByteArray() ?? [];
    }
}
