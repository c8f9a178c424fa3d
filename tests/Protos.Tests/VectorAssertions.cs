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
/// Parses each named vector with our generated type and asserts every field against <see cref="KnownValues"/>.
/// Fields that hold another serialized message are compared with that other vector's bytes from the same set
/// (and that vector is asserted on its own), so a whole set is checked field by field.
/// </summary>
internal static class VectorAssertions
{
    /// <summary>Every vector name, with the parser for its type.</summary>
    public static readonly IReadOnlyDictionary<string, MessageParser> Parsers = new Dictionary<string, MessageParser>(StringComparer.Ordinal)
    {
        ["SerializedIdentity"] = SerializedIdentity.Parser,
        ["SerializedIdentityOrg2"] = SerializedIdentity.Parser,
        ["SignatureHeader"] = SignatureHeader.Parser,
        ["ChaincodeHeaderExtension"] = ChaincodeHeaderExtension.Parser,
        ["ChannelHeader"] = ChannelHeader.Parser,
        ["Header"] = Header.Parser,
        ["ChaincodeInput"] = ChaincodeInput.Parser,
        ["ChaincodeInvocationSpec"] = ChaincodeInvocationSpec.Parser,
        ["ChaincodeProposalPayload"] = ChaincodeProposalPayload.Parser,
        ["ChaincodeProposalPayloadNoTransient"] = ChaincodeProposalPayload.Parser,
        ["Proposal"] = Proposal.Parser,
        ["SignedProposal"] = SignedProposal.Parser,
        ["KVRWSet"] = KVRWSet.Parser,
        ["KVRWSetLifecycle"] = KVRWSet.Parser,
        ["TxReadWriteSet"] = TxReadWriteSet.Parser,
        ["ChaincodeEvent"] = ChaincodeEvent.Parser,
        ["Response"] = Response.Parser,
        ["ChaincodeAction"] = ChaincodeAction.Parser,
        ["ProposalResponsePayload"] = ProposalResponsePayload.Parser,
        ["Endorsement"] = Endorsement.Parser,
        ["ProposalResponse"] = ProposalResponse.Parser,
        ["ChaincodeEndorsedAction"] = ChaincodeEndorsedAction.Parser,
        ["ChaincodeActionPayload"] = ChaincodeActionPayload.Parser,
        ["Transaction"] = Transaction.Parser,
        ["Payload"] = Payload.Parser,
        ["Envelope"] = Envelope.Parser,
        ["EnvelopeUnsigned"] = Envelope.Parser,
        ["Metadata"] = Metadata.Parser,
        ["OrdererBlockMetadata"] = OrdererBlockMetadata.Parser,
        ["Block"] = Block.Parser,
        ["EndorseRequest"] = EndorseRequest.Parser,
        ["EvaluateRequest"] = EvaluateRequest.Parser,
        ["EvaluateResponse"] = EvaluateResponse.Parser,
        ["EndorseResponse"] = EndorseResponse.Parser,
        ["SubmitRequest"] = SubmitRequest.Parser,
        ["CommitStatusRequest"] = CommitStatusRequest.Parser,
        ["SignedCommitStatusRequest"] = SignedCommitStatusRequest.Parser,
        ["CommitStatusResponse"] = CommitStatusResponse.Parser,
        ["ChaincodeEventsRequest"] = ChaincodeEventsRequest.Parser,
        ["SignedChaincodeEventsRequest"] = SignedChaincodeEventsRequest.Parser,
        ["ChaincodeEventsResponse"] = ChaincodeEventsResponse.Parser,
        ["ErrorDetail"] = ErrorDetail.Parser,
        ["SeekInfo"] = SeekInfo.Parser,
        ["SeekInfoNextCommit"] = SeekInfo.Parser,
        ["BroadcastResponse"] = BroadcastResponse.Parser,
        ["FilteredBlock"] = FilteredBlock.Parser,
        ["DeliverResponseBlock"] = PeerDeliverResponse.Parser,
        ["DeliverResponseFilteredBlock"] = PeerDeliverResponse.Parser,
        ["DeliverResponseStatus"] = PeerDeliverResponse.Parser,
        ["ChaincodeMessage"] = ChaincodeMessage.Parser,
        ["KV"] = KV.Parser,
        ["KeyModification"] = KeyModification.Parser,
        ["QueryResponseMetadata"] = QueryResponseMetadata.Parser,
        ["QueryResponse"] = QueryResponse.Parser,
    };

