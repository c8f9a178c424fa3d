'use strict';
// @grpc/grpc-js client against ZonCoin's gRPC server (src/Rpc), driven by tests/Rpc.Tests/GrpcJsClientInteropTests.cs:
//
//   node tools/grpc-client.js <address> <scenario>
//
// <address> is http://127.0.0.1:<port> (h2c). The scenario asserts what grpc-js received and prints one JSON object
// on stdout that the C# test asserts as well; a failed assertion exits non-zero with the reason on stderr.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const { once } = require('node:events');
const grpc = require('@grpc/grpc-js');
const { LIMITS, SERVICE_PATH, STATUS_DETAILS_KEY, TYPE_URL_PREFIX, ERROR_DETAIL_TYPE, loadEcho, decodeStatusDetails } = require('./echo');

/** Non-ASCII, '%', a tab and an astral character: everything grpc-message must percent-encode. */
const NON_ASCII_MESSAGE = 'chaincode response 500, ZonCoin solde insuffisant: ∑ < 10 — ошибка 100%\tdone 🚀';
const STREAM_COUNT = 10_000;
const PING_PONG_ROUNDS = 100;
const LARGE_SIZE = 20 * 1024 * 1024;
const DEADLINE_MS = 2000;

/** Runs a unary call; resolves with its error or response and its final status (with trailers). */
function unary(client, request, { metadata = new grpc.Metadata(), deadline, method } = {}) {
    return new Promise((resolve) => {
        let outcome;
        let status;
        const settle = () => {
            if (outcome && status) {
                resolve({ ...outcome, status });
            }
        };
        const callback = (error, response) => {
            outcome = { error, response };
            settle();
        };
        const options = deadline ? { deadline } : {};
        const call = method
            ? client.makeUnaryRequest(method, client.constructor.service.Unary.requestSerialize,
                client.constructor.service.Unary.responseDeserialize, request, metadata, options, callback)
            : client.Unary(request, metadata, options, callback);
        call.on('status', (s) => {
            status = s;
            settle();
        });
    });
}

/** Resolves with a streaming call's final status; the call's 'error' event is consumed here. */
function statusOf(call) {
    call.on('error', () => {});
    return new Promise((resolve) => call.on('status', resolve));
}

/** Writes one message, waiting for 'drain' when grpc-js asks the writer to back off. */
async function write(call, message) {
    if (!call.write(message)) {
        await once(call, 'drain');
    }
}

function sha256(bytes) {
    return crypto.createHash('sha256').update(bytes).digest('hex');
}

