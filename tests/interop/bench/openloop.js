'use strict';
// The open loop of `zoncoin bench gateway --rate R`, driven through the official Node client
// (@hyperledger/fabric-gateway over @grpc/grpc-js), as users' applications and tools send transactions.
//
// usage:
//   node bench/openloop.js --profile DIR/connections/Org1.json [--channel C] --chaincode CC --rate R --duration S
//   node bench/openloop.js --endpoint host:port [--tls-root-cert ca.crt [--hostname-override name]] \
//        --msp-id Org1MSP --cert cert.pem --key key.pem --channel C --chaincode CC --rate R --duration S
//   options: --warmup S (default 0: the first second is the network's cold start), --function F (default CreateAsset),
//            --args JSON array (default ["{id}","blue","5","bench","100"]; {id} becomes a unique id per transaction),
//            --prepare N (default 20; 0 for none): before its clock starts, the client connects and builds and signs N
//            proposals offline (none is sent), so that V8 has compiled its protobuf, hashing and ECDSA code and the
//            first second measures the network rather than Node's own start (about 200 ms of p99 there otherwise)
//
// The profile is the JSON that `zoncoin network up` writes to DIR/connections/<Org>.json and `bench gateway` reads
// (gateway endpoint, TLS root cert, hostname override, MSP ID, the user's cert and key, channels). Without a TLS
// root cert the connection is h2c.
//
// One gRPC connection. Transaction i starts at t0 + i/R whatever is still in flight: contract.submitAsync (endorse
// and submit), then getStatus() (the commit status). Its latency counts from its scheduled start, so a late start
// (a busy event loop) counts as delay too, under the second it was due in. The output is that of the C# bench: a
// header, `committed: N tx in T s = X tx/s`, latency percentiles, stages, failures by kind (gRPC status of the
// endorse, submit or commit status call, or the validation code of a transaction that committed invalid), then one
// line per second: `second N: X started, Y succeeded, p50 .. ms, p99 .. ms, max .. ms, up to Z in flight`. Only
// this script adds `failure <kind>: <count> x <message>` lines with each kind's distinct messages and a `start lag`
// line (how far behind schedule transactions started: a client that cannot keep up is no longer an open loop). The
// `cpu per tx` line is this process's CPU time. Exit code 0 once the run completed (failures are reported, not
// fatal), 1 when it could not run, 2 for bad arguments.

const crypto = require('node:crypto');
const fs = require('node:fs');
const grpc = require('@grpc/grpc-js');
const { connect, hash, signers } = require('@hyperledger/fabric-gateway');
const { peer } = require('@hyperledger/fabric-protos');

const DEFAULT_FUNCTION = 'CreateAsset';
const DEFAULT_ARGS = ['{id}', 'blue', '5', 'bench', '100'];
/** The C# bench's timeouts (GatewayOptions in GatewayBenchmark.cs). */
const TIMEOUTS_MS = { evaluate: 30_000, endorse: 60_000, submit: 30_000, commitStatus: 120_000 };
const MAX_MESSAGES_PER_KIND = 3;

function usage(message) {
    console.error(`error: ${message}`);
    console.error('usage: node bench/openloop.js (--profile FILE | --endpoint HOST:PORT [--tls-root-cert FILE [--hostname-override NAME]]'
        + ' --msp-id ID --cert FILE --key FILE) [--channel C] --chaincode CC --rate R --duration S [--warmup S]'
        + ' [--function F] [--args JSON]');
    process.exit(2);
}

