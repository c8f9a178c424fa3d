'use strict';
// Fabric's own generated orderer client (@hyperledger/fabric-protos' orderer.AtomicBroadcastClient over @grpc/grpc-js)
// against a running ZonCoin orderer, driven by tests/Integration.Tests/OrdererGrpcJsInteropTests.cs:
//
//   node tools/orderer-client.js broadcast --address host:port --envelopes FILE [TLS options]
//   node tools/orderer-client.js deliver   --address host:port --request FILE   [TLS options]
//
// TLS options: --tls-ca FILE (PEM root; without it the connection is h2c), --client-cert FILE --client-key FILE
// (PEM, for mutual TLS). Envelopes are built and signed in C# (Fabric requires low-S ECDSA): FILE holds one
// base64-encoded serialized common.Envelope per line; the deliver request file holds exactly one.
//
// broadcast sends every envelope on ONE Broadcast stream and prints one JSON line per BroadcastResponse,
// {"status": N, "info": "..."}; once every envelope is answered it half-closes and prints the call's final gRPC
// status, {"end": {"code": N, "details": "..."}}. With --half-close after-writes it half-closes as soon as the
// last envelope is written, as Fabric's CLI does, and the orderer must still answer them all.
// deliver sends the seek envelope on a Deliver stream (without half-closing, as Fabric's clients do) and prints
// one JSON line per DeliverResponse, {"block": {number, dataHash, previousHash, txCount, metadataCount}} or
// {"status": N}; after the status it half-closes and prints the final gRPC status the same way. With
// --cancel-after-blocks N it cancels the call once N blocks arrived (as fabric-gateway's close() does) and
// prints the final status grpc-js reports (CANCELLED).
// A response that arrives after the deliver status, or a call that ends without a status, fails the tool.
// Exit code 0 means the conversation completed; what was answered is for the C# test to assert.

const fs = require('node:fs');
const { once } = require('node:events');
const grpc = require('@grpc/grpc-js');
const { common, orderer } = require('@hyperledger/fabric-protos');

/** Blocks can be large: allow what Fabric's orderer allows (its default is 100 MB) instead of grpc-js' 4 MiB. */
const CLIENT_OPTIONS = {
    'grpc.max_receive_message_length': 100 * 1024 * 1024,
    'grpc.max_send_message_length': 100 * 1024 * 1024,
};
/** How long a conversation may take in all. */
const TIMEOUT_MS = 90_000;

function parseArgs(argv) {
    const [command, ...rest] = argv;
    const options = {};
    for (let i = 0; i < rest.length; i += 2) {
        const name = rest[i];
        const value = rest[i + 1];
        if (!name.startsWith('--') || value === undefined) {
            throw new Error(`bad argument '${name}'`);
        }
        options[name.slice(2)] = value;
    }
    return { command, options };
}

function credentials(options) {
    if (!options['tls-ca']) {
        return grpc.credentials.createInsecure();
    }
    const read = (name) => (options[name] ? fs.readFileSync(options[name]) : null);
    return grpc.credentials.createSsl(read('tls-ca'), read('client-key'), read('client-cert'));
}

/** The serialized envelopes of FILE, one base64 line each, decoded by fabric-protos. */
function readEnvelopes(file) {
    return fs.readFileSync(file, 'utf8')
        .split(/\r?\n/)
        .filter((line) => line.trim() !== '')
        .map((line) => common.Envelope.deserializeBinary(new Uint8Array(Buffer.from(line.trim(), 'base64'))));
}

const hex = (bytes) => Buffer.from(bytes).toString('hex');