const SCENARIOS = {
    // One unary call whose outcome is reported, not asserted: used over TLS, where a refused handshake is expected.
    async probe(client) {
        const { error, response } = await unary(client, { text: 'probe' }, { deadline: Date.now() + 30_000 });
        return { code: error ? error.code : 0, text: response ? response.text : null };
    },

    async unary(client) {
        const { error, response, status } = await unary(client, { text: 'hi', payload: Buffer.from([7, 8]) });
        assert.equal(error, null);
        assert.equal(status.code, grpc.status.OK);
        assert.equal(response.text, 'hi');
        assert.deepEqual([...response.payload], [7, 8]);
        return { code: status.code, text: response.text, payload: response.payload.toString('base64') };
    },

    async 'server-stream'(client) {
        const call = client.ServerStream({ text: 'n', repeat: STREAM_COUNT });
        const status = statusOf(call);
        let count = 0;
        for await (const response of call) {
            assert.equal(response.index, count, 'responses arrive in order');
            assert.equal(response.text, 'n');
            count++;
        }
        const final = await status;
        assert.equal(final.code, grpc.status.OK);
        assert.equal(count, STREAM_COUNT);
        return { code: final.code, count };
    },

    async 'client-stream'(client) {
        let call;
        const result = new Promise((resolve, reject) => {
            call = client.ClientStream((error, response) => (error ? reject(error) : resolve(response)));
        });
        for (let i = 0; i < STREAM_COUNT; i++) {
            await write(call, { payload: Buffer.from([1, 2, 3]) });
        }
        call.end();
        const response = await result;
        assert.equal(response.count, STREAM_COUNT);
        assert.equal(response.total_bytes, 3 * STREAM_COUNT);
        return { count: response.count, totalBytes: response.total_bytes };
    },

    async bidi(client) {
        const call = client.Bidi();
        const status = statusOf(call);
        const responses = call.iterator({ destroyOnReturn: false });
        for (let i = 0; i < PING_PONG_ROUNDS; i++) {
            await write(call, { text: `m${i}` });
            const { value, done } = await responses.next();
            assert.equal(done, false, `a response to message ${i}`);
            assert.equal(value.text, `m${i}`);
            assert.equal(value.index, i);
        }
        call.end();
        assert.equal((await responses.next()).done, true, 'the server ends its stream after the client half-closes');
        const final = await status;
        assert.equal(final.code, grpc.status.OK);
        return { code: final.code, rounds: PING_PONG_ROUNDS };
    },

    async large(client) {
        const payload = crypto.randomBytes(LARGE_SIZE);
        const { error, response, status } = await unary(client, { text: 'large', payload });
        assert.equal(error, null);
        assert.equal(status.code, grpc.status.OK);
        assert.equal(response.payload.length, LARGE_SIZE);
        assert.ok(response.payload.equals(payload), 'the 20 MB payload comes back unchanged');
        return { code: status.code, sent: payload.length, received: response.payload.length, sentSha256: sha256(payload), receivedSha256: sha256(response.payload) };
    },

    async deadline(client) {
        // Connect and warm the server up first, and leave the server time to start the handler: a deadline that
        // expires before the handler starts leaves no handler to cancel (the C# test asserts one was cancelled).
        const warmUp = await unary(client, { text: 'warm-up' });
        assert.equal(warmUp.error, null);
        const { error, status } = await unary(client, { text: 'slow', delay_ms: 120_000 }, { deadline: new Date(Date.now() + DEADLINE_MS) });
        assert.ok(error, 'the call fails');
        assert.equal(error.code, grpc.status.DEADLINE_EXCEEDED);
        assert.equal(status.code, grpc.status.DEADLINE_EXCEEDED);
        return { code: error.code, details: error.details };
    },

    async cancel(client) {
        const call = client.Bidi();
        const status = statusOf(call);
        const responses = call.iterator({ destroyOnReturn: false });
        await write(call, { text: 'first' });
        const first = await responses.next();
        assert.equal(first.value.text, 'first');
        call.cancel();
        const final = await status;
        assert.equal(final.code, grpc.status.CANCELLED);
        return { code: final.code, received: 1 };
    },

    async 'cancel-server-stream'(client) {
        // Far more than fit in the flow-control windows: the server handler is still writing when the call ends.
        const call = client.ServerStream({ text: 's', repeat: 1_000_000 });
        const status = statusOf(call);
        const responses = call.iterator({ destroyOnReturn: false });
        const first = await responses.next();
        assert.equal(first.value.index, 0);
        call.cancel();
        const final = await status;
        assert.equal(final.code, grpc.status.CANCELLED);
        return { code: final.code, received: 1 };
    },

    async 'non-ascii-status'(client) {
        const { error, status } = await unary(client, { fail_code: grpc.status.ABORTED, fail_message: NON_ASCII_MESSAGE });
        assert.ok(error, 'the call fails');
        assert.equal(error.code, grpc.status.ABORTED);
        assert.equal(error.details, NON_ASCII_MESSAGE);
        assert.equal(status.metadata.get(STATUS_DETAILS_KEY).length, 0, 'no details were asked for');
        return { code: error.code, details: error.details };
    },

    async 'status-details'(client) {
        const { error } = await unary(client, { fail_code: grpc.status.ABORTED, fail_message: NON_ASCII_MESSAGE, fail_with_detail: true });
        assert.ok(error, 'the call fails');
        assert.equal(error.code, grpc.status.ABORTED);
        assert.equal(error.details, NON_ASCII_MESSAGE);
        const values = error.metadata.get(STATUS_DETAILS_KEY);
        assert.equal(values.length, 1, `one ${STATUS_DETAILS_KEY} value`);
        const decoded = decodeStatusDetails(values[0]);
        assert.equal(decoded.code, grpc.status.ABORTED);
        assert.equal(decoded.message, NON_ASCII_MESSAGE);
        assert.equal(decoded.details.length, 1);
        const [detail] = decoded.details;
        assert.equal(detail.typeUrl, TYPE_URL_PREFIX + ERROR_DETAIL_TYPE);
        assert.deepEqual(detail.errorDetail, { address: 'peer0.org1:7051', mspId: 'Org1MSP', message: NON_ASCII_MESSAGE });
        return {
            code: error.code,
            details: error.details,
            statusCode: decoded.code,
            statusMessage: decoded.message,
            typeUrl: detail.typeUrl,
            errorDetail: detail.errorDetail,
        };
    },

    async metadata(client) {
        const metadata = new grpc.Metadata();
        metadata.add('echo-text', 'hello');
        metadata.add('echo-data-bin', Buffer.from([0, 1, 2, 255]));
        metadata.add('echo-data-bin', Buffer.from([254, 0]));
        metadata.add('other-header', 'not echoed');
        const { error, status } = await unary(client, { text: 'md' }, { metadata });
        assert.equal(error, null);
        const trailers = status.metadata;
        assert.deepEqual(trailers.get('echo-text'), ['hello']);
        assert.deepEqual(trailers.get('echo-data-bin').map((b) => [...b]), [[0, 1, 2, 255], [254, 0]]);
        assert.deepEqual(trailers.get('other-header'), []);
        return {
            code: status.code,
            echoText: trailers.get('echo-text'),
            echoDataBin: trailers.get('echo-data-bin').map((b) => b.toString('base64')),
            otherHeader: trailers.get('other-header'),
        };
    },

    async unimplemented(client) {
        const { error } = await unary(client, { text: 'x' }, { method: `${SERVICE_PATH}/Nope` });
        assert.ok(error, 'the call fails');
        assert.equal(error.code, grpc.status.UNIMPLEMENTED);
        return { code: error.code, details: error.details };
    },

    async 'handler-exception'(client) {
        const { error } = await unary(client, { text: 'throw' });
        assert.ok(error, 'the call fails');
        assert.equal(error.code, grpc.status.UNKNOWN, 'a handler error is UNKNOWN, as grpc-go answers');
        const after = await unary(client, { text: 'still serving' });
        assert.equal(after.error, null);
        assert.equal(after.response.text, 'still serving');
        return { code: error.code, details: error.details, after: after.response.text };
    },
};

