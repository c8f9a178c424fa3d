'use strict';
// Block hashes exactly as Fabric computes them (PROTOCOL §2.8), recomputed here with node:crypto and a DER
// encoder written for this test, and compared with vectors/block-hashes.json, which tests/Interop.Tests writes
// with ZonCoin's C# BlockHashing. The blocks come from the fabric-protos vectors and from ZonCoin's Blocks.Create.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { common, peer } = require('@hyperledger/fabric-protos');

const VECTORS_DIR = path.join(__dirname, '..', 'vectors');
const hashes = JSON.parse(fs.readFileSync(path.join(VECTORS_DIR, 'block-hashes.json'), 'utf8'));
const fabricVectors = JSON.parse(fs.readFileSync(path.join(VECTORS_DIR, 'fabric-protos-vectors.json'), 'utf8'));

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest();

/** DER length octets: short form below 128, else 0x80|n followed by n big-endian octets. */
function derLength(length) {
    if (length < 0x80) {
        return Buffer.from([length]);
    }
    const octets = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) {
        octets.unshift(rest % 256);
    }
    return Buffer.from([0x80 | octets.length, ...octets]);
}

const derTlv = (tag, content) => Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);

/** Minimal two's-complement INTEGER for a non-negative BigInt: no redundant leading zeros, 0x00 before a set top bit. */
function derUnsignedInteger(value) {
    const octets = [];
    for (let rest = BigInt(value); rest > 0n; rest >>= 8n) {
        octets.unshift(Number(rest & 0xffn));
    }
    if (octets.length === 0 || octets[0] & 0x80) {
        octets.unshift(0);
    }
    return derTlv(0x02, Buffer.from(octets));
}

/** DER SEQUENCE{INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash}. */
function headerDer(number, previousHash, dataHash) {
    return derTlv(0x30, Buffer.concat([
        derUnsignedInteger(number),
        derTlv(0x04, Buffer.from(previousHash)),
        derTlv(0x04, Buffer.from(dataHash)),
    ]));
}

/** SHA-256 over the concatenation of BlockData.data (flat, not Merkle). */
function dataHash(entries) {
    const hash = crypto.createHash('sha256');
    for (const entry of entries) {
        hash.update(entry);
    }
    return hash.digest();
}

function assertHeader(expected, number, previousHash, dataHashBytes) {
    assert.equal(expected.number, number.toString());
    assert.equal(expected.previousHash, hex(previousHash));
    assert.equal(expected.dataHash, hex(dataHashBytes));
    const der = headerDer(number, previousHash, dataHashBytes);
    assert.equal(expected.der, hex(der), `header DER of block ${number}`);
    assert.equal(expected.hash, hex(sha256(der)), `header hash of block ${number}`);
}

describe('hand-written DER encoder', () => {
    test('encodes known headers byte for byte', () => {
        assert.equal(hex(headerDer(0n, [], [])), '3007020100' + '0400' + '0400');
        assert.equal(hex(headerDer(127n, [], [])), '300702017f' + '0400' + '0400');
        assert.equal(hex(headerDer(128n, [], [])), '3008020200800400' + '0400');
        assert.equal(hex(headerDer(256n, [0xab], [0xcd, 0xef])), '300b020201000401ab0402cdef');
        assert.equal(hex(headerDer(2n ** 64n - 1n, [], [])), '300f020900ffffffffffffffff' + '0400' + '0400');
        assert.equal(hex(derLength(200)), '81c8');
        assert.equal(hex(derLength(300)), '82012c');
    });
});

describe('block-hashes.json (written by C# BlockHashing)', () => {
    test('covers every block in the fabric-protos vectors', () => {
        assert.deepEqual(hashes.vectorBlocks.map((b) => b.vector), ['Block', 'DeliverResponseBlock']);
        assert.equal(fabricVectors.Block.type, 'common.Block');
        assert.equal(fabricVectors.DeliverResponseBlock.type, 'protos.DeliverResponse');
    });

    for (const expected of hashes.vectorBlocks) {
        test(`${expected.vector}: data hash and header hash`, () => {
            const bytes = Buffer.from(fabricVectors[expected.vector].base64, 'base64');
            const block = expected.path === 'block'
                ? common.Block.deserializeBinary(bytes)
                : peer.DeliverResponse.deserializeBinary(bytes).getBlock();
            const entries = block.getData().getDataList_asU8();
            assert.equal(entries.length, expected.dataEntries);
            assert.equal(hex(dataHash(entries)), expected.dataHash);
            const header = block.getHeader();
            assertHeader(expected.header, BigInt(header.getNumber()), header.getPreviousHash_asU8(), header.getDataHash_asU8());
        });
    }

    test('header edge cases: every INTEGER length boundary, empty and long hashes', () => {
        assert.ok(hashes.headers.length >= 17);
        const numbers = hashes.headers.map((h) => BigInt(h.number));
        for (const boundary of [0n, 127n, 128n, 255n, 256n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n]) {
            assert.ok(numbers.includes(boundary), `no header case for ${boundary}`);
        }
        for (const expected of hashes.headers) {
            assertHeader(expected, BigInt(expected.number), Buffer.from(expected.previousHash, 'hex'), Buffer.from(expected.dataHash, 'hex'));
        }
    });

    test('chain built by C# Blocks.Create: data hashes and previous-hash links hold', () => {
        assert.equal(hashes.chain.length, 3);
        let previous = Buffer.alloc(0);
        hashes.chain.forEach((expected, index) => {
            const block = common.Block.deserializeBinary(Buffer.from(expected.base64, 'base64'));
            const header = block.getHeader();
            assert.equal(BigInt(header.getNumber()), BigInt(index));
            assert.equal(hex(header.getPreviousHash_asU8()), hex(previous));
            const computed = dataHash(block.getData().getDataList_asU8());
            assert.equal(hex(computed), expected.dataHash);
            assert.equal(hex(header.getDataHash_asU8()), expected.dataHash);
            assert.equal(block.getMetadata().getMetadataList().length, 5);
            const hash = sha256(headerDer(BigInt(index), header.getPreviousHash_asU8(), header.getDataHash_asU8()));
            assert.equal(hex(hash), expected.headerHash);
            previous = hash;
        });
    });
});
