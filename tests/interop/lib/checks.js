'use strict';

// Field-by-field checks of every vector, decoded with @hyperledger/fabric-protos. Fields holding another
// serialized message are compared with that vector's bytes from the same set (which is checked on its own).

const assert = require('node:assert/strict');
const { common, peer, ledger, gateway, orderer, msp } = require('@hyperledger/fabric-protos');
const { V } = require('../vectors/values');

const { kvrwset } = ledger.rwset;
const { rwset, queryresult } = ledger;

const TYPES = {
    'msp.SerializedIdentity': msp.SerializedIdentity,
    'common.SignatureHeader': common.SignatureHeader,
    'protos.ChaincodeHeaderExtension': peer.ChaincodeHeaderExtension,
    'common.ChannelHeader': common.ChannelHeader,
    'common.Header': common.Header,
    'protos.ChaincodeInput': peer.ChaincodeInput,
    'protos.ChaincodeInvocationSpec': peer.ChaincodeInvocationSpec,
    'protos.ChaincodeProposalPayload': peer.ChaincodeProposalPayload,
    'protos.Proposal': peer.Proposal,
    'protos.SignedProposal': peer.SignedProposal,
    'kvrwset.KVRWSet': kvrwset.KVRWSet,
    'rwset.TxReadWriteSet': rwset.TxReadWriteSet,
    'protos.ChaincodeEvent': peer.ChaincodeEvent,
    'protos.Response': peer.Response,
    'protos.ChaincodeAction': peer.ChaincodeAction,
    'protos.ProposalResponsePayload': peer.ProposalResponsePayload,
    'protos.Endorsement': peer.Endorsement,
    'protos.ProposalResponse': peer.ProposalResponse,
    'protos.ChaincodeEndorsedAction': peer.ChaincodeEndorsedAction,
    'protos.ChaincodeActionPayload': peer.ChaincodeActionPayload,
    'protos.Transaction': peer.Transaction,
    'common.Payload': common.Payload,
    'common.Envelope': common.Envelope,
    'common.Metadata': common.Metadata,
    'common.OrdererBlockMetadata': common.OrdererBlockMetadata,
    'common.Block': common.Block,
    'gateway.EndorseRequest': gateway.EndorseRequest,
    'gateway.EvaluateRequest': gateway.EvaluateRequest,
    'gateway.EvaluateResponse': gateway.EvaluateResponse,
    'gateway.EndorseResponse': gateway.EndorseResponse,
    'gateway.SubmitRequest': gateway.SubmitRequest,
    'gateway.CommitStatusRequest': gateway.CommitStatusRequest,
    'gateway.SignedCommitStatusRequest': gateway.SignedCommitStatusRequest,
    'gateway.CommitStatusResponse': gateway.CommitStatusResponse,
    'gateway.ChaincodeEventsRequest': gateway.ChaincodeEventsRequest,
    'gateway.SignedChaincodeEventsRequest': gateway.SignedChaincodeEventsRequest,
    'gateway.ChaincodeEventsResponse': gateway.ChaincodeEventsResponse,
    'gateway.ErrorDetail': gateway.ErrorDetail,
    'orderer.SeekInfo': orderer.SeekInfo,
    'orderer.BroadcastResponse': orderer.BroadcastResponse,
    'protos.FilteredBlock': peer.FilteredBlock,
    'protos.DeliverResponse': peer.DeliverResponse,
    'protos.ChaincodeMessage': peer.ChaincodeMessage,
    'queryresult.KV': queryresult.KV,
    'queryresult.KeyModification': queryresult.KeyModification,
    'protos.QueryResponseMetadata': peer.QueryResponseMetadata,
    'protos.QueryResponse': peer.QueryResponse,
};

const EMPTY = new Uint8Array(0);
const text = (u8) => new TextDecoder().decode(u8);

function bytesEqual(actual, expected, what) {
    assert.deepEqual(Buffer.from(actual), Buffer.from(expected), what);
}

