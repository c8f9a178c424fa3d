using Google.Protobuf;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.State;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Ledger.Rwset;
using ZonCoin.Protos.Ledger.Rwset.Kvrwset;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.Validation;

/// <summary>
/// The checks of one transaction that need no ledger state, so a block's transactions run them in parallel
/// (Fabric's txvalidator): structure, channel, creator and signature, txid, the proposal hash binding, and the
/// endorsers' signatures (their policies need key-level state, so <see cref="EndorsementPolicyValidator"/> checks
/// them serially after). Never throws for bad input: every problem becomes a <see cref="TxValidationCode"/>.
/// </summary>
internal sealed class TransactionValidator
{
    private readonly string _channelId;
    private readonly OwnSignatures? _ownSignatures;
    private readonly MspManager _msps;
    private readonly IChaincodeDefinitions _definitions;

    /// <param name="ownSignatures">The endorsements this peer signed itself: not verified again (they are its own).</param>
    public TransactionValidator(string channelId, MspManager msps, IChaincodeDefinitions definitions, OwnSignatures? ownSignatures = null)
    {
        _ownSignatures = ownSignatures;
        _channelId = channelId;
        _msps = msps;
        _definitions = definitions;
    }

    public TransactionVerdict Validate(ByteString envelopeBytes) => Validate(envelopeBytes, verify: true);

    /// <summary>
    /// What a transaction that a committed block's TRANSACTIONS_FILTER records as valid holds, parsed without
    /// checking its creator, signatures or endorsement policies again (they were checked at commit, under the
    /// configuration and definitions then in force, which may have changed since); null when it does not parse.
    /// For recovery and rebuilding state from blocks.
    /// </summary>
    public ParsedTransaction? ParseRecorded(ByteString envelopeBytes) => Validate(envelopeBytes, verify: false).Transaction;

    private TransactionVerdict Validate(ByteString envelopeBytes, bool verify)
    {
        if (envelopeBytes.IsEmpty)
        {
            return TransactionVerdict.Invalid(TxValidationCode.NilEnvelope, "empty envelope");
        }
        Envelope envelope;
        Payload payload;
        try
        {
            envelope = Envelope.Parser.ParseFrom(envelopeBytes);
            payload = Payload.Parser.ParseFrom(envelope.Payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return TransactionVerdict.Invalid(TxValidationCode.BadPayload, $"envelope does not parse: {ex.Message}");
        }
        if (payload.Header is null)
        {
            return TransactionVerdict.Invalid(TxValidationCode.BadCommonHeader, "payload has no header");
        }
        ChannelHeader channelHeader;
        SignatureHeader signatureHeader;
        try
        {
            channelHeader = ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader);
            signatureHeader = SignatureHeader.Parser.ParseFrom(payload.Header.SignatureHeader);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return TransactionVerdict.Invalid(TxValidationCode.BadCommonHeader, $"header does not parse: {ex.Message}");
        }
        var type = (HeaderType)channelHeader.Type;
        var timestamp = channelHeader.Timestamp?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch;
        if (type == HeaderType.Config)
        {
            return TransactionVerdict.Valid(ParsedTransaction.Config(channelHeader.TxId, timestamp));
        }
        if (type != HeaderType.EndorserTransaction)
        {
            return TransactionVerdict.Invalid(TxValidationCode.UnknownTxType, $"header type {channelHeader.Type} is not a transaction a peer commits");
        }
        if (channelHeader.ChannelId != _channelId)
        {
            return TransactionVerdict.Invalid(TxValidationCode.TargetChainNotFound, $"transaction is for channel '{channelHeader.ChannelId}'");
        }
        if (channelHeader.Epoch != 0)
        {
            return TransactionVerdict.Invalid(TxValidationCode.BadChannelHeader, $"epoch {channelHeader.Epoch} is not 0");
        }
        if (signatureHeader.Creator.IsEmpty || signatureHeader.Nonce.IsEmpty)
        {
            return TransactionVerdict.Invalid(TxValidationCode.BadCommonHeader, "signature header lacks a creator or a nonce");
        }
        MspIdentity? creator = null;
        if (verify)
        {
            var creatorSigners = SignerSet.From([new SignedData(envelope.Payload.ToByteArray(), signatureHeader.Creator.ToByteArray(), envelope.Signature.ToByteArray())], _msps);
            if (creatorSigners.Identities.Count == 0)
            {
                return TransactionVerdict.Invalid(TxValidationCode.BadCreatorSignature, creatorSigners.Describe());
            }
            creator = creatorSigners.Identities[0];
        }
        if (TransactionIds.Compute(signatureHeader.Nonce.Span, signatureHeader.Creator.Span) != channelHeader.TxId)
        {
            return TransactionVerdict.Invalid(TxValidationCode.BadProposalTxid, $"txid '{channelHeader.TxId}' is not the hash of the nonce and creator");
        }
        return ValidateEndorserTransaction(payload, channelHeader, creator, timestamp, verify);
    }