    /// <summary>Parses <paramref name="name"/>'s bytes from <paramref name="set"/> and asserts every field.</summary>
    public static IMessage ParseAndAssert(string name, IReadOnlyDictionary<string, byte[]> set)
    {
        var message = Parsers[name].ParseFrom(set[name]);
        var v = new Checker(set);
        switch (message)
        {
            case SerializedIdentity m when name == "SerializedIdentity":
                Checker.Identity(m, Msp1, Cert1);
                break;
            case SerializedIdentity m:
                Checker.Identity(m, Msp2, Cert2);
                break;
            case SignatureHeader m:
                v.SignatureHeader(m);
                break;
            case ChaincodeHeaderExtension m:
                Checker.ChaincodeId(m.ChaincodeId, "", CcName, "");
                break;
            case ChannelHeader m:
                v.ChannelHeader(m);
                break;
            case Header m:
                v.Header(m);
                break;
            case ChaincodeInput m:
                Checker.Input(m);
                break;
            case ChaincodeInvocationSpec m:
                Checker.InvocationSpec(m);
                break;
            case ChaincodeProposalPayload m when name == "ChaincodeProposalPayload":
                v.Bytes("ChaincodeInvocationSpec", m.Input);
                Assert.Equal(2, m.TransientMap.Count);
                Assert.Equal([TransientKeyA, TransientKeyZ], m.TransientMap.Keys); // google-protobuf wrote them sorted
                Checker.Bytes(TransientValueA, m.TransientMap[TransientKeyA]);
                Checker.Bytes(TransientValueZ, m.TransientMap[TransientKeyZ]);
                break;
            case ChaincodeProposalPayload m:
                v.Bytes("ChaincodeInvocationSpec", m.Input);
                Assert.Empty(m.TransientMap);
                break;
            case Proposal m:
                v.Bytes("Header", m.Header);
                v.Bytes("ChaincodeProposalPayload", m.Payload);
                Checker.Bytes(ProposalExtension, m.Extension);
                break;
            case SignedProposal m:
                v.SignedProposal(m);
                break;
            case KVRWSet m when name == "KVRWSet":
                Checker.KvRwSet(m);
                break;
            case KVRWSet m:
                Assert.Single(m.Reads);
                Checker.Read(m.Reads[0], Ns2ReadKey, Ns2ReadBlock, 0);
                Assert.Empty(m.RangeQueriesInfo);
                Assert.Empty(m.Writes);
                Assert.Empty(m.MetadataWrites);
                break;
            case TxReadWriteSet m:
                v.TxRwSet(m);
                break;
            case ChaincodeEvent m:
                Checker.Event(m, withPayload: true);
                break;
            case Response m:
                Checker.Response(m);
                break;
            case ChaincodeAction m:
                v.Bytes("TxReadWriteSet", m.Results);
                v.Bytes("ChaincodeEvent", m.Events);
                Checker.Response(m.Response);
                Checker.ChaincodeId(m.ChaincodeId, "", CcName, CcVersion);
                break;
            case ProposalResponsePayload m:
                Checker.Bytes(ProposalHash, m.ProposalHash);
                v.Bytes("ChaincodeAction", m.Extension);
                break;
            case Endorsement m:
                v.Endorsement(m, "SerializedIdentityOrg2", Sig2);
                break;
            case ProposalResponse m:
                v.ProposalResponse(m);
                break;
            case ChaincodeEndorsedAction m:
                v.EndorsedAction(m);
                break;
            case ChaincodeActionPayload m:
                v.Bytes("ChaincodeProposalPayloadNoTransient", m.ChaincodeProposalPayload);
                v.EndorsedAction(m.Action);
                break;
            case Transaction m:
                Assert.Single(m.Actions);
                v.Bytes("SignatureHeader", m.Actions[0].Header);
                v.Bytes("ChaincodeActionPayload", m.Actions[0].Payload);
                break;
            case Payload m:
                v.Header(m.Header);
                v.Bytes("Transaction", m.Data);
                break;
            case Envelope m when name == "Envelope":
                v.Envelope(m, signed: true);
                break;
            case Envelope m:
                v.Envelope(m, signed: false);
                break;
            case Metadata m:
                Checker.Bytes(MetadataValue, m.Value);
                Assert.Single(m.Signatures);
                v.Bytes("SignatureHeader", m.Signatures[0].SignatureHeader);
                Checker.Bytes(Sig3, m.Signatures[0].Signature);
                Checker.Bytes(IdentifierHeaderBytes, m.Signatures[0].IdentifierHeader);
                break;
            case OrdererBlockMetadata m:
                Assert.NotNull(m.LastConfig);
                Assert.Equal(LastConfigIndex, m.LastConfig.Index);
                Checker.Bytes(MetadataValue, m.ConsenterMetadata);
                break;
            case Block m:
                v.Block(m);
                break;
            case EndorseRequest m:
                Assert.Equal(TxId, m.TransactionId);
                Assert.Equal(Channel, m.ChannelId);
                v.SignedProposal(m.ProposedTransaction);
                Assert.Equal(EndorsingOrgs, m.EndorsingOrganizations);
                break;
            case EvaluateRequest m:
                Assert.Equal(TxId, m.TransactionId);
                Assert.Equal(Channel, m.ChannelId);
                v.SignedProposal(m.ProposedTransaction);
                Assert.Equal(TargetOrgs, m.TargetOrganizations);
                break;
            case EvaluateResponse m:
                Checker.Response(m.Result);
                break;
            case EndorseResponse m:
                v.Envelope(m.PreparedTransaction, signed: false);
                break;
            case SubmitRequest m:
                Assert.Equal(TxId, m.TransactionId);
                Assert.Equal(Channel, m.ChannelId);
                v.Envelope(m.PreparedTransaction, signed: true);
                break;
            case CommitStatusRequest m:
                Assert.Equal(TxId, m.TransactionId);
                Assert.Equal(Channel, m.ChannelId);
                v.Bytes("SerializedIdentity", m.Identity);
                break;
            case SignedCommitStatusRequest m:
                v.Bytes("CommitStatusRequest", m.Request);
                Checker.Bytes(Sig1, m.Signature);
                break;
            case CommitStatusResponse m:
                Assert.Equal(TxValidationCode.MvccReadConflict, m.Result);
                Assert.Equal(BlockNumber, m.BlockNumber);
                break;
            case ChaincodeEventsRequest m:
                Assert.Equal(Channel, m.ChannelId);
                Assert.Equal(CcName, m.ChaincodeId);
                v.Bytes("SerializedIdentity", m.Identity);
                Checker.Specified(m.StartPosition, StartBlock);
                Assert.Equal(TxId, m.AfterTransactionId);
                break;
            case SignedChaincodeEventsRequest m:
                v.Bytes("ChaincodeEventsRequest", m.Request);
                Checker.Bytes(Sig1, m.Signature);
                break;
            case ChaincodeEventsResponse m:
                Assert.Equal(2, m.Events.Count);
                Checker.Event(m.Events[0], withPayload: true);
                Checker.Event(m.Events[1], withPayload: true);
                Assert.Equal(BlockNumber, m.BlockNumber);
                break;
            case ErrorDetail m:
                Assert.Equal(PeerAddress, m.Address);
                Assert.Equal(Msp1, m.MspId);
                Assert.Equal(ErrorMessage, m.Message);
                break;
            case SeekInfo m when name == "SeekInfo":
                Checker.Specified(m.Start, SeekStart);
                Checker.Specified(m.Stop, SeekStop);
                Assert.Equal(SeekInfo.Types.SeekBehavior.FailIfNotReady, m.Behavior);
                Assert.Equal(SeekInfo.Types.SeekErrorResponse.BestEffort, m.ErrorResponse);
                Assert.Equal(SeekInfo.Types.SeekContentType.Block, m.ContentType);
                break;
            case SeekInfo m:
                Assert.Equal(SeekPosition.TypeOneofCase.NextCommit, m.Start.TypeCase);
                Assert.NotNull(m.Start.NextCommit);
                Checker.Specified(m.Stop, SeekStop);
                Assert.Equal(SeekInfo.Types.SeekBehavior.BlockUntilReady, m.Behavior);
                Assert.Equal(SeekInfo.Types.SeekErrorResponse.Strict, m.ErrorResponse);
                Assert.Equal(SeekInfo.Types.SeekContentType.Block, m.ContentType);
                break;
            case BroadcastResponse m:
                Assert.Equal(Status.BadRequest, m.Status);
                Assert.Equal(BroadcastInfo, m.Info);
                break;
            case FilteredBlock m:
                Checker.FilteredBlock(m);
                break;
            case PeerDeliverResponse m when name == "DeliverResponseBlock":
                Assert.Equal(PeerDeliverResponse.TypeOneofCase.Block, m.TypeCase);
                v.Block(m.Block);
                break;
            case PeerDeliverResponse m when name == "DeliverResponseFilteredBlock":
                Assert.Equal(PeerDeliverResponse.TypeOneofCase.FilteredBlock, m.TypeCase);
                Checker.FilteredBlock(m.FilteredBlock);
                break;
            case PeerDeliverResponse m:
                Assert.Equal(PeerDeliverResponse.TypeOneofCase.Status, m.TypeCase);
                Assert.Equal(Status.Success, m.Status);
                break;
            case ChaincodeMessage m:
                Assert.Equal(ChaincodeMessage.Types.Type.Transaction, m.Type);
                Checker.Timestamp(m.Timestamp, TsSeconds, TsNanos);
                v.Bytes("ChaincodeInput", m.Payload);
                Assert.Equal(TxId, m.Txid);
                v.SignedProposal(m.Proposal);
                Checker.Event(m.ChaincodeEvent, withPayload: true);
                Assert.Equal(Channel, m.ChannelId);
                break;
            case KV m:
                Assert.Equal(Namespace, m.Namespace);
                Assert.Equal(RangeRead2Key, m.Key);
                Checker.Bytes(QueryValue, m.Value);
                break;
            case KeyModification m:
                Assert.Equal(TxId2, m.TxId);
                Assert.True(m.Value.IsEmpty);
                Checker.Timestamp(m.Timestamp, Ts2Seconds, 0);
                Assert.True(m.IsDelete);
                break;
            case QueryResponseMetadata m:
                Assert.Equal(Fetched, m.FetchedRecordsCount);
                Assert.Equal(Bookmark, m.Bookmark);
                break;
            case QueryResponse m:
                Assert.Equal(2, m.Results.Count);
                v.Bytes("KV", m.Results[0].ResultBytes);
                v.Bytes("KeyModification", m.Results[1].ResultBytes);
                Assert.True(m.HasMore);
                Assert.Equal(QueryId, m.Id);
                v.Bytes("QueryResponseMetadata", m.Metadata);
                break;
            default:
                Assert.Fail($"no assertions for vector {name} ({message.Descriptor.FullName})");
                break;
        }

        return message;
    }

