'use strict';

// Fixed, known field values shared by the vector builder (vectors/build.js) and the Node tests.
// The C# side (tests/Protos.Tests/KnownValues.cs) spells out the same values independently.
// Nothing here may depend on randomness or the current time.

const enc = new TextEncoder();

/** Deterministic byte pattern: b[i] = (seed + 31 * i) mod 256. Mirrored in C# as KnownValues.Pattern. */
function pattern(length, seed) {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
        out[i] = (seed + 31 * i) & 0xff;
    }
    return out;
}

function utf8(s) {
    return enc.encode(s);
}

const V = Object.freeze({
    // 2023-11-14T22:13:20.123456789Z
    TS_SECONDS: 1700000000,
    TS_NANOS: 123456789,
    // 2023-11-14T22:13:21Z (nanos = 0, so the nanos field is omitted on the wire)
    TS2_SECONDS: 1700000001,

    CHANNEL: 'mychannel',
    CC_NAME: 'basic',
    CC_VERSION: '1.0',
    CC_PATH: 'github.com/zoncoin/basic',
    TX_ID: '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
    TX_ID2: 'ab'.repeat(32),
    MSP1: 'Org1MSP',
    MSP2: 'Org2MSP',
    CERT1: utf8('-----BEGIN CERTIFICATE-----\nTUlJQnpvbmNvaW5PcmcxQ2xpZW50\n-----END CERTIFICATE-----\n'),
    CERT2: utf8('-----BEGIN CERTIFICATE-----\nTUlJQnpvbmNvaW5PcmcyUGVlcg==\n-----END CERTIFICATE-----\n'),
    NONCE: pattern(24, 1),
    SIG1: pattern(70, 0x30),
    SIG2: pattern(71, 0x31),
    SIG3: pattern(72, 0x32),
    TLS_CERT_HASH: pattern(32, 10),
    PROPOSAL_HASH: pattern(32, 20),
    PREVIOUS_HASH: pattern(32, 30),
    DATA_HASH: pattern(32, 40),

    CHANNEL_HEADER_VERSION: 1,
    CHANNEL_HEADER_EPOCH: 7,
    HEADER_TYPE_ENDORSER_TRANSACTION: 3,
    CHAINCODE_TYPE_NODE: 2,
    CC_TIMEOUT: 30,
    ARGS: ['CreateAsset', 'asset1', 'blue'],
    DECORATION_KEY: 'deco',
    DECORATION_VALUE: utf8('decoration-value'),
    // Inserted in this (unsorted) order on purpose; see the README / report on map ordering.
    TRANSIENT: [['zeta', utf8('secret-z')], ['alpha', utf8('secret-a')]],
    PROPOSAL_EXTENSION: utf8('proposal-extension'),

    RESPONSE_STATUS: 200,
    RESPONSE_MESSAGE: 'OK \u2013 \u2713 \u00fcn\u00efc\u00f8d\u00e9',
    RESPONSE_PAYLOAD: utf8('{"ID":"asset1","Color":"blue"}'),
    EVENT_NAME: 'AssetCreated',
    EVENT_PAYLOAD: utf8('event-payload'),
    PROPOSAL_RESPONSE_VERSION: 1,

    // KVRWSet contents
    READ_KEY: 'asset1', READ_BLOCK: 5, READ_TX: 2,
    MISSING_KEY: 'missing',
    GENESIS_KEY: 'genesis', // read with Version{0,0}: an empty but present sub-message
    RANGE_START: 'asset0', RANGE_END: 'asset9',
    RANGE_READ2_KEY: 'asset2', RANGE_READ2_BLOCK: 6, // tx_num 0
    WRITE_KEY: 'asset1', WRITE_VALUE: utf8('{"ID":"asset1","Color":"blue"}'),
    DELETE_KEY: 'asset3',
    META_KEY: 'asset1', META_NAME: 'VALIDATION_PARAMETER', META_VALUE: pattern(5, 99),
    NAMESPACE: 'basic',
    NAMESPACE2: '_lifecycle',
    NS2_READ_KEY: 'namespaces/fields/basic/Sequence', NS2_READ_BLOCK: 1, NS2_READ_TX: 0,
    COLLECTION: 'collection1',
    HASHED_RWSET: pattern(16, 50),
    PVT_RWSET_HASH: pattern(32, 60),

    INTEREST_COLLECTIONS: ['collection1', 'collection2'],

    BLOCK_NUMBER: 12,
    LAST_CONFIG_INDEX: 3,
    TX_FILTER: new Uint8Array([0, 11]),
    METADATA_VALUE: utf8('metadata-value'),
    IDENTIFIER_HEADER: pattern(8, 77),
    COMMIT_HASH: pattern(32, 88),

    ENDORSING_ORGS: ['Org1MSP', 'Org2MSP'],
    TARGET_ORGS: ['Org2MSP'],
    COMMIT_STATUS_MVCC: 11,
    START_BLOCK: 10,
    SEEK_START: 5,
    SEEK_STOP: 9007199254740991, // 2^53 - 1
    SEEK_FAIL_IF_NOT_READY: 1,
    SEEK_BEST_EFFORT: 1,
    CHAINCODE_MESSAGE_TRANSACTION: 5,

    PEER_ADDRESS: 'peer0.org1.example.com:7051',
    ERROR_MESSAGE: 'chaincode response 500, asset asset1 already exists',
    STATUS_SUCCESS: 200,
    STATUS_BAD_REQUEST: 400,
    BROADCAST_INFO: 'envelope rejected',

    QUERY_VALUE: utf8('{"ID":"asset2"}'),
    QUERY_ID: 'query-1',
    BOOKMARK: 'g1AAAAB',
    FETCHED: 2,
});

module.exports = { V, pattern, utf8 };
