'use strict';

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { peer } = require('@hyperledger/fabric-protos');
const { buildVectors, renderJson } = require('../vectors/build');
const { V } = require('../vectors/values');
const { TYPES, makeChecks } = require('../lib/checks');

const VECTORS_DIR = path.join(__dirname, '..', 'vectors');
const FABRIC_FILE = path.join(VECTORS_DIR, 'fabric-protos-vectors.json');
const CSHARP_FILE = path.join(VECTORS_DIR, 'csharp-vectors.json');

function loadSet(file) {
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    const bytes = {};
    for (const [name, { base64 }] of Object.entries(json)) {
        bytes[name] = new Uint8Array(Buffer.from(base64, 'base64'));
    }
    return { json, bytes };
}

describe('fabric-protos-vectors.json (encoded by @hyperledger/fabric-protos)', () => {
    test('committed file equals a fresh regeneration (run `npm run generate` after changing values)', () => {
        const fresh = renderJson(buildVectors());
        const committed = fs.readFileSync(FABRIC_FILE, 'utf8');
        assert.equal(committed, fresh);
    });

    test('generation is deterministic', () => {
        assert.equal(renderJson(buildVectors()), renderJson(buildVectors()));
    });

    const { json, bytes } = loadSet(FABRIC_FILE);
    const checks = makeChecks(bytes);

    test('every vector has a field check', () => {
        assert.deepEqual(Object.keys(json).sort(), Object.keys(checks).sort());
    });

    for (const [name, { type }] of Object.entries(json)) {
        test(`${name} (${type}) decodes to the known values`, () => {
            const cls = TYPES[type];
            assert.ok(cls, `no class for ${type}`);
            checks[name](cls.deserializeBinary(bytes[name]));
        });
    }
});

describe('csharp-vectors.json (encoded by ZonCoin C# Google.Protobuf types)', () => {
    const { json, bytes } = loadSet(CSHARP_FILE);
    const fabric = loadSet(FABRIC_FILE).json;
    const checks = makeChecks(bytes);

    test('holds the same vector names and types, in the same order, as the fabric-protos file', () => {
        assert.deepEqual(
            Object.entries(json).map(([n, v]) => [n, v.type]),
            Object.entries(fabric).map(([n, v]) => [n, v.type]),
        );
    });

    for (const [name, { type }] of Object.entries(json)) {
        test(`${name} (${type}) decodes with fabric-protos to the known values`, () => {
            const cls = TYPES[type];
            assert.ok(cls, `no class for ${type}`);
            const message = cls.deserializeBinary(bytes[name]);
            checks[name](message);
            // google-protobuf re-encodes C#'s bytes identically, and C# produced what fabric-protos produces.
            assert.equal(Buffer.from(message.serializeBinary()).toString('base64'), json[name].base64);
            assert.equal(json[name].base64, fabric[name].base64);
        });
    }
});

describe('encoding behaviour of google-protobuf worth knowing', () => {
    test('map entries are written sorted by key, whatever the insertion order', () => {
        const a = new peer.ChaincodeProposalPayload();
        const b = new peer.ChaincodeProposalPayload();
        for (const [k, v] of V.TRANSIENT) {
            a.getTransientmapMap().set(k, v);
        }
        for (const [k, v] of [...V.TRANSIENT].reverse()) {
            b.getTransientmapMap().set(k, v);
        }
        assert.deepEqual(Buffer.from(a.serializeBinary()), Buffer.from(b.serializeBinary()));
        const decoded = peer.ChaincodeProposalPayload.deserializeBinary(a.serializeBinary());
        assert.deepEqual(decoded.getTransientmapMap().getEntryList().map(([k]) => k), ['alpha', 'zeta']);
    });

    test('proto3 defaults are omitted, but an empty sub-message and an empty repeated bytes element are kept', () => {
        const empty = new peer.Response();
        empty.setStatus(0);
        empty.setMessage('');
        assert.equal(empty.serializeBinary().length, 0);

        const { kvrwset } = require('@hyperledger/fabric-protos').ledger.rwset;
        const read = new kvrwset.KVRead();
        read.setKey('k');
        read.setVersion(new kvrwset.Version());
        assert.equal(Buffer.from(read.serializeBinary()).toString('hex'), '0a016b1200');

        const { common } = require('@hyperledger/fabric-protos');
        const md = new common.BlockMetadata();
        md.setMetadataList([new Uint8Array(0), new Uint8Array([1])]);
        assert.equal(Buffer.from(md.serializeBinary()).toString('hex'), '0a000a0101');
    });
});