/** Returns { name: check(message) } bound to a vector set { name: Uint8Array }. */
function makeChecks(set) {
    const vec = (name) => set[name];

    function ts(t, seconds, nanos) {
        assert.ok(t, 'timestamp present');
        assert.equal(t.getSeconds(), seconds);
        assert.equal(t.getNanos(), nanos);
    }
    function identity(m, mspid, cert) {
        assert.equal(m.getMspid(), mspid);
        bytesEqual(m.getIdBytes_asU8(), cert, 'id_bytes');
    }
    function chaincodeId(id, path, name, version) {
        assert.ok(id, 'chaincode_id present');
        assert.equal(id.getPath(), path);
        assert.equal(id.getName(), name);
        assert.equal(id.getVersion(), version);
    }
    function header(m) {
        assert.ok(m, 'header present');
        bytesEqual(m.getChannelHeader_asU8(), vec('ChannelHeader'), 'channel_header');
        bytesEqual(m.getSignatureHeader_asU8(), vec('SignatureHeader'), 'signature_header');
    }
    function input(m) {
        assert.ok(m, 'input present');
        assert.deepEqual(m.getArgsList_asU8().map(text), V.ARGS);
        const deco = m.getDecorationsMap();
        assert.equal(deco.getLength(), 1);
        bytesEqual(deco.get(V.DECORATION_KEY), V.DECORATION_VALUE, 'decoration');
        assert.equal(m.getIsInit(), true);
    }
    function signedProposal(m) {
        assert.ok(m, 'signed proposal present');
        bytesEqual(m.getProposalBytes_asU8(), vec('Proposal'), 'proposal_bytes');
        bytesEqual(m.getSignature_asU8(), V.SIG1, 'signature');
    }
    function read(r, key, block, tx) {
        assert.equal(r.getKey(), key);
        if (block === undefined) {
            assert.equal(r.hasVersion(), false, `${key} has no version`);
        } else {
            assert.equal(r.hasVersion(), true, `${key} has a version`);
            assert.equal(r.getVersion().getBlockNum(), block);
            assert.equal(r.getVersion().getTxNum(), tx);
        }
    }
    function event(e, withPayload) {
        assert.ok(e, 'event present');
        assert.equal(e.getChaincodeId(), V.CC_NAME);
        assert.equal(e.getTxId(), V.TX_ID);
        assert.equal(e.getEventName(), V.EVENT_NAME);
        bytesEqual(e.getPayload_asU8(), withPayload ? V.EVENT_PAYLOAD : EMPTY, 'event payload');
    }
    function response(r) {
        assert.ok(r, 'response present');
        assert.equal(r.getStatus(), V.RESPONSE_STATUS);
        assert.equal(r.getMessage(), V.RESPONSE_MESSAGE);
        bytesEqual(r.getPayload_asU8(), V.RESPONSE_PAYLOAD, 'response payload');
    }
    function endorsement(e, endorserVector, sig) {
        assert.ok(e, 'endorsement present');
        bytesEqual(e.getEndorser_asU8(), vec(endorserVector), 'endorser');
        bytesEqual(e.getSignature_asU8(), sig, 'endorsement signature');
    }
    function endorsedAction(m) {
        assert.ok(m, 'action present');
        bytesEqual(m.getProposalResponsePayload_asU8(), vec('ProposalResponsePayload'), 'prp');
        const list = m.getEndorsementsList();
        assert.equal(list.length, 2);
        endorsement(list[0], 'SerializedIdentity', V.SIG1);
        endorsement(list[1], 'SerializedIdentityOrg2', V.SIG2);
    }
    function envelope(m, signed) {
        assert.ok(m, 'envelope present');
        bytesEqual(m.getPayload_asU8(), vec('Payload'), 'envelope payload');
        bytesEqual(m.getSignature_asU8(), signed ? V.SIG1 : EMPTY, 'envelope signature');
    }
    function specified(p, n) {
        assert.ok(p, 'seek position present');
        assert.equal(p.getTypeCase(), orderer.SeekPosition.TypeCase.SPECIFIED);
        assert.equal(p.getSpecified().getNumber(), n);
    }
    function block(b) {
        assert.ok(b, 'block present');
        const h = b.getHeader();
        assert.equal(h.getNumber(), V.BLOCK_NUMBER);
        bytesEqual(h.getPreviousHash_asU8(), V.PREVIOUS_HASH, 'previous_hash');
        bytesEqual(h.getDataHash_asU8(), V.DATA_HASH, 'data_hash');
        const data = b.getData().getDataList_asU8();
        assert.equal(data.length, 2);
        bytesEqual(data[0], vec('Envelope'), 'data[0]');
        bytesEqual(data[1], vec('EnvelopeUnsigned'), 'data[1]');
        const md = b.getMetadata().getMetadataList_asU8();
        assert.equal(md.length, 5);
        bytesEqual(md[common.BlockMetadataIndex.SIGNATURES], vec('Metadata'), 'SIGNATURES');
        bytesEqual(md[common.BlockMetadataIndex.LAST_CONFIG], vec('OrdererBlockMetadata'), 'LAST_CONFIG');
        bytesEqual(md[common.BlockMetadataIndex.TRANSACTIONS_FILTER], V.TX_FILTER, 'TRANSACTIONS_FILTER');
        bytesEqual(md[common.BlockMetadataIndex.ORDERER], EMPTY, 'ORDERER');
        bytesEqual(md[common.BlockMetadataIndex.COMMIT_HASH], V.COMMIT_HASH, 'COMMIT_HASH');
    }
    function filteredBlock(fb) {
        assert.ok(fb, 'filtered block present');
        assert.equal(fb.getChannelId(), V.CHANNEL);
        assert.equal(fb.getNumber(), V.BLOCK_NUMBER);
        const txs = fb.getFilteredTransactionsList();
        assert.equal(txs.length, 2);
        assert.equal(txs[0].getTxid(), V.TX_ID);
        assert.equal(txs[0].getType(), common.HeaderType.ENDORSER_TRANSACTION);
        assert.equal(txs[0].getTxValidationCode(), peer.TxValidationCode.VALID);
        assert.equal(txs[0].getDataCase(), peer.FilteredTransaction.DataCase.TRANSACTION_ACTIONS);
        const actions = txs[0].getTransactionActions().getChaincodeActionsList();
        assert.equal(actions.length, 1);
        event(actions[0].getChaincodeEvent(), false);
        assert.equal(txs[1].getTxid(), V.TX_ID2);
        assert.equal(txs[1].getType(), common.HeaderType.ENDORSER_TRANSACTION);
        assert.equal(txs[1].getTxValidationCode(), peer.TxValidationCode.MVCC_READ_CONFLICT);
        assert.equal(txs[1].getDataCase(), peer.FilteredTransaction.DataCase.DATA_NOT_SET);
    }

    return {
        SerializedIdentity: (m) => identity(m, V.MSP1, V.CERT1),
        SerializedIdentityOrg2: (m) => identity(m, V.MSP2, V.CERT2),
        SignatureHeader: (m) => {
            bytesEqual(m.getCreator_asU8(), vec('SerializedIdentity'), 'creator');
            bytesEqual(m.getNonce_asU8(), V.NONCE, 'nonce');
        },
        ChaincodeHeaderExtension: (m) => chaincodeId(m.getChaincodeId(), '', V.CC_NAME, ''),
        ChannelHeader: (m) => {
            assert.equal(m.getType(), common.HeaderType.ENDORSER_TRANSACTION);
            assert.equal(m.getVersion(), V.CHANNEL_HEADER_VERSION);
            ts(m.getTimestamp(), V.TS_SECONDS, V.TS_NANOS);
            assert.equal(m.getChannelId(), V.CHANNEL);
            assert.equal(m.getTxId(), V.TX_ID);
            assert.equal(m.getEpoch(), V.CHANNEL_HEADER_EPOCH);
            bytesEqual(m.getExtension_asU8(), vec('ChaincodeHeaderExtension'), 'extension');
            bytesEqual(m.getTlsCertHash_asU8(), V.TLS_CERT_HASH, 'tls_cert_hash');
        },
        Header: header,
        ChaincodeInput: input,
        ChaincodeInvocationSpec: (m) => {
            const spec = m.getChaincodeSpec();
            assert.equal(spec.getType(), peer.ChaincodeSpec.Type.NODE);
            chaincodeId(spec.getChaincodeId(), V.CC_PATH, V.CC_NAME, V.CC_VERSION);
            input(spec.getInput());
            assert.equal(spec.getTimeout(), V.CC_TIMEOUT);
        },
        ChaincodeProposalPayload: (m) => {
            bytesEqual(m.getInput_asU8(), vec('ChaincodeInvocationSpec'), 'input');
            const map = m.getTransientmapMap();
            assert.equal(map.getLength(), V.TRANSIENT.length);
            for (const [k, v] of V.TRANSIENT) {
                bytesEqual(map.get(k), v, `transient ${k}`);
            }
        },
        ChaincodeProposalPayloadNoTransient: (m) => {
            bytesEqual(m.getInput_asU8(), vec('ChaincodeInvocationSpec'), 'input');
            assert.equal(m.getTransientmapMap().getLength(), 0);
        },
        Proposal: (m) => {
            bytesEqual(m.getHeader_asU8(), vec('Header'), 'header');
            bytesEqual(m.getPayload_asU8(), vec('ChaincodeProposalPayload'), 'payload');
            bytesEqual(m.getExtension_asU8(), V.PROPOSAL_EXTENSION, 'extension');
        },
        SignedProposal: signedProposal,
        KVRWSet: (m) => {
            const reads = m.getReadsList();
            assert.equal(reads.length, 3);
            read(reads[0], V.READ_KEY, V.READ_BLOCK, V.READ_TX);
            read(reads[1], V.MISSING_KEY, undefined);
            read(reads[2], V.GENESIS_KEY, 0, 0);
            const rqis = m.getRangeQueriesInfoList();
            assert.equal(rqis.length, 1);
            const rqi = rqis[0];
            assert.equal(rqi.getStartKey(), V.RANGE_START);
            assert.equal(rqi.getEndKey(), V.RANGE_END);
            assert.equal(rqi.getItrExhausted(), true);
            assert.equal(rqi.getReadsInfoCase(), kvrwset.RangeQueryInfo.ReadsInfoCase.RAW_READS);
            assert.equal(rqi.hasReadsMerkleHashes(), false);
            const raw = rqi.getRawReads().getKvReadsList();
            assert.equal(raw.length, 2);
            read(raw[0], V.READ_KEY, V.READ_BLOCK, V.READ_TX);
            read(raw[1], V.RANGE_READ2_KEY, V.RANGE_READ2_BLOCK, 0);
            const writes = m.getWritesList();
            assert.equal(writes.length, 2);
            assert.equal(writes[0].getKey(), V.WRITE_KEY);
            assert.equal(writes[0].getIsDelete(), false);
            bytesEqual(writes[0].getValue_asU8(), V.WRITE_VALUE, 'write value');
            assert.equal(writes[1].getKey(), V.DELETE_KEY);
            assert.equal(writes[1].getIsDelete(), true);
            bytesEqual(writes[1].getValue_asU8(), EMPTY, 'delete value');
            const mws = m.getMetadataWritesList();
            assert.equal(mws.length, 1);
            assert.equal(mws[0].getKey(), V.META_KEY);
            const entries = mws[0].getEntriesList();
            assert.equal(entries.length, 1);
            assert.equal(entries[0].getName(), V.META_NAME);
            bytesEqual(entries[0].getValue_asU8(), V.META_VALUE, 'metadata value');
        },
        KVRWSetLifecycle: (m) => {
            assert.equal(m.getReadsList().length, 1);
            read(m.getReadsList()[0], V.NS2_READ_KEY, V.NS2_READ_BLOCK, V.NS2_READ_TX);
            assert.equal(m.getRangeQueriesInfoList().length, 0);
            assert.equal(m.getWritesList().length, 0);
            assert.equal(m.getMetadataWritesList().length, 0);
        },
        TxReadWriteSet: (m) => {
            assert.equal(m.getDataModel(), rwset.TxReadWriteSet.DataModel.KV);
            const ns = m.getNsRwsetList();
            assert.equal(ns.length, 2);
            assert.equal(ns[0].getNamespace(), V.NAMESPACE);
            bytesEqual(ns[0].getRwset_asU8(), vec('KVRWSet'), 'ns[0].rwset');
            const colls = ns[0].getCollectionHashedRwsetList();
            assert.equal(colls.length, 1);
            assert.equal(colls[0].getCollectionName(), V.COLLECTION);
            bytesEqual(colls[0].getHashedRwset_asU8(), V.HASHED_RWSET, 'hashed_rwset');
            bytesEqual(colls[0].getPvtRwsetHash_asU8(), V.PVT_RWSET_HASH, 'pvt_rwset_hash');
            assert.equal(ns[1].getNamespace(), V.NAMESPACE2);
            bytesEqual(ns[1].getRwset_asU8(), vec('KVRWSetLifecycle'), 'ns[1].rwset');
            assert.equal(ns[1].getCollectionHashedRwsetList().length, 0);
        },
        ChaincodeEvent: (m) => event(m, true),
        Response: response,
        ChaincodeAction: (m) => {
            bytesEqual(m.getResults_asU8(), vec('TxReadWriteSet'), 'results');
            bytesEqual(m.getEvents_asU8(), vec('ChaincodeEvent'), 'events');
            response(m.getResponse());
            chaincodeId(m.getChaincodeId(), '', V.CC_NAME, V.CC_VERSION);
        },
        ProposalResponsePayload: (m) => {
            bytesEqual(m.getProposalHash_asU8(), V.PROPOSAL_HASH, 'proposal_hash');
            bytesEqual(m.getExtension_asU8(), vec('ChaincodeAction'), 'extension');
        },
        Endorsement: (m) => endorsement(m, 'SerializedIdentityOrg2', V.SIG2),
        ProposalResponse: (m) => {
            assert.equal(m.getVersion(), V.PROPOSAL_RESPONSE_VERSION);
            ts(m.getTimestamp(), V.TS_SECONDS, V.TS_NANOS);
            response(m.getResponse());
            bytesEqual(m.getPayload_asU8(), vec('ProposalResponsePayload'), 'payload');
            endorsement(m.getEndorsement(), 'SerializedIdentityOrg2', V.SIG2);
            const calls = m.getInterest().getChaincodesList();
            assert.equal(calls.length, 1);
            assert.equal(calls[0].getName(), V.CC_NAME);
            assert.deepEqual(calls[0].getCollectionNamesList(), V.INTEREST_COLLECTIONS);
            assert.equal(calls[0].getNoPrivateReads(), true);
            assert.equal(calls[0].getNoPublicWrites(), false);
            assert.equal(calls[0].getKeyPoliciesList().length, 0);
            assert.equal(calls[0].getDisregardNamespacePolicy(), true);
        },
        ChaincodeEndorsedAction: endorsedAction,
        ChaincodeActionPayload: (m) => {
            bytesEqual(m.getChaincodeProposalPayload_asU8(), vec('ChaincodeProposalPayloadNoTransient'), 'cpp');
            endorsedAction(m.getAction());
        },
        Transaction: (m) => {
            const actions = m.getActionsList();
            assert.equal(actions.length, 1);
            bytesEqual(actions[0].getHeader_asU8(), vec('SignatureHeader'), 'action header');
            bytesEqual(actions[0].getPayload_asU8(), vec('ChaincodeActionPayload'), 'action payload');
        },
        Payload: (m) => {
            header(m.getHeader());
            bytesEqual(m.getData_asU8(), vec('Transaction'), 'data');
        },
        Envelope: (m) => envelope(m, true),
        EnvelopeUnsigned: (m) => envelope(m, false),
        Metadata: (m) => {
            bytesEqual(m.getValue_asU8(), V.METADATA_VALUE, 'value');
            const sigs = m.getSignaturesList();
            assert.equal(sigs.length, 1);
            bytesEqual(sigs[0].getSignatureHeader_asU8(), vec('SignatureHeader'), 'signature_header');
            bytesEqual(sigs[0].getSignature_asU8(), V.SIG3, 'signature');
            bytesEqual(sigs[0].getIdentifierHeader_asU8(), V.IDENTIFIER_HEADER, 'identifier_header');
        },
        OrdererBlockMetadata: (m) => {
            assert.equal(m.getLastConfig().getIndex(), V.LAST_CONFIG_INDEX);
            bytesEqual(m.getConsenterMetadata_asU8(), V.METADATA_VALUE, 'consenter_metadata');
        },
        Block: block,
        EndorseRequest: (m) => {
            assert.equal(m.getTransactionId(), V.TX_ID);
            assert.equal(m.getChannelId(), V.CHANNEL);
            signedProposal(m.getProposedTransaction());
            assert.deepEqual(m.getEndorsingOrganizationsList(), V.ENDORSING_ORGS);
        },
        EvaluateRequest: (m) => {
            assert.equal(m.getTransactionId(), V.TX_ID);
            assert.equal(m.getChannelId(), V.CHANNEL);
            signedProposal(m.getProposedTransaction());
            assert.deepEqual(m.getTargetOrganizationsList(), V.TARGET_ORGS);
        },
        EvaluateResponse: (m) => response(m.getResult()),
        EndorseResponse: (m) => envelope(m.getPreparedTransaction(), false),
        SubmitRequest: (m) => {
            assert.equal(m.getTransactionId(), V.TX_ID);
            assert.equal(m.getChannelId(), V.CHANNEL);
            envelope(m.getPreparedTransaction(), true);
        },
        CommitStatusRequest: (m) => {
            assert.equal(m.getTransactionId(), V.TX_ID);
            assert.equal(m.getChannelId(), V.CHANNEL);
            bytesEqual(m.getIdentity_asU8(), vec('SerializedIdentity'), 'identity');
        },
        SignedCommitStatusRequest: (m) => {
            bytesEqual(m.getRequest_asU8(), vec('CommitStatusRequest'), 'request');
            bytesEqual(m.getSignature_asU8(), V.SIG1, 'signature');
        },
        CommitStatusResponse: (m) => {
            assert.equal(m.getResult(), peer.TxValidationCode.MVCC_READ_CONFLICT);
            assert.equal(m.getBlockNumber(), V.BLOCK_NUMBER);
        },
        ChaincodeEventsRequest: (m) => {
            assert.equal(m.getChannelId(), V.CHANNEL);
            assert.equal(m.getChaincodeId(), V.CC_NAME);
            bytesEqual(m.getIdentity_asU8(), vec('SerializedIdentity'), 'identity');
            specified(m.getStartPosition(), V.START_BLOCK);
            assert.equal(m.getAfterTransactionId(), V.TX_ID);
        },
        SignedChaincodeEventsRequest: (m) => {
            bytesEqual(m.getRequest_asU8(), vec('ChaincodeEventsRequest'), 'request');
            bytesEqual(m.getSignature_asU8(), V.SIG1, 'signature');
        },
        ChaincodeEventsResponse: (m) => {
            const events = m.getEventsList();
            assert.equal(events.length, 2);
            event(events[0], true);
            event(events[1], true);
            assert.equal(m.getBlockNumber(), V.BLOCK_NUMBER);
        },
        ErrorDetail: (m) => {
            assert.equal(m.getAddress(), V.PEER_ADDRESS);
            assert.equal(m.getMspId(), V.MSP1);
            assert.equal(m.getMessage(), V.ERROR_MESSAGE);
        },
        SeekInfo: (m) => {
            specified(m.getStart(), V.SEEK_START);
            specified(m.getStop(), V.SEEK_STOP);
            assert.equal(m.getBehavior(), orderer.SeekInfo.SeekBehavior.FAIL_IF_NOT_READY);
            assert.equal(m.getErrorResponse(), orderer.SeekInfo.SeekErrorResponse.BEST_EFFORT);
            assert.equal(m.getContentType(), orderer.SeekInfo.SeekContentType.BLOCK);
        },
        SeekInfoNextCommit: (m) => {
            assert.equal(m.getStart().getTypeCase(), orderer.SeekPosition.TypeCase.NEXT_COMMIT);
            specified(m.getStop(), V.SEEK_STOP);
            assert.equal(m.getBehavior(), orderer.SeekInfo.SeekBehavior.BLOCK_UNTIL_READY);
            assert.equal(m.getErrorResponse(), orderer.SeekInfo.SeekErrorResponse.STRICT);
            assert.equal(m.getContentType(), orderer.SeekInfo.SeekContentType.BLOCK);
        },
        BroadcastResponse: (m) => {
            assert.equal(m.getStatus(), common.Status.BAD_REQUEST);
            assert.equal(m.getInfo(), V.BROADCAST_INFO);
        },
        FilteredBlock: filteredBlock,
        DeliverResponseBlock: (m) => {
            assert.equal(m.getTypeCase(), peer.DeliverResponse.TypeCase.BLOCK);
            block(m.getBlock());
        },
        DeliverResponseFilteredBlock: (m) => {
            assert.equal(m.getTypeCase(), peer.DeliverResponse.TypeCase.FILTERED_BLOCK);
            filteredBlock(m.getFilteredBlock());
        },
        DeliverResponseStatus: (m) => {
            assert.equal(m.getTypeCase(), peer.DeliverResponse.TypeCase.STATUS);
            assert.equal(m.getStatus(), common.Status.SUCCESS);
        },
        ChaincodeMessage: (m) => {
            assert.equal(m.getType(), peer.ChaincodeMessage.Type.TRANSACTION);
            ts(m.getTimestamp(), V.TS_SECONDS, V.TS_NANOS);
            bytesEqual(m.getPayload_asU8(), vec('ChaincodeInput'), 'payload');
            assert.equal(m.getTxid(), V.TX_ID);
            signedProposal(m.getProposal());
            event(m.getChaincodeEvent(), true);
            assert.equal(m.getChannelId(), V.CHANNEL);
        },
        KV: (m) => {
            assert.equal(m.getNamespace(), V.NAMESPACE);
            assert.equal(m.getKey(), V.RANGE_READ2_KEY);
            bytesEqual(m.getValue_asU8(), V.QUERY_VALUE, 'value');
        },
        KeyModification: (m) => {
            assert.equal(m.getTxId(), V.TX_ID2);
            bytesEqual(m.getValue_asU8(), EMPTY, 'value');
            ts(m.getTimestamp(), V.TS2_SECONDS, 0);
            assert.equal(m.getIsDelete(), true);
        },
        QueryResponseMetadata: (m) => {
            assert.equal(m.getFetchedRecordsCount(), V.FETCHED);
            assert.equal(m.getBookmark(), V.BOOKMARK);
        },
        QueryResponse: (m) => {
            const results = m.getResultsList();
            assert.equal(results.length, 2);
            bytesEqual(results[0].getResultbytes_asU8(), vec('KV'), 'results[0]');
            bytesEqual(results[1].getResultbytes_asU8(), vec('KeyModification'), 'results[1]');
            assert.equal(m.getHasMore(), true);
            assert.equal(m.getId(), V.QUERY_ID);
            bytesEqual(m.getMetadata_asU8(), vec('QueryResponseMetadata'), 'metadata');
        },
    };
}

module.exports = { TYPES, makeChecks, bytesEqual };