    /// <summary>Field checks shared by several vectors; nested bytes are compared with other vectors of the set.</summary>
    private sealed class Checker(IReadOnlyDictionary<string, byte[]> set)
    {
        public static void Bytes(byte[] expected, ByteString actual) => Assert.Equal(expected, actual.ToByteArray());

        public void Bytes(string vectorName, ByteString actual) => Assert.Equal(set[vectorName], actual.ToByteArray());

        public static void Timestamp(Timestamp? ts, long seconds, int nanos)
        {
            Assert.NotNull(ts);
            Assert.Equal(seconds, ts.Seconds);
            Assert.Equal(nanos, ts.Nanos);
        }

        public static void Identity(SerializedIdentity m, string mspId, byte[] cert)
        {
            Assert.Equal(mspId, m.Mspid);
            Bytes(cert, m.IdBytes);
        }

        public void SignatureHeader(SignatureHeader m)
        {
            Bytes("SerializedIdentity", m.Creator);
            Bytes(Nonce, m.Nonce);
        }

        public static void ChaincodeId(ChaincodeID? id, string path, string name, string version)
        {
            Assert.NotNull(id);
            Assert.Equal(path, id.Path);
            Assert.Equal(name, id.Name);
            Assert.Equal(version, id.Version);
        }

        public void ChannelHeader(ChannelHeader m)
        {
            Assert.Equal((int)HeaderType.EndorserTransaction, m.Type);
            Assert.Equal(ChannelHeaderVersion, m.Version);
            Timestamp(m.Timestamp, TsSeconds, TsNanos);
            Assert.Equal(Channel, m.ChannelId);
            Assert.Equal(TxId, m.TxId);
            Assert.Equal(ChannelHeaderEpoch, m.Epoch);
            Bytes("ChaincodeHeaderExtension", m.Extension);
            Bytes(TlsCertHash, m.TlsCertHash);
        }

