'use strict';
// @grpc/grpc-js server for the Echo test service, the same semantics as tests/Rpc.Tests/EchoService.cs, for
// ZonCoin's gRPC client (src/Rpc) to call. Driven by tests/Rpc.Tests/GrpcJsServerInteropTests.cs:
//
//   node tools/grpc-server.js
//
// Binds 127.0.0.1:0 (h2c), prints {"port": N} on stdout, serves until killed or until its stdin closes.
//
// Echo semantics: delay_ms waits (ending early when the call is cancelled); text "throw" ends with INTERNAL
// "Exception was thrown by handler."; fail_code ends with that status and fail_message, plus a
// grpc-status-details-bin google.rpc.Status holding an Any(gateway.ErrorDetail) when fail_with_detail is set.
// Unary copies request metadata whose key starts with "echo-" to its trailers.
//
// Cancellation is observable from the client: a handler that sees its call cancelled (client cancel, RST_STREAM,
// deadline) before it has ended the call is counted. Unary text "cancelled-count" answers with the count now;
// "await-cancelled" answers once the count is at least one (the caller bounds the wait with its deadline).
// grpc-js also emits 'cancelled' after every call a handler ended itself; those are not counted.

const { once } = require('node:events');
const grpc = require('@grpc/grpc-js');
const { LIMITS, STATUS_DETAILS_KEY, loadEcho, encodeStatusDetails } = require('./echo');

let cancelledCount = 0;
const cancellationWaiters = [];

/** Follows one call: whether the handler has ended it, and whether it was cancelled before that. */
function track(call) {
    const state = { ended: false, cancelled: false };
    call.on('cancelled', () => {
        if (!state.ended && !state.cancelled) {
            state.cancelled = true;
            cancelledCount++;
            cancellationWaiters.splice(0).forEach((wake) => wake());
        }
    });
    return state;
}

class CallCancelledError extends Error {
    constructor() {
        super('call cancelled');
        this.code = grpc.status.CANCELLED;
        this.details = 'call cancelled';
    }
}

function statusError(code, details, metadata) {
    return Object.assign(new Error(details), { code, details, metadata: metadata || new grpc.Metadata() });
}

/** Waits, honouring cancellation of the call. */
function delay(call, ms) {
    return new Promise((resolve, reject) => {
        if (call.cancelled) {
            reject(new CallCancelledError());
            return;
        }
        const onCancel = () => {
            clearTimeout(timer);
            reject(new CallCancelledError());
        };
        const timer = setTimeout(() => {
            call.removeListener('cancelled', onCancel);
            resolve();
        }, ms);
        call.once('cancelled', onCancel);
    });
}

async function behave(request, call) {
    if (request.delay_ms > 0) {
        await delay(call, request.delay_ms);
    }
    if (request.text === 'throw') {
        throw statusError(grpc.status.INTERNAL, 'Exception was thrown by handler.');
    }
    if (request.fail_code !== 0) {
        const metadata = new grpc.Metadata();
        if (request.fail_with_detail) {
            const detail = { address: 'peer0.org1:7051', mspId: 'Org1MSP', message: request.fail_message };
            metadata.set(STATUS_DETAILS_KEY, encodeStatusDetails(request.fail_code, request.fail_message, detail));
        }
        throw statusError(request.fail_code, request.fail_message, metadata);
    }
}

/** A status for any error a handler ends with. */
function toStatus(error) {
    if (error && Number.isInteger(error.code) && error.code > 0 && error.code <= 16) {
        return error;
    }
    return statusError(grpc.status.INTERNAL, 'Exception was thrown by handler.');
}

/** Writes one message, waiting for 'drain' (or failing when the call is cancelled meanwhile). */
async function write(call, message) {
    if (call.write(message)) {
        return;
    }
    const abort = new AbortController();
    const cancelled = once(call, 'cancelled', { signal: abort.signal }).then(() => {
        throw new CallCancelledError();
    });
    try {
        await Promise.race([once(call, 'drain', { signal: abort.signal }), cancelled]);
    } finally {
        abort.abort();
        cancelled.catch(() => {});
    }
}

/**
 * Iterates a request stream. Not with `for await (... of call)`: a stream's default iterator destroys the stream
 * when the loop ends, and a destroyed duplex can no longer send its status.
 */
async function* requestsOf(call) {
    try {
        for await (const request of call.iterator({ destroyOnReturn: false })) {
            yield request;
        }
    } catch (error) {
        if (call.cancelled) {
            throw new CallCancelledError();
        }
        throw error;
    }
}

async function answerQuery(text) {
    if (text === 'cancelled-count') {
        return { text: String(cancelledCount) };
    }
    while (cancelledCount === 0) {
        await new Promise((resolve) => cancellationWaiters.push(resolve));
    }
    return { text: String(cancelledCount) };
}

const handlers = {
    async Unary(call, callback) {
        const state = track(call);
        const request = call.request;
        try {
            if (request.text === 'cancelled-count' || request.text === 'await-cancelled') {
                const answer = await answerQuery(request.text);
                state.ended = true;
                callback(null, answer);
                return;
            }
            await behave(request, call);
            const trailers = new grpc.Metadata();
            for (const key of Object.keys(call.metadata.getMap())) {
                if (key.startsWith('echo-')) {
                    for (const value of call.metadata.get(key)) {
                        trailers.add(key, value);
                    }
                }
            }
            state.ended = true;
            callback(null, { text: request.text, payload: request.payload }, trailers);
        } catch (error) {
            state.ended = true;
            callback(toStatus(error));
        }
    },

    async ServerStream(call) {
        const state = track(call);
        const request = call.request;
        try {
            for (let i = 0; i < request.repeat; i++) {
                await write(call, { text: request.text, payload: request.payload, index: i });
            }
            await behave(request, call);
            state.ended = true;
            call.end();
        } catch (error) {
            state.ended = true;
            call.emit('error', toStatus(error));
        }
    },

    async ClientStream(call, callback) {
        const state = track(call);
        let count = 0;
        let totalBytes = 0;
        try {
            for await (const request of requestsOf(call)) {
                count++;
                totalBytes += request.payload.length;
                await behave(request, call);
            }
            state.ended = true;
            callback(null, { count, total_bytes: totalBytes });
        } catch (error) {
            state.ended = true;
            callback(toStatus(error));
        }
    },

    async Bidi(call) {
        const state = track(call);
        let index = 0;
        try {
            for await (const request of requestsOf(call)) {
                await behave(request, call);
                await write(call, { text: request.text, payload: request.payload, index: index++ });
            }
            state.ended = true;
            call.end();
        } catch (error) {
            state.ended = true;
            call.emit('error', toStatus(error));
        }
    },
};

function main() {
    const Echo = loadEcho();
    const server = new grpc.Server(LIMITS);
    server.addService(Echo.service, handlers);
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
        if (error) {
            process.stderr.write(`bind failed: ${error.stack || error}\n`, () => process.exit(1));
            return;
        }
        process.stdout.write(`${JSON.stringify({ port })}\n`);
    });
    // The test closes stdin (or dies): stop serving then, so no server outlives its test.
    process.stdin.on('end', () => process.exit(0));
    process.stdin.on('error', () => process.exit(0));
    process.stdin.resume();
}

main();