function parseArguments(argv) {
    const options = {};
    for (let i = 0; i < argv.length; i++) {
        const name = argv[i];
        if (!name.startsWith('--') || i + 1 >= argv.length) {
            usage(`unexpected argument '${name}'`);
        }
        options[name.slice(2)] = argv[++i];
    }
    const known = ['profile', 'endpoint', 'tls-root-cert', 'hostname-override', 'msp-id', 'cert', 'key', 'channel',
        'chaincode', 'rate', 'duration', 'warmup', 'function', 'args', 'prepare'];
    for (const name of Object.keys(options)) {
        if (!known.includes(name)) {
            usage(`unknown option --${name}`);
        }
    }
    let connection;
    if (options.profile) {
        const profile = JSON.parse(fs.readFileSync(options.profile, 'utf8'));
        connection = {
            endpoint: profile.gateway?.endpoint,
            tlsRootCert: profile.gateway?.tlsRootCertPath ?? undefined,
            hostnameOverride: profile.gateway?.hostnameOverride ?? undefined,
            mspId: profile.mspId,
            cert: profile.identity?.certPath,
            key: profile.identity?.keyPath,
            channel: options.channel ?? profile.channels?.[0],
        };
    } else {
        connection = {
            endpoint: options.endpoint,
            tlsRootCert: options['tls-root-cert'],
            hostnameOverride: options['hostname-override'],
            mspId: options['msp-id'],
            cert: options.cert,
            key: options.key,
            channel: options.channel,
        };
    }
    for (const [field, flag] of [['endpoint', '--endpoint'], ['mspId', '--msp-id'], ['cert', '--cert'], ['key', '--key'], ['channel', '--channel']]) {
        if (!connection[field]) {
            usage(`${flag} is required (or a --profile that has it)`);
        }
    }
    const rate = Number(options.rate);
    const duration = Number(options.duration);
    const warmup = options.warmup === undefined ? 0 : Number(options.warmup);
    const prepare = options.prepare === undefined ? 20 : Number(options.prepare);
    if (!Number.isInteger(prepare) || prepare < 0 || prepare > 10_000) {
        usage('--prepare must be a whole number of proposals between 0 and 10000');
    }
    if (!Number.isInteger(rate) || rate < 1 || rate > 100_000) {
        usage('--rate must be a whole number of transactions per second between 1 and 100000');
    }
    if (!(duration > 0) || !(warmup >= 0)) {
        usage('--duration must be a positive number of seconds and --warmup not negative');
    }
    if (!options.chaincode) {
        usage('--chaincode is required');
    }
    let args = DEFAULT_ARGS;
    if (options.args !== undefined) {
        args = JSON.parse(options.args);
        if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
            usage('--args must be a JSON array of strings');
        }
    }
    const fn = options.function ?? DEFAULT_FUNCTION;
    const workload = fn === DEFAULT_FUNCTION && options.args === undefined ? 'put' : fn;
    return { connection, chaincode: options.chaincode, rate, duration, warmup, prepare, fn, args, workload };
}

/** Grpc.Core.StatusCode's names (what the C# bench prints) for gRPC status numbers. */
function statusName(code) {
    const name = Object.keys(grpc.status).find((key) => grpc.status[key] === code);
    if (name === undefined) {
        return String(code);
    }
    return name === 'OK' ? 'OK' : name.toLowerCase().replace(/(^|_)([a-z])/g, (_, __, letter) => letter.toUpperCase());
}

const validationCodeName = (code) => Object.keys(peer.TxValidationCode).find((name) => peer.TxValidationCode[name] === code) ?? String(code);

/** A failure's kind as the C# bench names it, and its message with node details and without transaction ids. */
function classify(error) {
    const prefixes = { EndorseError: 'endorse ', SubmitError: 'submit ', CommitStatusError: 'commit status ', GatewayError: '' };
    let kind;
    if (error && error.name in prefixes && typeof error.code === 'number') {
        kind = prefixes[error.name] + statusName(error.code);
    } else {
        kind = `client ${error?.name ?? typeof error}`;
    }
    let message = error instanceof Error ? error.message : String(error);
    if (Array.isArray(error?.details) && error.details.length > 0) {
        message += ' [' + error.details.map((d) => `${d.mspId} ${d.address}: ${d.message}`).join('; ') + ']';
    }
    return { kind, message: message.replace(/\b[0-9a-f]{32,}\b/g, '<txid>') };
}

class Recorder {
    constructor() {
        this.latencies = [];
        this.stages = [];
        this.failures = new Map(); // kind -> { count, messages: Map(message -> count) }
        this.seconds = new Map(); // second -> { started, inFlight, latencies }
        this.startLags = [];
        this.cpuMs = 0;
    }

    /** A transaction due in `second` started `lagMs` after its scheduled time, with `inFlight` now in flight. */
    started(second, inFlight, lagMs = 0) {
        this.startLags.push(lagMs);
        const entry = this.seconds.get(second) ?? { started: 0, inFlight: 0, latencies: [] };
        entry.started++;
        entry.inFlight = Math.max(entry.inFlight, inFlight);
        this.seconds.set(second, entry);
    }

    succeeded(second, latencyMs, stages) {
        this.latencies.push(latencyMs);
        this.seconds.get(second).latencies.push(latencyMs);
        this.stages.push(stages);
    }

    failed(kind, message) {
        const entry = this.failures.get(kind) ?? { count: 0, messages: new Map() };
        entry.count++;
        entry.messages.set(message, (entry.messages.get(message) ?? 0) + 1);
        this.failures.set(kind, entry);
    }
}