        public void Header(Header? m)
        {
            Assert.NotNull(m);
            Bytes("ChannelHeader", m.ChannelHeader);
            Bytes("SignatureHeader", m.SignatureHeader);
        }

        public static void Input(ChaincodeInput? m)
        {
            Assert.NotNull(m);
            Assert.Equal(Args, m.Args.Select(a => a.ToStringUtf8()));
            Assert.Single(m.Decorations);
            Bytes(DecorationValue, m.Decorations[DecorationKey]);
            Assert.True(m.IsInit);
        }

        public static void InvocationSpec(ChaincodeInvocationSpec m)
        {
            var spec = m.ChaincodeSpec;
            Assert.NotNull(spec);
            Assert.Equal(ChaincodeSpec.Types.Type.Node, spec.Type);
            ChaincodeId(spec.ChaincodeId, CcPath, CcName, CcVersion);
            Input(spec.Input);
            Assert.Equal(CcTimeout, spec.Timeout);
        }

        public void SignedProposal(SignedProposal? m)
        {
            Assert.NotNull(m);
            Bytes("Proposal", m.ProposalBytes);
            Bytes(Sig1, m.Signature);
        }

        public static void Read(KVRead m, string key, ulong? block, ulong tx)
        {
            Assert.Equal(key, m.Key);
            if (block is null)
            {
                Assert.Null(m.Version);
            }
            else
            {
                Assert.NotNull(m.Version);
                Assert.Equal(block.Value, m.Version.BlockNum);
                Assert.Equal(tx, m.Version.TxNum);
            }
        }

