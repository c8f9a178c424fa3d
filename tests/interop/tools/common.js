'use strict';
// Shared setup for the gateway interop tools: reads the request file a C# test wrote, connects the official
// @hyperledger/fabric-gateway client exactly as applications do, and offers a recording gRPC client that
// answers unary calls with canned bytes (so the client's own signing and request building can be observed
// without a server).

const crypto = require('node:crypto');
const fs = require('node:fs');
const grpc = require('@grpc/grpc-js');
const { connect, hash, signers } = require('@hyperledger/fabric-gateway');

/** Reads the JSON request named on the command line. */
function readRequest() {
    const file = process.argv[2];
    if (!file) {
        throw new Error(`usage: node ${process.argv[1]} <request.json>`);
    }
    return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Identity and signer from the PEM files named in the request. */
function loadCredentials(request) {
    const certificate = fs.readFileSync(request.certPath);
    const privateKey = crypto.createPrivateKey(fs.readFileSync(request.keyPath));
    return {
        identity: { mspId: request.mspId, credentials: certificate },
        signer: signers.newPrivateKeySigner(privateKey),
    };
}

/**
 * A gateway over a real grpc-js client pointed at an address nothing listens on. Nothing here dials it:
 * the grpc-js client connects lazily, on the first call, and the offline API makes none.
 */
function connectOffline(credentials) {
    const client = new grpc.Client('127.0.0.1:1', grpc.credentials.createInsecure());
    const gateway = connect({ client, identity: credentials.identity, signer: credentials.signer, hash: hash.sha256 });
    return { client, gateway };
}

/**
 * Stands in for a grpc-js Client: records the serialized request of every unary call by method path and
 * answers with the bytes configured for that path.
 */
class RecordingClient {
    constructor(responses) {
        this.responses = responses;
        this.requests = {};
    }

    makeUnaryRequest(method, serialize, deserialize, argument, ...rest) {
        const callback = rest[rest.length - 1];
        this.requests[method] = Buffer.from(serialize(argument));
        const response = this.responses[method];
        setImmediate(() => {
            if (response === undefined) {
                const error = Object.assign(new Error(`no response configured for ${method}`), {
                    code: grpc.status.UNIMPLEMENTED,
                    details: `no response configured for ${method}`,
                    metadata: new grpc.Metadata(),
                });
                callback(error);
                return;
            }
            callback(null, deserialize(Buffer.from(response)));
        });
        return { cancel() {}, getPeer: () => 'recording-client' };
    }

    makeServerStreamRequest(method) {
        throw new Error(`streaming call ${method} not supported by the recording client`);
    }

    makeBidiStreamRequest(method) {
        throw new Error(`streaming call ${method} not supported by the recording client`);
    }

    makeClientStreamRequest(method) {
        throw new Error(`streaming call ${method} not supported by the recording client`);
    }

    getChannel() {
        throw new Error('the recording client has no channel');
    }

    waitForReady(_deadline, callback) {
        callback();
    }

    close() {}
}

function connectRecording(credentials, responses) {
    const client = new RecordingClient(responses);
    const gateway = connect({ client, identity: credentials.identity, signer: credentials.signer, hash: hash.sha256 });
    return { client, gateway };
}

const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const fromB64 = (text) => new Uint8Array(Buffer.from(text, 'base64'));

/** Prints the result as one JSON document and exits; BigInts become strings. */
function output(result) {
    process.stdout.write(JSON.stringify(result, (_key, value) => (typeof value === 'bigint' ? value.toString() : value)));
    process.stdout.write('\n');
}

/** Runs main, reporting any failure on stderr with a non-zero exit code. */
function run(main) {
    main().then(
        (result) => output(result),
        (error) => {
            process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
            process.exitCode = 1;
        },
    );
}

module.exports = { readRequest, loadCredentials, connectOffline, connectRecording, b64, fromB64, run };
