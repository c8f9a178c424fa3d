'use strict';
// The official Fabric Gateway client (@hyperledger/fabric-gateway 1.12.1 over @grpc/grpc-js) against a running
// ZonCoin gateway, connected exactly as applications connect, driven by
// tests/Integration.Tests/GatewayNodeClientInteropTests.cs.
//
// usage: node tools/gateway-client.js <request.json>
//   request.json: { endpoint: "host:port", tlsRootCertPath? (PEM: TLS trusting it, no client certificate, as
//                   Fabric's samples connect; h2c without it), mspId, certPath (PEM), keyPath (PKCS#8 PEM), channel,
//                   steps: [ { op, ... }, ... ] }
//
// Every step runs in order on one connection and yields one result object; a step that throws is reported as
// { op, error: <error> } and the next step still runs. Transactions are { chaincode, contract?, fn, args }.
//   evaluate        transaction                  evaluateTransaction             -> { result, resultBase64 }
//   submit          transaction                  submitTransaction               -> { result }
//   stepwise        transaction                  newProposal, endorse, submit, getStatus, each separately
//                                                 -> { transactionId, endorsedResult, submittedResult, status }
//   offline         transaction                  the same on a gateway connected WITHOUT a signer: getDigest,
//                                                 sign the digest here with the key (own ECDSA P-256, low S),
//                                                 newSigned{Proposal,Transaction,Commit}
//   mvcc            { transactions: [t1, t2] }   endorse both before submitting either, submit both (in order,
//                                                 back to back), then getStatus of each -> { statuses: [...] }
//   mvccSubmit      { transactions: [t1, t2], attempts }
//                                                 submitTransaction of both at once, until one of them throws
//                                                 (CommitError) -> { attempts, outcomes: [{ result } | { error }] }
//   chaincodeEvents { chaincode, transactions: [t1, t2, t3] }
//                                                 submits them (endorse all, submit all in order, getStatus), then
//                                                 getChaincodeEvents from the first one's block: reads until the
//                                                 first transaction's event, checkpoints it (checkpointers.inMemory),
//                                                 closes, and reopens with { checkpoint } for the next events
//                                                 -> { submitted, first: [events], checkpoint, resumed: [events] }
//   blockEvents     transaction                  submits it, then getBlockEvents and getFilteredBlockEvents with
//                                                 { startBlock: its block } -> { status, block, filteredBlock }
// Errors are { class, name, message, code, grpcDetails (the gRPC status message), details: [{address, mspId,
// message}], transactionId }; statuses { transactionId, code, codeName, successful, blockNumber }; bigints are
// printed as strings. The tool prints one JSON line { steps: [...] } and exits 0 unless it could not run at all.

const crypto = require('node:crypto');
const fs = require('node:fs');
const grpc = require('@grpc/grpc-js');
const { connect, checkpointers, hash, signers } = require('@hyperledger/fabric-gateway');
const { common, gateway: gatewayProtos, peer } = require('@hyperledger/fabric-protos');
const { readRequest, run } = require('./common');

/** Guards only: generous per-call deadlines, so that a hung server fails the step instead of the whole run. */
const CALL_DEADLINE_MS = 60_000;
/** How long an event stream may stay silent before the step gives up on it. */
const EVENT_WAIT_MS = 60_000;

/** TLS trusting the request's root certificate (the server's certificate must name the endpoint's host), or h2c. */
const channelCredentials = (request) => (request.tlsRootCertPath
    ? grpc.credentials.createSsl(fs.readFileSync(request.tlsRootCertPath))
    : grpc.credentials.createInsecure());
const deadline = () => ({ deadline: Date.now() + CALL_DEADLINE_MS });
const utf8 = (bytes) => Buffer.from(bytes).toString('utf8');
const codeName = (code) => Object.keys(peer.TxValidationCode).find((name) => peer.TxValidationCode[name] === code);

function describeError(error) {
    if (!(error instanceof Error)) {
        return { class: typeof error, message: String(error) };
    }
    const result = { class: error.constructor.name, name: error.name, message: error.message };
    if (error.code !== undefined) {
        result.code = error.code;
    }
    if (Array.isArray(error.details)) {
        result.details = error.details.map(({ address, mspId, message }) => ({ address, mspId, message }));
    }
    if (error.cause && typeof error.cause.details === 'string') {
        result.grpcDetails = error.cause.details;
        result.grpcCode = error.cause.code;
    }
    if (error.transactionId !== undefined) {
        result.transactionId = error.transactionId;
    }
    if (error.name === 'CommitError' && error.code !== undefined) {
        result.codeName = codeName(error.code);
    }
    return result;
}