        public static void KvRwSet(KVRWSet m)
        {
            Assert.Equal(3, m.Reads.Count);
            Read(m.Reads[0], ReadKey, ReadBlock, ReadTx);
            Read(m.Reads[1], MissingKey, null, 0);
            Read(m.Reads[2], GenesisKey, 0, 0); // present but empty Version message

            var rqi = Assert.Single(m.RangeQueriesInfo);
            Assert.Equal(RangeStart, rqi.StartKey);
            Assert.Equal(RangeEnd, rqi.EndKey);
            Assert.True(rqi.ItrExhausted);
            Assert.Equal(RangeQueryInfo.ReadsInfoOneofCase.RawReads, rqi.ReadsInfoCase);
            Assert.Null(rqi.ReadsMerkleHashes);
            Assert.Equal(2, rqi.RawReads.KvReads.Count);
            Read(rqi.RawReads.KvReads[0], ReadKey, ReadBlock, ReadTx);
            Read(rqi.RawReads.KvReads[1], RangeRead2Key, RangeRead2Block, 0);

            Assert.Equal(2, m.Writes.Count);
            Assert.Equal(WriteKey, m.Writes[0].Key);
            Assert.False(m.Writes[0].IsDelete);
            Bytes(WriteValue, m.Writes[0].Value);
            Assert.Equal(DeleteKey, m.Writes[1].Key);
            Assert.True(m.Writes[1].IsDelete);
            Assert.True(m.Writes[1].Value.IsEmpty);

            var mw = Assert.Single(m.MetadataWrites);
            Assert.Equal(MetaKey, mw.Key);
            var entry = Assert.Single(mw.Entries);
            Assert.Equal(MetaName, entry.Name);
            Bytes(MetaValue, entry.Value);
        }

        public void TxRwSet(TxReadWriteSet m)
        {
            Assert.Equal(TxReadWriteSet.Types.DataModel.Kv, m.DataModel);
            Assert.Equal(2, m.NsRwset.Count);
            Assert.Equal(Namespace, m.NsRwset[0].Namespace);
            Bytes("KVRWSet", m.NsRwset[0].Rwset);
            var coll = Assert.Single(m.NsRwset[0].CollectionHashedRwset);
            Assert.Equal(Collection, coll.CollectionName);
            Bytes(HashedRwset, coll.HashedRwset);
            Bytes(PvtRwsetHash, coll.PvtRwsetHash);
            Assert.Equal(Namespace2, m.NsRwset[1].Namespace);
            Bytes("KVRWSetLifecycle", m.NsRwset[1].Rwset);
            Assert.Empty(m.NsRwset[1].CollectionHashedRwset);
        }

        public static void Event(ChaincodeEvent? m, bool withPayload)
        {
            Assert.NotNull(m);
            Assert.Equal(CcName, m.ChaincodeId);
            Assert.Equal(TxId, m.TxId);
            Assert.Equal(EventName, m.EventName);
            if (withPayload)
            {
                Bytes(EventPayload, m.Payload);
            }
            else
            {
                Assert.True(m.Payload.IsEmpty);
            }
        }

        public static void Response(Response? m)
        {
            Assert.NotNull(m);
            Assert.Equal(ResponseStatus, m.Status);
            Assert.Equal(ResponseMessage, m.Message);
            Bytes(ResponsePayload, m.Payload);
        }