const now = () => process.hrtime.bigint();
const msBetween = (from, to) => Number(to - from) / 1e6;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One transaction as applications send it: submitAsync (endorse, submit), then getStatus (commit status). */
async function one(contract, options, id, due, second, recorder) {
    const args = options.args.map((a) => a.replaceAll('{id}', id));
    try {
        const begin = now();
        const submitted = await contract.submitAsync(options.fn, { arguments: args });
        const ordered = now();
        const status = await submitted.getStatus();
        const end = now();
        if (status.successful) {
            recorder.succeeded(second, msBetween(due, end), { submit: msBetween(begin, ordered), commit: msBetween(ordered, end) });
        } else {
            const code = validationCodeName(status.code);
            recorder.failed(code, `transaction committed as ${code} in block ${status.blockNumber}`);
        }
    } catch (error) {
        const { kind, message } = classify(error);
        recorder.failed(kind, message);
    }
}

/**
 * Starts transaction i at t0 + i / rate until the duration is over, without waiting for earlier ones; returns the
 * seconds until the last one finished.
 */
async function drive(contract, options, phase, seconds, recorder, stopping) {
    const count = Math.floor(seconds * options.rate);
    const run = crypto.randomBytes(3).toString('hex');
    const running = [];
    let inFlight = 0;
    const cpu = process.cpuUsage();
    const t0 = now();
    for (let i = 0; i < count && !stopping.requested; i++) {
        const due = t0 + BigInt(Math.round((i * 1e9) / options.rate));
        const wait = msBetween(now(), due);
        if (wait > 1) {
            await sleep(wait);
        }
        const second = Math.floor(i / options.rate);
        recorder.started(second, ++inFlight, Math.max(0, msBetween(due, now())));
        running.push(one(contract, options, `bench-node-${run}-${phase}-${i}`, due, second, recorder).finally(() => { inFlight--; }));
    }
    await Promise.all(running);
    const used = process.cpuUsage(cpu);
    recorder.cpuMs = (used.user + used.system) / 1000;
    return msBetween(t0, now()) / 1000;
}

/** The value at the quantile of sorted values, as the C# bench picks it (nearest rank). */
function rank(sorted, quantile) {
    const index = Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
    return sorted[Math.max(index, 0)].toFixed(1);
}

const grouped = (n) => Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const ascending = (a, b) => a - b;

function report(recorder, elapsedSeconds) {
    const lines = [];
    const latencies = [...recorder.latencies].sort(ascending);
    const ok = latencies.length;
    lines.push(`committed: ${grouped(ok)} tx in ${elapsedSeconds.toFixed(1)} s = ${grouped(ok / Math.max(elapsedSeconds, 0.001))} tx/s`);
    if (ok > 0) {
        lines.push(`latency (submit to commit status): p50 ${rank(latencies, 0.5)} ms, p95 ${rank(latencies, 0.95)} ms, p99 ${rank(latencies, 0.99)} ms, max ${rank(latencies, 1)} ms`);
        const submit = recorder.stages.map((s) => s.submit).sort(ascending);
        const commit = recorder.stages.map((s) => s.commit).sort(ascending);
        lines.push(`stages (p50): endorse and submit ${rank(submit, 0.5)} ms, commit status ${rank(commit, 0.5)} ms`);
    }
    const failures = [...recorder.failures].sort((a, b) => b[1].count - a[1].count);
    lines.push(failures.length === 0 ? 'failures: none' : 'failures: ' + failures.map(([kind, f]) => `${kind} ${f.count}`).join(', '));
    for (const [kind, f] of failures) {
        const messages = [...f.messages].sort((a, b) => b[1] - a[1]);
        for (const [message, count] of messages.slice(0, MAX_MESSAGES_PER_KIND)) {
            lines.push(`failure ${kind}: ${count} x ${message.length > 300 ? message.slice(0, 300) + '...' : message}`);
        }
        if (messages.length > MAX_MESSAGES_PER_KIND) {
            lines.push(`failure ${kind}: ${messages.length - MAX_MESSAGES_PER_KIND} more distinct messages`);
        }
    }
    if (ok > 0) {
        // This process's CPU time per committed transaction (the C# bench's `bench clients` figure), and how late
        // transactions started: a client that cannot keep the schedule is no longer an open loop.
        lines.push(`cpu per tx: ${(recorder.cpuMs / ok).toFixed(3)} ms (bench clients ${(recorder.cpuMs / ok).toFixed(3)})`);
    }
    if (recorder.startLags.length > 0) {
        const lags = [...recorder.startLags].sort(ascending);
        lines.push(`start lag (behind schedule): p50 ${rank(lags, 0.5)} ms, p99 ${rank(lags, 0.99)} ms, max ${rank(lags, 1)} ms`);
    }
    for (const second of [...recorder.seconds.keys()].sort(ascending)) {
        const entry = recorder.seconds.get(second);
        const sorted = [...entry.latencies].sort(ascending);
        const figures = sorted.length === 0 ? 'no successes' : `p50 ${rank(sorted, 0.5)} ms, p99 ${rank(sorted, 0.99)} ms, max ${rank(sorted, 1)} ms`;
        lines.push(`second ${second + 1}: ${entry.started} started, ${sorted.length} succeeded, ${figures}, up to ${entry.inFlight} in flight`);
    }
    return lines;
}