function describeStatus(status) {
    return {
        transactionId: status.transactionId,
        code: status.code,
        codeName: codeName(status.code),
        successful: status.successful,
        blockNumber: status.blockNumber,
    };
}

function describeEvent(event) {
    return {
        blockNumber: event.blockNumber,
        transactionId: event.transactionId,
        chaincodeName: event.chaincodeName,
        eventName: event.eventName,
        payload: utf8(event.payload),
    };
}

function contractOf(network, transaction) {
    return transaction.contract
        ? network.getContract(transaction.chaincode, transaction.contract)
        : network.getContract(transaction.chaincode);
}

// Offline signing as an external signer (an HSM, a wallet) does it: given only the 32-byte digest, an ECDSA P-256
// signature with low S, DER-encoded, computed here with BigInt arithmetic (node:crypto cannot sign a prehashed
// digest). node:crypto then checks it against the message the digest stands for, read from the client's bytes.
const P256 = {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    g: [0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
        0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n],
};

const mod = (a, m) => ((a % m) + m) % m;

function inverse(a, m) {
    let [r0, r1, s0, s1] = [mod(a, m), m, 1n, 0n];
    while (r1 !== 0n) {
        const q = r0 / r1;
        [r0, r1] = [r1, r0 - q * r1];
        [s0, s1] = [s1, s0 - q * s1];
    }
    return mod(s0, m);
}

/** Affine point addition on y^2 = x^3 - 3x + b over P-256; null is the point at infinity. */
function add(P, Q) {
    const { p } = P256;
    if (!P) return Q;
    if (!Q) return P;
    const [x1, y1] = P;
    const [x2, y2] = Q;
    let lambda;
    if (x1 === x2) {
        if (mod(y1 + y2, p) === 0n) return null;
        lambda = mod((3n * x1 * x1 - 3n) * inverse(2n * y1, p), p);
    } else {
        lambda = mod((y2 - y1) * inverse(x2 - x1, p), p);
    }
    const x3 = mod(lambda * lambda - x1 - x2, p);
    return [x3, mod(lambda * (x1 - x3) - y1, p)];
}

function multiply(k, P) {
    let result = null;
    for (let bit = BigInt(k.toString(2).length - 1); bit >= 0n; bit--) {
        result = add(result, result);
        if ((k >> bit) & 1n) {
            result = add(result, P);
        }
    }
    return result;
}

function signDigest(privateKey, digest) {
    if (privateKey.asymmetricKeyDetails.namedCurve !== 'prime256v1') {
        throw new Error(`unsupported curve ${privateKey.asymmetricKeyDetails.namedCurve}`);
    }
    const { n, g } = P256;
    const d = BigInt(`0x${Buffer.from(privateKey.export({ format: 'jwk' }).d, 'base64url').toString('hex')}`);
    const e = BigInt(`0x${Buffer.from(digest).toString('hex')}`);
    for (;;) {
        const k = mod(BigInt(`0x${crypto.randomBytes(40).toString('hex')}`), n - 1n) + 1n;
        const r = mod(multiply(k, g)[0], n);
        let s = mod(inverse(k, n) * (e + r * d), n);
        if (r === 0n || s === 0n) {
            continue;
        }
        if (s > n / 2n) {
            s = n - s;
        }
        return derSequence([derInteger(r), derInteger(s)]);
    }
}

/** Signs the digest, after checking it is SHA-256 of `message`, and verifies the signature over `message` with node:crypto. */
function signOffline(privateKey, message, digest) {
    if (!crypto.createHash('sha256').update(message).digest().equals(Buffer.from(digest))) {
        throw new Error('getDigest() is not the SHA-256 of the message it stands for');
    }
    const signature = signDigest(privateKey, digest);
    if (!crypto.verify('sha256', message, { key: crypto.createPublicKey(privateKey), dsaEncoding: 'der' }, signature)) {
        throw new Error('the offline signature does not verify');
    }
    return signature;
}

function derInteger(value) {
    let hex = value.toString(16);
    if (hex.length % 2) {
        hex = `0${hex}`;
    }
    let bytes = Buffer.from(hex, 'hex');
    if (bytes[0] & 0x80) {
        bytes = Buffer.concat([Buffer.from([0]), bytes]);
    }
    return Buffer.concat([Buffer.from([0x02]), derLength(bytes.length), bytes]);
}

function derSequence(parts) {
    const body = Buffer.concat(parts);
    return new Uint8Array(Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]));
}

function derLength(length) {
    return length < 0x80 ? Buffer.from([length]) : Buffer.from([0x81, length]);
}