/** Credentials for the address: h2c for http://, TLS for https:// (root CA, and a client certificate for mutual TLS). */
function credentialsFor(address, rootPem, certPem, keyPem) {
    if (!address.startsWith('https://')) {
        return grpc.credentials.createInsecure();
    }
    const read = (file) => (file ? fs.readFileSync(file) : null);
    return grpc.credentials.createSsl(read(rootPem), read(keyPem), read(certPem));
}

async function main() {
    const [address, scenario, rootPem, certPem, keyPem] = process.argv.slice(2);
    if (!address || !(scenario in SCENARIOS)) {
        throw new Error(`usage: node tools/grpc-client.js <http(s)://127.0.0.1:port> <${Object.keys(SCENARIOS).join('|')}> [root.pem [client.pem client.key]]`);
    }
    const target = address.replace(/^https?:\/\//, '').replace(/\/$/, '');
    const Echo = loadEcho();
    const client = new Echo(target, credentialsFor(address, rootPem, certPem, keyPem), LIMITS);
    try {
        return { scenario, ...(await SCENARIOS[scenario](client)) };
    } finally {
        client.close();
    }
}

main().then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0)),
    (error) => {
        process.stderr.write(`${error && error.stack ? error.stack : error}\n`, () => process.exit(1));
    },
);