    private TransactionVerdict ValidateEndorserTransaction(Payload payload, ChannelHeader channelHeader, MspIdentity? creator, DateTimeOffset timestamp, bool verify)
    {
        Transaction transaction;
        ChaincodeActionPayload actionPayload;
        ProposalResponsePayload responsePayload;
        ChaincodeAction action;
        ChaincodeProposalPayload proposalPayload;
        try
        {
            transaction = Transaction.Parser.ParseFrom(payload.Data);
            if (transaction.Actions.Count != 1)
            {
                return TransactionVerdict.Invalid(TxValidationCode.InvalidEndorserTransaction, $"a transaction must have exactly one action, not {transaction.Actions.Count}");
            }
            var transactionAction = transaction.Actions[0];
            if (transactionAction.Header != payload.Header.SignatureHeader)
            {
                return TransactionVerdict.Invalid(TxValidationCode.InvalidEndorserTransaction, "the action's signature header differs from the transaction's");
            }
            actionPayload = ChaincodeActionPayload.Parser.ParseFrom(transactionAction.Payload);
            if (actionPayload.Action is null || actionPayload.Action.Endorsements.Count == 0)
            {
                return TransactionVerdict.Invalid(TxValidationCode.InvalidEndorserTransaction, "the action carries no endorsements");
            }
            proposalPayload = ChaincodeProposalPayload.Parser.ParseFrom(actionPayload.ChaincodeProposalPayload);
            responsePayload = ProposalResponsePayload.Parser.ParseFrom(actionPayload.Action.ProposalResponsePayload);
            action = ChaincodeAction.Parser.ParseFrom(responsePayload.Extension);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return TransactionVerdict.Invalid(TxValidationCode.InvalidEndorserTransaction, $"transaction does not parse: {ex.Message}");
        }
        var expectedHash = Proposals.Hash(payload.Header, proposalPayload);
        if (!responsePayload.ProposalHash.Span.SequenceEqual(expectedHash))
        {
            return TransactionVerdict.Invalid(TxValidationCode.InvalidEndorserTransaction, "the endorsed proposal hash does not match the transaction's proposal");
        }
        if (action.Response is null || action.Response.Status is < 200 or >= 400)
        {
            return TransactionVerdict.Invalid(TxValidationCode.InvalidEndorserTransaction, $"the chaincode response status {action.Response?.Status} is not a success");
        }
        var chaincodeName = action.ChaincodeId?.Name ?? "";
        string invokedName;
        try
        {
            invokedName = ChaincodeHeaderExtension.Parser.ParseFrom(channelHeader.Extension).ChaincodeId?.Name ?? "";
        }
        catch (InvalidProtocolBufferException ex)
        {
            return TransactionVerdict.Invalid(TxValidationCode.BadHeaderExtension, $"chaincode header extension does not parse: {ex.Message}");
        }
        if (invokedName != chaincodeName || string.IsNullOrEmpty(action.ChaincodeId?.Version))
        {
            return TransactionVerdict.Invalid(TxValidationCode.InvalidChaincode,
                $"the endorsed action is for chaincode '{chaincodeName}' version '{action.ChaincodeId?.Version}', the proposal invoked '{invokedName}' (a version is required)");
        }
        ChaincodeEvent? chaincodeEvent;
        try
        {
            chaincodeEvent = action.Events.IsEmpty ? null : ChaincodeEvent.Parser.ParseFrom(action.Events);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return TransactionVerdict.Invalid(TxValidationCode.InvalidOtherReason, $"chaincode event does not parse: {ex.Message}");
        }
        if (chaincodeEvent is not null && chaincodeEvent.ChaincodeId != chaincodeName)
        {
            return TransactionVerdict.Invalid(TxValidationCode.InvalidOtherReason, $"chaincode event of '{chaincodeEvent.ChaincodeId}' in a transaction of '{chaincodeName}'");
        }
        List<NamespaceRwSet> rwSets;
        try
        {
            rwSets = ReadRwSets(action.Results);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return TransactionVerdict.Invalid(TxValidationCode.BadRwset, $"read-write set does not parse: {ex.Message}");
        }
        if (rwSets.GroupBy(set => set.Namespace, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1) is { } duplicate)
        {
            return TransactionVerdict.Invalid(TxValidationCode.IllegalWriteset, $"namespace '{duplicate.Key}' appears more than once in the read-write set");
        }
        var parsed = new ParsedTransaction(HeaderType.EndorserTransaction, channelHeader.TxId, creator, timestamp, chaincodeName, rwSets, chaincodeEvent);
        if (!verify)
        {
            return TransactionVerdict.Valid(parsed);
        }

        var endorsements = actionPayload.Action.Endorsements
            .Select(e => new SignedData([.. actionPayload.Action.ProposalResponsePayload.Span, .. e.Endorser.Span], e.Endorser.ToByteArray(), e.Signature.ToByteArray()))
            .ToList();
        return TransactionVerdict.Valid(parsed with { Endorsers = SignerSet.From(endorsements, _msps, own: _ownSignatures) });
    }

    /// <summary>The serial endorsement-policy check of block <paramref name="blockNumber"/>, under the same configuration and definitions.</summary>
    public EndorsementPolicyValidator EndorsementPolicies(IStateDatabase state, ulong blockNumber, IEnumerable<ParsedTransaction> transactions) =>
        new(_channelId, _msps, _definitions, state, blockNumber, transactions);

    private static List<NamespaceRwSet> ReadRwSets(ByteString results)
    {
        if (results.IsEmpty)
        {
            return [];
        }
        var txRwSet = TxReadWriteSet.Parser.ParseFrom(results);
        return [.. txRwSet.NsRwset.Select(ns => new NamespaceRwSet(ns.Namespace, KVRWSet.Parser.ParseFrom(ns.Rwset)))];
    }
}