/** Reads an events iterable until `wanted` has collected what it needs; closes it when silent too long. */
async function readEvents(events, wanted) {
    let timedOut = false;
    let timer;
    const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
            timedOut = true;
            events.close();
        }, EVENT_WAIT_MS);
    };
    arm();
    try {
        for await (const event of events) {
            arm();
            if (await wanted(event)) {
                break;
            }
        }
    } catch (error) {
        if (!timedOut) {
            throw error;
        }
    } finally {
        clearTimeout(timer);
        events.close();
    }
    if (timedOut) {
        throw new Error(`no further event within ${EVENT_WAIT_MS / 1000} s`);
    }
}

/**
 * Endorses every transaction, then submits them one after the other (so the orderer sees them in this order)
 * before waiting for any commit status.
 */
async function submitTogether(network, transactions) {
    const endorsed = [];
    for (const transaction of transactions) {
        const proposal = contractOf(network, transaction).newProposal(transaction.fn, { arguments: transaction.args });
        endorsed.push(await proposal.endorse());
    }
    const submitted = [];
    for (const transaction of endorsed) {
        submitted.push(await transaction.submit());
    }
    const statuses = await Promise.all(submitted.map((commit) => commit.getStatus()));
    return statuses.map((status, i) => ({ result: utf8(submitted[i].getResult()), status: describeStatus(status) }));
}

function transactionIdsOf(block) {
    return block.getData().getDataList_asU8().map((bytes) => {
        const envelope = common.Envelope.deserializeBinary(bytes);
        const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
        return common.ChannelHeader.deserializeBinary(payload.getHeader().getChannelHeader_asU8()).getTxId();
    });
}