function print(value) {
    process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Resolves with the call's final status; grpc-js' 'error' event (emitted for non-OK statuses) is consumed here. */
function finalStatus(call) {
    call.on('error', () => {});
    return new Promise((resolve) => call.on('status', resolve));
}

/** Writes one message, waiting for 'drain' when grpc-js asks the writer to back off. */
async function write(call, message) {
    if (!call.write(message)) {
        await once(call, 'drain');
    }
}

async function broadcast(client, options) {
    if (!options.envelopes) {
        throw new Error('broadcast needs --envelopes FILE');
    }
    const envelopes = readEnvelopes(options.envelopes);
    const call = client.broadcast();
    const status = finalStatus(call);
    let answered = 0;
    const allAnswered = new Promise((resolve, reject) => {
        if (envelopes.length === 0) {
            resolve();
        }
        call.on('data', (response) => {
            print({ status: response.getStatus(), info: response.getInfo() });
            answered++;
            if (answered === envelopes.length) {
                resolve();
            } else if (answered > envelopes.length) {
                reject(new Error(`more responses (${answered}) than envelopes (${envelopes.length})`));
            }
        });
        status.then((s) => {
            if (answered < envelopes.length) {
                reject(new Error(`the call ended after ${answered} of ${envelopes.length} responses: ${s.code} ${s.details}`));
            }
        });
    });
    const halfClose = options['half-close'] ?? 'after-answers';
    if (!['after-answers', 'after-writes'].includes(halfClose)) {
        throw new Error(`--half-close must be after-answers or after-writes, not '${halfClose}'`);
    }
    for (const envelope of envelopes) {
        await write(call, envelope);
    }
    if (halfClose === 'after-writes') {
        call.end();
    }
    await allAnswered;
    if (halfClose === 'after-answers') {
        call.end();
    }
    const end = await status;
    print({ end: { code: end.code, details: end.details } });
}

async function deliver(client, options) {
    if (!options.request) {
        throw new Error('deliver needs --request FILE');
    }
    const requests = readEnvelopes(options.request);
    if (requests.length !== 1) {
        throw new Error(`${options.request} must hold exactly one seek envelope, not ${requests.length}`);
    }
    const cancelAfter = options['cancel-after-blocks'] === undefined ? undefined : Number(options['cancel-after-blocks']);
    const call = client.deliver();
    const status = finalStatus(call);
    let deliverStatus;
    let blocks = 0;
    const statusReceived = new Promise((resolve, reject) => {
        call.on('data', (response) => {
            if (deliverStatus !== undefined) {
                reject(new Error(`a response arrived after status ${deliverStatus}`));
                return;
            }
            switch (response.getTypeCase()) {
                case orderer.DeliverResponse.TypeCase.BLOCK: {
                    const block = response.getBlock();
                    const header = block.getHeader();
                    print({
                        block: {
                            number: header.getNumber(),
                            dataHash: hex(header.getDataHash_asU8()),
                            previousHash: hex(header.getPreviousHash_asU8()),
                            txCount: block.getData().getDataList().length,
                            metadataCount: block.getMetadata().getMetadataList().length,
                        },
                    });
                    blocks++;
                    if (blocks === cancelAfter) {
                        call.cancel();
                        resolve();
                    }
                    break;
                }
                case orderer.DeliverResponse.TypeCase.STATUS:
                    deliverStatus = response.getStatus();
                    print({ status: deliverStatus });
                    resolve();
                    break;
                default:
                    reject(new Error(`unexpected DeliverResponse type ${response.getTypeCase()}`));
            }
        });
        status.then((s) => {
            if (deliverStatus === undefined && blocks !== cancelAfter) {
                reject(new Error(`the call ended without a deliver status: ${s.code} ${s.details}`));
            }
        });
    });
    await write(call, requests[0]);
    await statusReceived;
    if (blocks !== cancelAfter) {
        call.end();
    }
    const end = await status;
    print({ end: { code: end.code, details: end.details } });
}

const COMMANDS = { broadcast, deliver };

async function main() {
    const { command, options } = parseArgs(process.argv.slice(2));
    if (!(command in COMMANDS) || !options.address) {
        throw new Error('usage: node tools/orderer-client.js <broadcast --envelopes FILE|deliver --request FILE> --address host:port '
            + '[--tls-ca FILE [--client-cert FILE --client-key FILE]]');
    }
    const client = new orderer.AtomicBroadcastClient(options.address, credentials(options), CLIENT_OPTIONS);
    const timer = setTimeout(() => {
        process.stderr.write(`orderer-client ${command} did not finish within ${TIMEOUT_MS} ms\n`, () => process.exit(2));
    }, TIMEOUT_MS);
    try {
        await COMMANDS[command](client, options);
    } finally {
        clearTimeout(timer);
        client.close();
    }
}

main().then(
    () => process.stdout.write('', () => process.exit(0)),
    (error) => {
        process.stderr.write(`${error && error.stack ? error.stack : error}\n`, () => process.exit(1));
    },
);