        public void Endorsement(Endorsement m, string endorserVector, byte[] signature)
        {
            Bytes(endorserVector, m.Endorser);
            Bytes(signature, m.Signature);
        }

        public void ProposalResponse(ProposalResponse m)
        {
            Assert.Equal(ProposalResponseVersion, m.Version);
            Timestamp(m.Timestamp, TsSeconds, TsNanos);
            Response(m.Response);
            Bytes("ProposalResponsePayload", m.Payload);
            Assert.NotNull(m.Endorsement);
            Endorsement(m.Endorsement, "SerializedIdentityOrg2", Sig2);
            Assert.NotNull(m.Interest);
            var call = Assert.Single(m.Interest.Chaincodes);
            Assert.Equal(CcName, call.Name);
            Assert.Equal(InterestCollections, call.CollectionNames);
            Assert.True(call.NoPrivateReads);
            Assert.False(call.NoPublicWrites);
            Assert.Empty(call.KeyPolicies);
            Assert.True(call.DisregardNamespacePolicy);
        }

        public void EndorsedAction(ChaincodeEndorsedAction? m)
        {
            Assert.NotNull(m);
            Bytes("ProposalResponsePayload", m.ProposalResponsePayload);
            Assert.Equal(2, m.Endorsements.Count);
            Endorsement(m.Endorsements[0], "SerializedIdentity", Sig1);
            Endorsement(m.Endorsements[1], "SerializedIdentityOrg2", Sig2);
        }

        public void Envelope(Envelope? m, bool signed)
        {
            Assert.NotNull(m);
            Bytes("Payload", m.Payload);
            if (signed)
            {
                Bytes(Sig1, m.Signature);
            }
            else
            {
                Assert.True(m.Signature.IsEmpty);
            }
        }

        public void Block(Block? m)
        {
            Assert.NotNull(m);
            Assert.NotNull(m.Header);
            Assert.Equal(BlockNumber, m.Header.Number);
            Bytes(PreviousHash, m.Header.PreviousHash);
            Bytes(DataHash, m.Header.DataHash);
            Assert.NotNull(m.Data);
            Assert.Equal(2, m.Data.Data.Count);
            Bytes("Envelope", m.Data.Data[0]);
            Bytes("EnvelopeUnsigned", m.Data.Data[1]);
            Assert.NotNull(m.Metadata);
            Assert.Equal(5, m.Metadata.Metadata.Count);
            Bytes("Metadata", m.Metadata.Metadata[(int)BlockMetadataIndex.Signatures]);
            Bytes("OrdererBlockMetadata", m.Metadata.Metadata[(int)BlockMetadataIndex.LastConfig]);
            Bytes(TxFilter, m.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter]);
            Assert.True(m.Metadata.Metadata[(int)BlockMetadataIndex.Orderer].IsEmpty);
            Bytes(CommitHash, m.Metadata.Metadata[(int)BlockMetadataIndex.CommitHash]);
        }

        public static void Specified(SeekPosition? p, ulong number)
        {
            Assert.NotNull(p);
            Assert.Equal(SeekPosition.TypeOneofCase.Specified, p.TypeCase);
            Assert.Equal(number, p.Specified.Number);
        }

        public static void FilteredBlock(FilteredBlock? m)
        {
            Assert.NotNull(m);
            Assert.Equal(Channel, m.ChannelId);
            Assert.Equal(BlockNumber, m.Number);
            Assert.Equal(2, m.FilteredTransactions.Count);

            var ft1 = m.FilteredTransactions[0];
            Assert.Equal(TxId, ft1.Txid);
            Assert.Equal(HeaderType.EndorserTransaction, ft1.Type);
            Assert.Equal(TxValidationCode.Valid, ft1.TxValidationCode);
            Assert.Equal(FilteredTransaction.DataOneofCase.TransactionActions, ft1.DataCase);
            var action = Assert.Single(ft1.TransactionActions.ChaincodeActions);
            Event(action.ChaincodeEvent, withPayload: false);

            var ft2 = m.FilteredTransactions[1];
            Assert.Equal(TxId2, ft2.Txid);
            Assert.Equal(HeaderType.EndorserTransaction, ft2.Type);
            Assert.Equal(TxValidationCode.MvccReadConflict, ft2.TxValidationCode);
            Assert.Equal(FilteredTransaction.DataOneofCase.None, ft2.DataCase);
        }
    }
}