const operations = {
    async evaluate({ network }, step) {
        const result = await contractOf(network, step).evaluateTransaction(step.fn, ...step.args);
        return { result: utf8(result), resultBase64: Buffer.from(result).toString('base64') };
    },

    async submit({ network }, step) {
        const result = await contractOf(network, step).submitTransaction(step.fn, ...step.args);
        return { result: utf8(result) };
    },

    async stepwise({ network }, step) {
        const proposal = contractOf(network, step).newProposal(step.fn, { arguments: step.args });
        const transactionId = proposal.getTransactionId();
        const transaction = await proposal.endorse();
        const submitted = await transaction.submit();
        const status = await submitted.getStatus();
        return {
            transactionId,
            endorsedTransactionId: transaction.getTransactionId(),
            endorsedResult: utf8(transaction.getResult()),
            submittedResult: utf8(submitted.getResult()),
            status: describeStatus(status),
        };
    },

    async offline({ request, credentials }, step) {
        // A second connection without a signer: every signature is made here, over the client's own digests.
        const client = new grpc.Client(request.endpoint, channelCredentials(request));
        const gateway = connect({
            client,
            identity: credentials.identity,
            hash: hash.sha256,
            evaluateOptions: deadline,
            endorseOptions: deadline,
            submitOptions: deadline,
            commitStatusOptions: deadline,
        });
        try {
            const contract = contractOf(gateway.getNetwork(request.channel), step);
            // getBytes() are the client's gateway.ProposedTransaction, PreparedTransaction and
            // SignedCommitStatusRequest; the digests stand for the proposal bytes, the envelope payload and the
            // request inside them.
            const unsignedProposal = contract.newProposal(step.fn, { arguments: step.args });
            const proposalBytes = unsignedProposal.getBytes();
            const proposalMessage = gatewayProtos.ProposedTransaction.deserializeBinary(proposalBytes).getProposal().getProposalBytes_asU8();
            const proposal = gateway.newSignedProposal(
                proposalBytes, signOffline(credentials.privateKey, proposalMessage, unsignedProposal.getDigest()));
            const unsignedTransaction = await proposal.endorse();
            const transactionBytes = unsignedTransaction.getBytes();
            const transactionMessage = gatewayProtos.PreparedTransaction.deserializeBinary(transactionBytes).getEnvelope().getPayload_asU8();
            const transaction = gateway.newSignedTransaction(
                transactionBytes, signOffline(credentials.privateKey, transactionMessage, unsignedTransaction.getDigest()));
            const unsignedCommit = await transaction.submit();
            const commitBytes = unsignedCommit.getBytes();
            const commitMessage = gatewayProtos.SignedCommitStatusRequest.deserializeBinary(commitBytes).getRequest_asU8();
            const commit = gateway.newSignedCommit(
                commitBytes, signOffline(credentials.privateKey, commitMessage, unsignedCommit.getDigest()));
            const status = await commit.getStatus();
            return {
                transactionId: proposal.getTransactionId(),
                endorsedResult: utf8(transaction.getResult()),
                status: describeStatus(status),
            };
        } finally {
            gateway.close();
            client.close();
        }
    },

    async mvcc({ network }, step) {
        return { statuses: await submitTogether(network, step.transactions) };
    },

    async mvccSubmit({ network }, step) {
        const attempts = step.attempts ?? 3;
        let outcomes = [];
        for (let attempt = 1; attempt <= attempts; attempt++) {
            const settled = await Promise.allSettled(step.transactions.map((transaction) =>
                contractOf(network, transaction).submitTransaction(transaction.fn, ...transaction.args)));
            outcomes = settled.map((outcome) => (outcome.status === 'fulfilled'
                ? { result: utf8(outcome.value) }
                : { error: describeError(outcome.reason) }));
            if (outcomes.some((outcome) => outcome.error)) {
                return { attempts: attempt, outcomes };
            }
        }
        return { attempts, outcomes };
    },

    async chaincodeEvents({ network }, step) {
        const submitted = await submitTogether(network, step.transactions);
        const ours = submitted.map((s) => s.status.transactionId);
        const startBlock = submitted.map((s) => BigInt(s.status.blockNumber)).reduce((a, b) => (a < b ? a : b));

        const checkpointer = checkpointers.inMemory();
        const first = [];
        await readEvents(await network.getChaincodeEvents(step.chaincode, { startBlock }), async (event) => {
            first.push(describeEvent(event));
            if (event.transactionId === ours[0]) {
                await checkpointer.checkpointChaincodeEvent(event);
                return true;
            }
            return false;
        });
        const checkpoint = { blockNumber: checkpointer.getBlockNumber(), transactionId: checkpointer.getTransactionId() };

        const resumed = [];
        const rest = new Set(ours.slice(1));
        await readEvents(await network.getChaincodeEvents(step.chaincode, { checkpoint: checkpointer }), (event) => {
            resumed.push(describeEvent(event));
            rest.delete(event.transactionId);
            return rest.size === 0 || resumed.length >= 10;
        });
        return { submitted, first, checkpoint, resumed };
    },

    async blockEvents({ network }, step) {
        const [{ status }] = await submitTogether(network, [step]);
        const startBlock = BigInt(status.blockNumber);

        let block;
        await readEvents(await network.getBlockEvents({ startBlock }), (received) => {
            block = {
                number: received.getHeader().getNumber(),
                transactionIds: transactionIdsOf(received),
                filter: Array.from(received.getMetadata().getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? []),
                metadataCount: received.getMetadata().getMetadataList().length,
            };
            return true;
        });

        let filteredBlock;
        await readEvents(await network.getFilteredBlockEvents({ startBlock }), (received) => {
            filteredBlock = {
                channelId: received.getChannelId(),
                number: received.getNumber(),
                transactions: received.getFilteredTransactionsList().map((tx) => ({
                    txid: tx.getTxid(),
                    type: tx.getType(),
                    validationCode: tx.getTxValidationCode(),
                    validationCodeName: codeName(tx.getTxValidationCode()),
                    events: (tx.getTransactionActions()?.getChaincodeActionsList() ?? [])
                        .map((action) => action.getChaincodeEvent())
                        .filter((event) => event)
                        .map((event) => ({
                            chaincodeId: event.getChaincodeId(),
                            txId: event.getTxId(),
                            eventName: event.getEventName(),
                            payloadLength: event.getPayload_asU8().length,
                        })),
                })),
            };
            return true;
        });
        return { status, block, filteredBlock };
    },
};

async function main() {
    const request = readRequest();
    const privateKey = crypto.createPrivateKey(fs.readFileSync(request.keyPath));
    const credentials = {
        identity: { mspId: request.mspId, credentials: fs.readFileSync(request.certPath) },
        privateKey,
    };
    const client = new grpc.Client(request.endpoint, channelCredentials(request));
    const gateway = connect({
        client,
        identity: credentials.identity,
        signer: signers.newPrivateKeySigner(privateKey),
        hash: hash.sha256,
        evaluateOptions: deadline,
        endorseOptions: deadline,
        submitOptions: deadline,
        commitStatusOptions: deadline,
    });
    const context = { request, credentials, network: gateway.getNetwork(request.channel) };
    const steps = [];
    try {
        for (const step of request.steps) {
            const operation = operations[step.op];
            if (!operation) {
                throw new Error(`unknown op '${step.op}'`);
            }
            try {
                steps.push({ op: step.op, ...(await operation(context, step)) });
            } catch (error) {
                steps.push({ op: step.op, error: describeError(error) });
            }
        }
    } finally {
        gateway.close();
        client.close();
    }
    return { steps };
}

run(main);
