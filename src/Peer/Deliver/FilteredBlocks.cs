using Google.Protobuf;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.Deliver;

/// <summary>
/// Filtered blocks for DeliverFiltered (Fabric's): per transaction its txid, header type, validation code from
/// TRANSACTIONS_FILTER and, for endorser transactions, the chaincode event with its payload removed.
/// </summary>
internal static class FilteredBlocks
{
    public static FilteredBlock From(string channelId, Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var filter = block.Metadata.Metadata.Count > (int)BlockMetadataIndex.TransactionsFilter
            ? block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter]
            : ByteString.Empty;
        var filtered = new FilteredBlock { ChannelId = channelId, Number = block.Header.Number };
        for (var i = 0; i < block.Data.Data.Count; i++)
        {
            var code = i < filter.Length ? (TxValidationCode)filter[i] : TxValidationCode.NotValidated;
            filtered.FilteredTransactions.Add(Transaction(block.Data.Data[i], code));
        }
        return filtered;
    }

    /// <summary>The chaincode event of an endorser transaction, or null (also for anything that does not parse).</summary>
    public static ChaincodeEvent? EventOf(Payload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        try
        {
            var transaction = Protos.Peer.Transaction.Parser.ParseFrom(payload.Data);
            if (transaction.Actions.Count == 0)
            {
                return null;
            }
            var actionPayload = ChaincodeActionPayload.Parser.ParseFrom(transaction.Actions[0].Payload);
            if (actionPayload.Action is null)
            {
                return null;
            }
            var responsePayload = ProposalResponsePayload.Parser.ParseFrom(actionPayload.Action.ProposalResponsePayload);
            var action = ChaincodeAction.Parser.ParseFrom(responsePayload.Extension);
            return action.Events.IsEmpty ? null : ChaincodeEvent.Parser.ParseFrom(action.Events);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private static FilteredTransaction Transaction(ByteString envelopeBytes, TxValidationCode code)
    {
        var filtered = new FilteredTransaction { TxValidationCode = code };
        try
        {
            var payload = Payload.Parser.ParseFrom(Envelope.Parser.ParseFrom(envelopeBytes).Payload);
            if (payload.Header is null)
            {
                return filtered;
            }
            var header = ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader);
            filtered.Txid = header.TxId;
            filtered.Type = (HeaderType)header.Type;
            if (filtered.Type == HeaderType.EndorserTransaction)
            {
                var actions = new FilteredTransactionActions();
                if (EventOf(payload) is { } chaincodeEvent)
                {
                    var withoutPayload = chaincodeEvent.Clone();
                    withoutPayload.Payload = ByteString.Empty;
                    actions.ChaincodeActions.Add(new FilteredChaincodeAction { ChaincodeEvent = withoutPayload });
                }
                filtered.TransactionActions = actions;
            }
        }
        catch (InvalidProtocolBufferException)
        {
        }
        return filtered;
    }
}
