using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Ledger.QueryResult;
using ZonCoin.Protos.Ledger.Rwset;
using ZonCoin.Protos.Ledger.Rwset.Kvrwset;
using ZonCoin.Protos.Msp;
using ZonCoin.Protos.Orderer;
using ZonCoin.Protos.Peer;
using static ZonCoin.Protos.Tests.KnownValues;
using PeerDeliverResponse = ZonCoin.Protos.Peer.DeliverResponse;

namespace ZonCoin.Protos.Tests;

/// <summary>
/// Builds the same vectors as tests/interop/vectors/build.js, but with our generated C# types, so that the Node
/// side can decode what C# encodes (csharp-vectors.json).
/// </summary>
internal static class CSharpVectors
{
    public static IReadOnlyList<(string Name, IMessage Message)> Build()
    {
        var list = new List<(string Name, IMessage Message)>();
        var bytes = new Dictionary<string, ByteString>();

        ByteString Add(string name, IMessage message)
        {
            list.Add((name, message));
            var b = message.ToByteString();
            bytes.Add(name, b);
            return b;
        }

        static ByteString B(byte[] value) => ByteString.CopyFrom(value);
        static Timestamp Ts(long seconds, int nanos) => new() { Seconds = seconds, Nanos = nanos };

        // ---- identities and headers ----
        Add("SerializedIdentity", new SerializedIdentity { Mspid = Msp1, IdBytes = B(Cert1) });
        Add("SerializedIdentityOrg2", new SerializedIdentity { Mspid = Msp2, IdBytes = B(Cert2) });
        Add("SignatureHeader", new SignatureHeader { Creator = bytes["SerializedIdentity"], Nonce = B(Nonce) });
        Add("ChaincodeHeaderExtension", new ChaincodeHeaderExtension { ChaincodeId = new ChaincodeID { Name = CcName } });
        Add("ChannelHeader", new ChannelHeader
        {
            Type = (int)HeaderType.EndorserTransaction,
            Version = ChannelHeaderVersion,
            Timestamp = Ts(TsSeconds, TsNanos),
            ChannelId = Channel,
            TxId = TxId,
            Epoch = ChannelHeaderEpoch,
            Extension = bytes["ChaincodeHeaderExtension"],
            TlsCertHash = B(TlsCertHash),
        });
        var header = new Header { ChannelHeader = bytes["ChannelHeader"], SignatureHeader = bytes["SignatureHeader"] };
        Add("Header", header);

        // ---- proposal ----
        var input = new ChaincodeInput { IsInit = true };
        input.Args.AddRange(Args.Select(ByteString.CopyFromUtf8));
        input.Decorations.Add(DecorationKey, B(DecorationValue));
        Add("ChaincodeInput", input);
        Add("ChaincodeInvocationSpec", new ChaincodeInvocationSpec
        {
            ChaincodeSpec = new ChaincodeSpec
            {
                Type = ChaincodeSpec.Types.Type.Node,
                ChaincodeId = new ChaincodeID { Path = CcPath, Name = CcName, Version = CcVersion },
                Input = input,
                Timeout = CcTimeout,
            },
        });
        var cpp = new ChaincodeProposalPayload { Input = bytes["ChaincodeInvocationSpec"] };
        // Sorted key order, which is what google-protobuf emits; C# keeps insertion order (see MapOrderingTests).
        cpp.TransientMap.Add(TransientKeyA, B(TransientValueA));
        cpp.TransientMap.Add(TransientKeyZ, B(TransientValueZ));
        Add("ChaincodeProposalPayload", cpp);
        Add("ChaincodeProposalPayloadNoTransient", new ChaincodeProposalPayload { Input = bytes["ChaincodeInvocationSpec"] });
        Add("Proposal", new Proposal
        {
            Header = bytes["Header"],
            Payload = bytes["ChaincodeProposalPayload"],
            Extension = B(ProposalExtension),
        });
        var signedProposal = new SignedProposal { ProposalBytes = bytes["Proposal"], Signature = B(Sig1) };
        Add("SignedProposal", signedProposal);

        // ---- read/write set ----
        static KVRead Read(string key, ulong? block, ulong tx = 0) =>
            block is null ? new KVRead { Key = key } : new KVRead { Key = key, Version = new Protos.Ledger.Rwset.Kvrwset.Version { BlockNum = block.Value, TxNum = tx } };

        var kv = new KVRWSet();
        kv.Reads.Add(Read(ReadKey, ReadBlock, ReadTx));
        kv.Reads.Add(Read(MissingKey, null));
        kv.Reads.Add(Read(GenesisKey, 0, 0));
        var rawReads = new QueryReads();
        rawReads.KvReads.Add(Read(ReadKey, ReadBlock, ReadTx));
        rawReads.KvReads.Add(Read(RangeRead2Key, RangeRead2Block));
        kv.RangeQueriesInfo.Add(new RangeQueryInfo { StartKey = RangeStart, EndKey = RangeEnd, ItrExhausted = true, RawReads = rawReads });
        kv.Writes.Add(new KVWrite { Key = WriteKey, Value = B(WriteValue) });
        kv.Writes.Add(new KVWrite { Key = DeleteKey, IsDelete = true });
        var metaWrite = new KVMetadataWrite { Key = MetaKey };
        metaWrite.Entries.Add(new KVMetadataEntry { Name = MetaName, Value = B(MetaValue) });
        kv.MetadataWrites.Add(metaWrite);
        Add("KVRWSet", kv);
        var kv2 = new KVRWSet();
        kv2.Reads.Add(Read(Ns2ReadKey, Ns2ReadBlock));
        Add("KVRWSetLifecycle", kv2);

        var ns1 = new NsReadWriteSet { Namespace = Namespace, Rwset = bytes["KVRWSet"] };
        ns1.CollectionHashedRwset.Add(new CollectionHashedReadWriteSet
        {
            CollectionName = Collection,
            HashedRwset = B(HashedRwset),
            PvtRwsetHash = B(PvtRwsetHash),
        });
        var txRwset = new TxReadWriteSet { DataModel = TxReadWriteSet.Types.DataModel.Kv };
        txRwset.NsRwset.Add(ns1);
        txRwset.NsRwset.Add(new NsReadWriteSet { Namespace = Namespace2, Rwset = bytes["KVRWSetLifecycle"] });
        Add("TxReadWriteSet", txRwset);

        // ---- endorsement ----
        var chaincodeEvent = new ChaincodeEvent { ChaincodeId = CcName, TxId = TxId, EventName = EventName, Payload = B(EventPayload) };
        Add("ChaincodeEvent", chaincodeEvent);
        static Response NewResponse() => new() { Status = ResponseStatus, Message = ResponseMessage, Payload = B(ResponsePayload) };
        Add("Response", NewResponse());
        Add("ChaincodeAction", new ChaincodeAction
        {
            Results = bytes["TxReadWriteSet"],
            Events = bytes["ChaincodeEvent"],
            Response = NewResponse(),
            ChaincodeId = new ChaincodeID { Name = CcName, Version = CcVersion },
        });
        Add("ProposalResponsePayload", new ProposalResponsePayload { ProposalHash = B(ProposalHash), Extension = bytes["ChaincodeAction"] });
        Add("Endorsement", new Endorsement { Endorser = bytes["SerializedIdentityOrg2"], Signature = B(Sig2) });

        var call = new ChaincodeCall { Name = CcName, NoPrivateReads = true, DisregardNamespacePolicy = true };
        call.CollectionNames.AddRange(InterestCollections);
        var interest = new ChaincodeInterest();
        interest.Chaincodes.Add(call);
        Add("ProposalResponse", new ProposalResponse
        {
            Version = ProposalResponseVersion,
            Timestamp = Ts(TsSeconds, TsNanos),
            Response = NewResponse(),
            Payload = bytes["ProposalResponsePayload"],
            Endorsement = new Endorsement { Endorser = bytes["SerializedIdentityOrg2"], Signature = B(Sig2) },
            Interest = interest,
        });

        // ---- transaction ----
        var cea = new ChaincodeEndorsedAction { ProposalResponsePayload = bytes["ProposalResponsePayload"] };
        cea.Endorsements.Add(new Endorsement { Endorser = bytes["SerializedIdentity"], Signature = B(Sig1) });
        cea.Endorsements.Add(new Endorsement { Endorser = bytes["SerializedIdentityOrg2"], Signature = B(Sig2) });
        Add("ChaincodeEndorsedAction", cea);
        Add("ChaincodeActionPayload", new ChaincodeActionPayload { ChaincodeProposalPayload = bytes["ChaincodeProposalPayloadNoTransient"], Action = cea });
        var tx = new Transaction();
        tx.Actions.Add(new TransactionAction { Header = bytes["SignatureHeader"], Payload = bytes["ChaincodeActionPayload"] });
        Add("Transaction", tx);
        Add("Payload", new Payload { Header = header, Data = bytes["Transaction"] });
        var envelope = new Envelope { Payload = bytes["Payload"], Signature = B(Sig1) };
        Add("Envelope", envelope);
        var unsignedEnvelope = new Envelope { Payload = bytes["Payload"] };
        Add("EnvelopeUnsigned", unsignedEnvelope);

        // ---- block ----
        var metadata = new Metadata { Value = B(MetadataValue) };
        metadata.Signatures.Add(new MetadataSignature { SignatureHeader = bytes["SignatureHeader"], Signature = B(Sig3), IdentifierHeader = B(IdentifierHeaderBytes) });
        Add("Metadata", metadata);
        Add("OrdererBlockMetadata", new OrdererBlockMetadata { LastConfig = new LastConfig { Index = LastConfigIndex }, ConsenterMetadata = B(MetadataValue) });
        var blockData = new BlockData();
        blockData.Data.Add(bytes["Envelope"]);
        blockData.Data.Add(bytes["EnvelopeUnsigned"]);
        var blockMetadata = new BlockMetadata();
        blockMetadata.Metadata.Add(bytes["Metadata"]);
        blockMetadata.Metadata.Add(bytes["OrdererBlockMetadata"]);
        blockMetadata.Metadata.Add(B(TxFilter));
        blockMetadata.Metadata.Add(ByteString.Empty);
        blockMetadata.Metadata.Add(B(CommitHash));
        var block = new Block
        {
            Header = new BlockHeader { Number = BlockNumber, PreviousHash = B(PreviousHash), DataHash = B(DataHash) },
            Data = blockData,
            Metadata = blockMetadata,
        };
        Add("Block", block);

        // ---- gateway ----
        var endorseRequest = new EndorseRequest { TransactionId = TxId, ChannelId = Channel, ProposedTransaction = signedProposal };
        endorseRequest.EndorsingOrganizations.AddRange(EndorsingOrgs);
        Add("EndorseRequest", endorseRequest);
        var evaluateRequest = new EvaluateRequest { TransactionId = TxId, ChannelId = Channel, ProposedTransaction = signedProposal };
        evaluateRequest.TargetOrganizations.AddRange(TargetOrgs);
        Add("EvaluateRequest", evaluateRequest);
        Add("EvaluateResponse", new EvaluateResponse { Result = NewResponse() });
        Add("EndorseResponse", new EndorseResponse { PreparedTransaction = unsignedEnvelope });
        Add("SubmitRequest", new SubmitRequest { TransactionId = TxId, ChannelId = Channel, PreparedTransaction = envelope });
        Add("CommitStatusRequest", new CommitStatusRequest { TransactionId = TxId, ChannelId = Channel, Identity = bytes["SerializedIdentity"] });
        Add("SignedCommitStatusRequest", new SignedCommitStatusRequest { Request = bytes["CommitStatusRequest"], Signature = B(Sig1) });
        Add("CommitStatusResponse", new CommitStatusResponse { Result = TxValidationCode.MvccReadConflict, BlockNumber = BlockNumber });

        static SeekPosition Specified(ulong n) => new() { Specified = new SeekSpecified { Number = n } };
        Add("ChaincodeEventsRequest", new ChaincodeEventsRequest
        {
            ChannelId = Channel,
            ChaincodeId = CcName,
            Identity = bytes["SerializedIdentity"],
            StartPosition = Specified(StartBlock),
            AfterTransactionId = TxId,
        });
        Add("SignedChaincodeEventsRequest", new SignedChaincodeEventsRequest { Request = bytes["ChaincodeEventsRequest"], Signature = B(Sig1) });
        var eventsResponse = new ChaincodeEventsResponse { BlockNumber = BlockNumber };
        eventsResponse.Events.Add(chaincodeEvent);
        eventsResponse.Events.Add(chaincodeEvent);
        Add("ChaincodeEventsResponse", eventsResponse);
        Add("ErrorDetail", new ErrorDetail { Address = PeerAddress, MspId = Msp1, Message = ErrorMessage });

        // ---- orderer / deliver ----
        Add("SeekInfo", new SeekInfo
        {
            Start = Specified(SeekStart),
            Stop = Specified(SeekStop),
            Behavior = SeekInfo.Types.SeekBehavior.FailIfNotReady,
            ErrorResponse = SeekInfo.Types.SeekErrorResponse.BestEffort,
        });
        Add("SeekInfoNextCommit", new SeekInfo { Start = new SeekPosition { NextCommit = new SeekNextCommit() }, Stop = Specified(SeekStop) });
        Add("BroadcastResponse", new BroadcastResponse { Status = Status.BadRequest, Info = BroadcastInfo });

        var filteredActions = new FilteredTransactionActions();
        filteredActions.ChaincodeActions.Add(new FilteredChaincodeAction
        {
            ChaincodeEvent = new ChaincodeEvent { ChaincodeId = CcName, TxId = TxId, EventName = EventName },
        });
        var filteredBlock = new FilteredBlock { ChannelId = Channel, Number = BlockNumber };
        filteredBlock.FilteredTransactions.Add(new FilteredTransaction
        {
            Txid = TxId,
            Type = HeaderType.EndorserTransaction,
            TxValidationCode = TxValidationCode.Valid,
            TransactionActions = filteredActions,
        });
        filteredBlock.FilteredTransactions.Add(new FilteredTransaction
        {
            Txid = TxId2,
            Type = HeaderType.EndorserTransaction,
            TxValidationCode = TxValidationCode.MvccReadConflict,
        });
        Add("FilteredBlock", filteredBlock);
        Add("DeliverResponseBlock", new PeerDeliverResponse { Block = block });
        Add("DeliverResponseFilteredBlock", new PeerDeliverResponse { FilteredBlock = filteredBlock });
        Add("DeliverResponseStatus", new PeerDeliverResponse { Status = Status.Success });

        // ---- chaincode shim ----
        Add("ChaincodeMessage", new ChaincodeMessage
        {
            Type = ChaincodeMessage.Types.Type.Transaction,
            Timestamp = Ts(TsSeconds, TsNanos),
            Payload = bytes["ChaincodeInput"],
            Txid = TxId,
            Proposal = signedProposal,
            ChaincodeEvent = chaincodeEvent,
            ChannelId = Channel,
        });
        Add("KV", new KV { Namespace = Namespace, Key = RangeRead2Key, Value = B(QueryValue) });
        Add("KeyModification", new KeyModification { TxId = TxId2, Value = ByteString.Empty, Timestamp = Ts(Ts2Seconds, 0), IsDelete = true });
        Add("QueryResponseMetadata", new QueryResponseMetadata { FetchedRecordsCount = Fetched, Bookmark = Bookmark });
        var queryResponse = new QueryResponse { HasMore = true, Id = QueryId, Metadata = bytes["QueryResponseMetadata"] };
        queryResponse.Results.Add(new QueryResultBytes { ResultBytes = bytes["KV"] });
        queryResponse.Results.Add(new QueryResultBytes { ResultBytes = bytes["KeyModification"] });
        Add("QueryResponse", queryResponse);

        return list;
    }
}
