'use strict';

// Builds every test vector with the official @hyperledger/fabric-protos classes from the fixed values in
// values.js. Returns an ordered object: name -> { type: <proto full name>, base64: <serialized bytes> }.

const { common, peer, ledger, gateway, orderer, msp } = require('@hyperledger/fabric-protos');
const { Timestamp } = require('google-protobuf/google/protobuf/timestamp_pb');
const { V } = require('./values');

const { kvrwset } = ledger.rwset;
const { rwset } = ledger;
const { queryresult } = ledger;

function ts(seconds, nanos) {
    const t = new Timestamp();
    t.setSeconds(seconds);
    t.setNanos(nanos);
    return t;
}

function buildVectors() {
    const out = {};
    const bytes = {};
    function add(name, type, message) {
        if (Object.prototype.hasOwnProperty.call(out, name)) {
            throw new Error(`duplicate vector ${name}`);
        }
        const b = message.serializeBinary();
        bytes[name] = b;
        out[name] = { type, base64: Buffer.from(b).toString('base64') };
        return b;
    }

    // ---- identities and headers -------------------------------------------------------------
    const id1 = new msp.SerializedIdentity();
    id1.setMspid(V.MSP1);
    id1.setIdBytes(V.CERT1);
    add('SerializedIdentity', 'msp.SerializedIdentity', id1);

    const id2 = new msp.SerializedIdentity();
    id2.setMspid(V.MSP2);
    id2.setIdBytes(V.CERT2);
    add('SerializedIdentityOrg2', 'msp.SerializedIdentity', id2);

    const sigHeader = new common.SignatureHeader();
    sigHeader.setCreator(bytes.SerializedIdentity);
    sigHeader.setNonce(V.NONCE);
    add('SignatureHeader', 'common.SignatureHeader', sigHeader);

    const ccIdName = new peer.ChaincodeID();
    ccIdName.setName(V.CC_NAME);
    const hdrExt = new peer.ChaincodeHeaderExtension();
    hdrExt.setChaincodeId(ccIdName);
    add('ChaincodeHeaderExtension', 'protos.ChaincodeHeaderExtension', hdrExt);

    const chHeader = new common.ChannelHeader();
    chHeader.setType(V.HEADER_TYPE_ENDORSER_TRANSACTION);
    chHeader.setVersion(V.CHANNEL_HEADER_VERSION);
    chHeader.setTimestamp(ts(V.TS_SECONDS, V.TS_NANOS));
    chHeader.setChannelId(V.CHANNEL);
    chHeader.setTxId(V.TX_ID);
    chHeader.setEpoch(V.CHANNEL_HEADER_EPOCH);
    chHeader.setExtension$(bytes.ChaincodeHeaderExtension);
    chHeader.setTlsCertHash(V.TLS_CERT_HASH);
    add('ChannelHeader', 'common.ChannelHeader', chHeader);

    const header = new common.Header();
    header.setChannelHeader(bytes.ChannelHeader);
    header.setSignatureHeader(bytes.SignatureHeader);
    add('Header', 'common.Header', header);

    // ---- proposal ---------------------------------------------------------------------------
    const ccIdFull = new peer.ChaincodeID();
    ccIdFull.setPath(V.CC_PATH);
    ccIdFull.setName(V.CC_NAME);
    ccIdFull.setVersion(V.CC_VERSION);
    const input = new peer.ChaincodeInput();
    input.setArgsList(V.ARGS.map((a) => new TextEncoder().encode(a)));
    input.getDecorationsMap().set(V.DECORATION_KEY, V.DECORATION_VALUE);
    input.setIsInit(true);
    add('ChaincodeInput', 'protos.ChaincodeInput', input);

    const spec = new peer.ChaincodeSpec();
    spec.setType(V.CHAINCODE_TYPE_NODE);
    spec.setChaincodeId(ccIdFull);
    spec.setInput(input);
    spec.setTimeout(V.CC_TIMEOUT);
    const cis = new peer.ChaincodeInvocationSpec();
    cis.setChaincodeSpec(spec);
    add('ChaincodeInvocationSpec', 'protos.ChaincodeInvocationSpec', cis);

    const cpp = new peer.ChaincodeProposalPayload();
    cpp.setInput(bytes.ChaincodeInvocationSpec);
    for (const [k, v] of V.TRANSIENT) {
        cpp.getTransientmapMap().set(k, v);
    }
    add('ChaincodeProposalPayload', 'protos.ChaincodeProposalPayload', cpp);

    const cppNoTransient = new peer.ChaincodeProposalPayload();
    cppNoTransient.setInput(bytes.ChaincodeInvocationSpec);
    add('ChaincodeProposalPayloadNoTransient', 'protos.ChaincodeProposalPayload', cppNoTransient);

    const proposal = new peer.Proposal();
    proposal.setHeader(bytes.Header);
    proposal.setPayload(bytes.ChaincodeProposalPayload);
    proposal.setExtension$(V.PROPOSAL_EXTENSION);
    add('Proposal', 'protos.Proposal', proposal);

    const signedProposal = new peer.SignedProposal();
    signedProposal.setProposalBytes(bytes.Proposal);
    signedProposal.setSignature(V.SIG1);
    add('SignedProposal', 'protos.SignedProposal', signedProposal);

    // ---- read/write set ---------------------------------------------------------------------
    function version(blockNum, txNum) {
        const v = new kvrwset.Version();
        v.setBlockNum(blockNum);
        v.setTxNum(txNum);
        return v;
    }
    function kvRead(key, ver) {
        const r = new kvrwset.KVRead();
        r.setKey(key);
        if (ver) {
            r.setVersion(ver);
        }
        return r;
    }
    const kv = new kvrwset.KVRWSet();
    kv.setReadsList([
        kvRead(V.READ_KEY, version(V.READ_BLOCK, V.READ_TX)),
        kvRead(V.MISSING_KEY, undefined),
        kvRead(V.GENESIS_KEY, version(0, 0)),
    ]);
    const rqi = new kvrwset.RangeQueryInfo();
    rqi.setStartKey(V.RANGE_START);
    rqi.setEndKey(V.RANGE_END);
    rqi.setItrExhausted(true);
    const rawReads = new kvrwset.QueryReads();
    rawReads.setKvReadsList([
        kvRead(V.READ_KEY, version(V.READ_BLOCK, V.READ_TX)),
        kvRead(V.RANGE_READ2_KEY, version(V.RANGE_READ2_BLOCK, 0)),
    ]);
    rqi.setRawReads(rawReads);
    kv.setRangeQueriesInfoList([rqi]);
    const write = new kvrwset.KVWrite();
    write.setKey(V.WRITE_KEY);
    write.setValue(V.WRITE_VALUE);
    const del = new kvrwset.KVWrite();
    del.setKey(V.DELETE_KEY);
    del.setIsDelete(true);
    kv.setWritesList([write, del]);
    const metaEntry = new kvrwset.KVMetadataEntry();
    metaEntry.setName(V.META_NAME);
    metaEntry.setValue(V.META_VALUE);
    const metaWrite = new kvrwset.KVMetadataWrite();
    metaWrite.setKey(V.META_KEY);
    metaWrite.setEntriesList([metaEntry]);
    kv.setMetadataWritesList([metaWrite]);
    add('KVRWSet', 'kvrwset.KVRWSet', kv);

    const kv2 = new kvrwset.KVRWSet();
    kv2.setReadsList([kvRead(V.NS2_READ_KEY, version(V.NS2_READ_BLOCK, V.NS2_READ_TX))]);
    add('KVRWSetLifecycle', 'kvrwset.KVRWSet', kv2);

    const ns1 = new rwset.NsReadWriteSet();
    ns1.setNamespace(V.NAMESPACE);
    ns1.setRwset(bytes.KVRWSet);
    const coll = new rwset.CollectionHashedReadWriteSet();
    coll.setCollectionName(V.COLLECTION);
    coll.setHashedRwset(V.HASHED_RWSET);
    coll.setPvtRwsetHash(V.PVT_RWSET_HASH);
    ns1.setCollectionHashedRwsetList([coll]);
    const ns2 = new rwset.NsReadWriteSet();
    ns2.setNamespace(V.NAMESPACE2);
    ns2.setRwset(bytes.KVRWSetLifecycle);
    const txRwset = new rwset.TxReadWriteSet();
    txRwset.setDataModel(rwset.TxReadWriteSet.DataModel.KV);
    txRwset.setNsRwsetList([ns1, ns2]);
    add('TxReadWriteSet', 'rwset.TxReadWriteSet', txRwset);

    // ---- endorsement ------------------------------------------------------------------------
    const event = new peer.ChaincodeEvent();
    event.setChaincodeId(V.CC_NAME);
    event.setTxId(V.TX_ID);
    event.setEventName(V.EVENT_NAME);
    event.setPayload(V.EVENT_PAYLOAD);
    add('ChaincodeEvent', 'protos.ChaincodeEvent', event);

    function response() {
        const r = new peer.Response();
        r.setStatus(V.RESPONSE_STATUS);
        r.setMessage(V.RESPONSE_MESSAGE);
        r.setPayload(V.RESPONSE_PAYLOAD);
        return r;
    }
    add('Response', 'protos.Response', response());

    const ccIdNameVersion = new peer.ChaincodeID();
    ccIdNameVersion.setName(V.CC_NAME);
    ccIdNameVersion.setVersion(V.CC_VERSION);
    const ccAction = new peer.ChaincodeAction();
    ccAction.setResults(bytes.TxReadWriteSet);
    ccAction.setEvents(bytes.ChaincodeEvent);
    ccAction.setResponse(response());
    ccAction.setChaincodeId(ccIdNameVersion);
    add('ChaincodeAction', 'protos.ChaincodeAction', ccAction);

    const prp = new peer.ProposalResponsePayload();
    prp.setProposalHash(V.PROPOSAL_HASH);
    prp.setExtension$(bytes.ChaincodeAction);
    add('ProposalResponsePayload', 'protos.ProposalResponsePayload', prp);

    function endorsement(endorser, sig) {
        const e = new peer.Endorsement();
        e.setEndorser(endorser);
        e.setSignature(sig);
        return e;
    }
    add('Endorsement', 'protos.Endorsement', endorsement(bytes.SerializedIdentityOrg2, V.SIG2));

    const call = new peer.ChaincodeCall();
    call.setName(V.CC_NAME);
    call.setCollectionNamesList(V.INTEREST_COLLECTIONS);
    call.setNoPrivateReads(true);
    call.setDisregardNamespacePolicy(true);
    const interest = new peer.ChaincodeInterest();
    interest.setChaincodesList([call]);

    const pr = new peer.ProposalResponse();
    pr.setVersion(V.PROPOSAL_RESPONSE_VERSION);
    pr.setTimestamp(ts(V.TS_SECONDS, V.TS_NANOS));
    pr.setResponse(response());
    pr.setPayload(bytes.ProposalResponsePayload);
    pr.setEndorsement(endorsement(bytes.SerializedIdentityOrg2, V.SIG2));
    pr.setInterest(interest);
    add('ProposalResponse', 'protos.ProposalResponse', pr);

    // ---- transaction ------------------------------------------------------------------------
    const cea = new peer.ChaincodeEndorsedAction();
    cea.setProposalResponsePayload(bytes.ProposalResponsePayload);
    cea.setEndorsementsList([
        endorsement(bytes.SerializedIdentity, V.SIG1),
        endorsement(bytes.SerializedIdentityOrg2, V.SIG2),
    ]);
    add('ChaincodeEndorsedAction', 'protos.ChaincodeEndorsedAction', cea);

    const cap = new peer.ChaincodeActionPayload();
    cap.setChaincodeProposalPayload(bytes.ChaincodeProposalPayloadNoTransient);
    cap.setAction(cea);
    add('ChaincodeActionPayload', 'protos.ChaincodeActionPayload', cap);

    const txAction = new peer.TransactionAction();
    txAction.setHeader(bytes.SignatureHeader);
    txAction.setPayload(bytes.ChaincodeActionPayload);
    const tx = new peer.Transaction();
    tx.setActionsList([txAction]);
    add('Transaction', 'protos.Transaction', tx);

    const payload = new common.Payload();
    payload.setHeader(header);
    payload.setData(bytes.Transaction);
    add('Payload', 'common.Payload', payload);

    const envelope = new common.Envelope();
    envelope.setPayload(bytes.Payload);
    envelope.setSignature(V.SIG1);
    add('Envelope', 'common.Envelope', envelope);

    const unsignedEnvelope = new common.Envelope();
    unsignedEnvelope.setPayload(bytes.Payload);
    add('EnvelopeUnsigned', 'common.Envelope', unsignedEnvelope);

    // ---- block ------------------------------------------------------------------------------
    const mdSig = new common.MetadataSignature();
    mdSig.setSignatureHeader(bytes.SignatureHeader);
    mdSig.setSignature(V.SIG3);
    mdSig.setIdentifierHeader(V.IDENTIFIER_HEADER);
    const md = new common.Metadata();
    md.setValue(V.METADATA_VALUE);
    md.setSignaturesList([mdSig]);
    add('Metadata', 'common.Metadata', md);

    const lastConfig = new common.LastConfig();
    lastConfig.setIndex(V.LAST_CONFIG_INDEX);
    const obm = new common.OrdererBlockMetadata();
    obm.setLastConfig(lastConfig);
    obm.setConsenterMetadata(V.METADATA_VALUE);
    add('OrdererBlockMetadata', 'common.OrdererBlockMetadata', obm);

    const blockHeader = new common.BlockHeader();
    blockHeader.setNumber(V.BLOCK_NUMBER);
    blockHeader.setPreviousHash(V.PREVIOUS_HASH);
    blockHeader.setDataHash(V.DATA_HASH);
    const blockData = new common.BlockData();
    blockData.setDataList([bytes.Envelope, bytes.EnvelopeUnsigned]);
    const blockMetadata = new common.BlockMetadata();
    // SIGNATURES, LAST_CONFIG, TRANSACTIONS_FILTER, ORDERER (empty), COMMIT_HASH
    blockMetadata.setMetadataList([
        bytes.Metadata,
        bytes.OrdererBlockMetadata,
        V.TX_FILTER,
        new Uint8Array(0),
        V.COMMIT_HASH,
    ]);
    const block = new common.Block();
    block.setHeader(blockHeader);
    block.setData(blockData);
    block.setMetadata(blockMetadata);
    add('Block', 'common.Block', block);

    // ---- gateway ----------------------------------------------------------------------------
    const endorseReq = new gateway.EndorseRequest();
    endorseReq.setTransactionId(V.TX_ID);
    endorseReq.setChannelId(V.CHANNEL);
    endorseReq.setProposedTransaction(signedProposal);
    endorseReq.setEndorsingOrganizationsList(V.ENDORSING_ORGS);
    add('EndorseRequest', 'gateway.EndorseRequest', endorseReq);

    const evaluateReq = new gateway.EvaluateRequest();
    evaluateReq.setTransactionId(V.TX_ID);
    evaluateReq.setChannelId(V.CHANNEL);
    evaluateReq.setProposedTransaction(signedProposal);
    evaluateReq.setTargetOrganizationsList(V.TARGET_ORGS);
    add('EvaluateRequest', 'gateway.EvaluateRequest', evaluateReq);

    const evaluateResp = new gateway.EvaluateResponse();
    evaluateResp.setResult(response());
    add('EvaluateResponse', 'gateway.EvaluateResponse', evaluateResp);

    const endorseResp = new gateway.EndorseResponse();
    endorseResp.setPreparedTransaction(unsignedEnvelope);
    add('EndorseResponse', 'gateway.EndorseResponse', endorseResp);

    const submitReq = new gateway.SubmitRequest();
    submitReq.setTransactionId(V.TX_ID);
    submitReq.setChannelId(V.CHANNEL);
    submitReq.setPreparedTransaction(envelope);
    add('SubmitRequest', 'gateway.SubmitRequest', submitReq);

    const csr = new gateway.CommitStatusRequest();
    csr.setTransactionId(V.TX_ID);
    csr.setChannelId(V.CHANNEL);
    csr.setIdentity(bytes.SerializedIdentity);
    add('CommitStatusRequest', 'gateway.CommitStatusRequest', csr);

    const scsr = new gateway.SignedCommitStatusRequest();
    scsr.setRequest(bytes.CommitStatusRequest);
    scsr.setSignature(V.SIG1);
    add('SignedCommitStatusRequest', 'gateway.SignedCommitStatusRequest', scsr);

    const csResp = new gateway.CommitStatusResponse();
    csResp.setResult(V.COMMIT_STATUS_MVCC);
    csResp.setBlockNumber(V.BLOCK_NUMBER);
    add('CommitStatusResponse', 'gateway.CommitStatusResponse', csResp);

    function seekSpecified(n) {
        const s = new orderer.SeekSpecified();
        s.setNumber(n);
        const p = new orderer.SeekPosition();
        p.setSpecified(s);
        return p;
    }
    const cer = new gateway.ChaincodeEventsRequest();
    cer.setChannelId(V.CHANNEL);
    cer.setChaincodeId(V.CC_NAME);
    cer.setIdentity(bytes.SerializedIdentity);
    cer.setStartPosition(seekSpecified(V.START_BLOCK));
    cer.setAfterTransactionId(V.TX_ID);
    add('ChaincodeEventsRequest', 'gateway.ChaincodeEventsRequest', cer);

    const scer = new gateway.SignedChaincodeEventsRequest();
    scer.setRequest(bytes.ChaincodeEventsRequest);
    scer.setSignature(V.SIG1);
    add('SignedChaincodeEventsRequest', 'gateway.SignedChaincodeEventsRequest', scer);

    const cerResp = new gateway.ChaincodeEventsResponse();
    cerResp.setEventsList([event, event]);
    cerResp.setBlockNumber(V.BLOCK_NUMBER);
    add('ChaincodeEventsResponse', 'gateway.ChaincodeEventsResponse', cerResp);

    const errorDetail = new gateway.ErrorDetail();
    errorDetail.setAddress(V.PEER_ADDRESS);
    errorDetail.setMspId(V.MSP1);
    errorDetail.setMessage(V.ERROR_MESSAGE);
    add('ErrorDetail', 'gateway.ErrorDetail', errorDetail);

    // ---- orderer / deliver ------------------------------------------------------------------
    const seekInfo = new orderer.SeekInfo();
    seekInfo.setStart(seekSpecified(V.SEEK_START));
    seekInfo.setStop(seekSpecified(V.SEEK_STOP));
    seekInfo.setBehavior(V.SEEK_FAIL_IF_NOT_READY);
    seekInfo.setErrorResponse(V.SEEK_BEST_EFFORT);
    add('SeekInfo', 'orderer.SeekInfo', seekInfo);

    const nextCommit = new orderer.SeekPosition();
    nextCommit.setNextCommit(new orderer.SeekNextCommit());
    const seekInfoNext = new orderer.SeekInfo();
    seekInfoNext.setStart(nextCommit);
    seekInfoNext.setStop(seekSpecified(V.SEEK_STOP));
    add('SeekInfoNextCommit', 'orderer.SeekInfo', seekInfoNext);

    const broadcastResp = new orderer.BroadcastResponse();
    broadcastResp.setStatus(V.STATUS_BAD_REQUEST);
    broadcastResp.setInfo(V.BROADCAST_INFO);
    add('BroadcastResponse', 'orderer.BroadcastResponse', broadcastResp);

    const filteredEvent = new peer.ChaincodeEvent();
    filteredEvent.setChaincodeId(V.CC_NAME);
    filteredEvent.setTxId(V.TX_ID);
    filteredEvent.setEventName(V.EVENT_NAME);
    const fca = new peer.FilteredChaincodeAction();
    fca.setChaincodeEvent(filteredEvent);
    const fta = new peer.FilteredTransactionActions();
    fta.setChaincodeActionsList([fca]);
    const ft1 = new peer.FilteredTransaction();
    ft1.setTxid(V.TX_ID);
    ft1.setType(V.HEADER_TYPE_ENDORSER_TRANSACTION);
    ft1.setTxValidationCode(0);
    ft1.setTransactionActions(fta);
    const ft2 = new peer.FilteredTransaction();
    ft2.setTxid(V.TX_ID2);
    ft2.setType(V.HEADER_TYPE_ENDORSER_TRANSACTION);
    ft2.setTxValidationCode(V.COMMIT_STATUS_MVCC);
    const filteredBlock = new peer.FilteredBlock();
    filteredBlock.setChannelId(V.CHANNEL);
    filteredBlock.setNumber(V.BLOCK_NUMBER);
    filteredBlock.setFilteredTransactionsList([ft1, ft2]);
    add('FilteredBlock', 'protos.FilteredBlock', filteredBlock);

    const drBlock = new peer.DeliverResponse();
    drBlock.setBlock(block);
    add('DeliverResponseBlock', 'protos.DeliverResponse', drBlock);

    const drFiltered = new peer.DeliverResponse();
    drFiltered.setFilteredBlock(filteredBlock);
    add('DeliverResponseFilteredBlock', 'protos.DeliverResponse', drFiltered);

    const drStatus = new peer.DeliverResponse();
    drStatus.setStatus(V.STATUS_SUCCESS);
    add('DeliverResponseStatus', 'protos.DeliverResponse', drStatus);

    // ---- chaincode shim ---------------------------------------------------------------------
    const ccMsg = new peer.ChaincodeMessage();
    ccMsg.setType(V.CHAINCODE_MESSAGE_TRANSACTION);
    ccMsg.setTimestamp(ts(V.TS_SECONDS, V.TS_NANOS));
    ccMsg.setPayload(bytes.ChaincodeInput);
    ccMsg.setTxid(V.TX_ID);
    ccMsg.setProposal(signedProposal);
    ccMsg.setChaincodeEvent(event);
    ccMsg.setChannelId(V.CHANNEL);
    add('ChaincodeMessage', 'protos.ChaincodeMessage', ccMsg);

    const qkv = new queryresult.KV();
    qkv.setNamespace(V.NAMESPACE);
    qkv.setKey(V.RANGE_READ2_KEY);
    qkv.setValue(V.QUERY_VALUE);
    add('KV', 'queryresult.KV', qkv);

    const km = new queryresult.KeyModification();
    km.setTxId(V.TX_ID2);
    km.setValue(new Uint8Array(0));
    km.setTimestamp(ts(V.TS2_SECONDS, 0));
    km.setIsDelete(true);
    add('KeyModification', 'queryresult.KeyModification', km);

    const qrm = new peer.QueryResponseMetadata();
    qrm.setFetchedRecordsCount(V.FETCHED);
    qrm.setBookmark(V.BOOKMARK);
    add('QueryResponseMetadata', 'protos.QueryResponseMetadata', qrm);

    const qrb1 = new peer.QueryResultBytes();
    qrb1.setResultbytes(bytes.KV);
    const qrb2 = new peer.QueryResultBytes();
    qrb2.setResultbytes(bytes.KeyModification);
    const qr = new peer.QueryResponse();
    qr.setResultsList([qrb1, qrb2]);
    qr.setHasMore(true);
    qr.setId(V.QUERY_ID);
    qr.setMetadata(bytes.QueryResponseMetadata);
    add('QueryResponse', 'protos.QueryResponse', qr);

    return out;
}

/** The exact text written to fabric-protos-vectors.json. */
function renderJson(vectors) {
    return `${JSON.stringify(vectors, null, 2)}\n`;
}

module.exports = { buildVectors, renderJson };