/**
 * Readies the client's own side without sending a transaction: connects, then builds and signs proposals offline,
 * so that the first transactions do not pay for V8 compiling the client library (the same in a cold and a warm run).
 */
async function prepareClient(client, contract, signer, options) {
    await new Promise((resolve, reject) => client.waitForReady(Date.now() + TIMEOUTS_MS.evaluate, (error) => (error ? reject(error) : resolve())));
    for (let i = 0; i < options.prepare; i++) {
        const proposal = contract.newProposal(options.fn, { arguments: options.args.map((a) => a.replaceAll('{id}', `prepare-${i}`)) });
        await signer(proposal.getDigest());
    }
}

function newGrpcClient(connection) {
    const options = {};
    let credentials = grpc.credentials.createInsecure();
    if (connection.tlsRootCert) {
        credentials = grpc.credentials.createSsl(fs.readFileSync(connection.tlsRootCert));
        if (connection.hostnameOverride) {
            options['grpc.ssl_target_name_override'] = connection.hostnameOverride;
            options['grpc.default_authority'] = connection.hostnameOverride;
        }
    }
    return new grpc.Client(connection.endpoint, credentials, options);
}

async function main() {
    const options = parseArguments(process.argv.slice(2));
    const { connection } = options;
    const client = newGrpcClient(connection);
    const deadline = (ms) => () => ({ deadline: Date.now() + ms });
    const signer = signers.newPrivateKeySigner(crypto.createPrivateKey(fs.readFileSync(connection.key)));
    const gateway = connect({
        client,
        identity: { mspId: connection.mspId, credentials: fs.readFileSync(connection.cert) },
        signer,
        hash: hash.sha256,
        evaluateOptions: deadline(TIMEOUTS_MS.evaluate),
        endorseOptions: deadline(TIMEOUTS_MS.endorse),
        submitOptions: deadline(TIMEOUTS_MS.submit),
        commitStatusOptions: deadline(TIMEOUTS_MS.commitStatus),
    });
    const stopping = { requested: false };
    process.once('SIGINT', () => {
        stopping.requested = true;
        console.error('stopping: no new transactions; waiting for those in flight');
    });
    try {
        const contract = gateway.getNetwork(connection.channel).getContract(options.chaincode);
        const version = require('@hyperledger/fabric-gateway/package.json').version;
        if (options.prepare > 0) {
            await prepareClient(client, contract, signer, options);
        }
        console.log(`workload ${options.workload}: open loop at ${options.rate} tx/s, ${options.warmup} s warm-up, ${options.duration} s measured; `
            + `gateway ${connection.endpoint} (${connection.mspId}), channel ${connection.channel}, chaincode ${options.chaincode}; `
            + `client @hyperledger/fabric-gateway ${version}, Node ${process.version}, ${connection.tlsRootCert ? 'TLS' : 'h2c'}; `
            + `${options.prepare} proposals built and signed offline before the clock started`);
        if (options.warmup > 0) {
            await drive(contract, options, 'w', options.warmup, new Recorder(), stopping);
        }
        const recorder = new Recorder();
        const elapsed = await drive(contract, options, 'm', options.duration, recorder, stopping);
        for (const line of report(recorder, elapsed)) {
            console.log(line);
        }
    } finally {
        gateway.close();
        client.close();
    }
}

if (require.main === module) {
    main().catch((error) => {
        console.error(`error: ${error instanceof Error ? error.stack : String(error)}`);
        process.exit(1);
    });
}

module.exports = { classify, rank, report, Recorder, statusName };
