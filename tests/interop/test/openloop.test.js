'use strict';
// bench/openloop.js (the open loop of `zoncoin bench gateway --rate` through the official Node client) against a real
// network: `zoncoin network up` with bench/network.yaml (every port moved by a free offset) in a temp folder, a 3 s
// run at 20 tx/s through Org1's connection profile, `network down --purge` afterwards. Needs the .NET SDK (the
// repository's `zoncoin` script builds the CLI when it is stale); nothing is skipped.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { classify, report, Recorder } = require('../bench/openloop');

const interop = path.resolve(__dirname, '..');
const repository = path.resolve(interop, '..', '..');
const zoncoin = path.join(repository, 'zoncoin');
const benchTopology = path.join(interop, 'bench', 'network.yaml');

const RATE = 20;
const DURATION = 3;

const SECOND_LINE = /^second (\d+): (\d+) started, (\d+) succeeded, (?:p50 (\d+\.\d) ms, p99 (\d+\.\d) ms, max (\d+\.\d) ms|no successes), up to (\d+) in flight$/;
const COMMITTED_LINE = /^committed: ([\d,]+) tx in (\d+\.\d) s = ([\d,]+) tx\/s$/;
const LATENCY_LINE = /^latency \(submit to commit status\): p50 (\d+\.\d) ms, p95 (\d+\.\d) ms, p99 (\d+\.\d) ms, max (\d+\.\d) ms$/;

function run(file, args, timeoutMs) {
    return new Promise((resolve) => {
        // The script's default build: the services the network runs are compiled natively (the first run compiles
        // them, a few minutes), so this is the test that the native orderer, peers and chaincode host serve the
        // official client end to end.
        const env = { ...process.env };
        execFile(file, args, { cwd: repository, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL' },
            (error, stdout, stderr) => resolve({ code: error ? (error.code ?? error.signal) : 0, stdout, stderr }));
    });
}

function portFree(port) {
    return new Promise((resolve) => {
        const server = net.createServer();
        server.once('error', () => resolve(false));
        server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
}

/** An offset for every port of the topology such that each node's port, admin (+10000) and operations (+20000) port is free. */
async function freeOffset(ports) {
    for (let attempt = 0; attempt < 50; attempt++) {
        const offset = 1000 + Math.floor(Math.random() * 4000);
        const wanted = ports.flatMap((p) => [p, p + 1, p + 10000, p + 20000].map((q) => q + offset));
        let free = true;
        for (const port of wanted) {
            if (!(await portFree(port))) {
                free = false;
                break;
            }
        }
        if (free) {
            return offset;
        }
    }
    throw new Error('no free port range found for the bench topology');
}

test('bench/openloop.js: the official Node client in an open loop against `zoncoin network up`', { timeout: 20 * 60_000 }, async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zoncoin-openloop-'));
    const text = fs.readFileSync(benchTopology, 'utf8');
    const ports = [...text.matchAll(/port: (\d+)/g)].map((m) => Number(m[1]));
    const offset = await freeOffset(ports);
    const topology = path.join(dir, 'network.yaml');
    fs.writeFileSync(topology, text
        .replace(/port: (\d+)/g, (_, port) => `port: ${Number(port) + offset}`)
        .replace(/project: (\S+)/g, (_, project) => `project: ${path.resolve(path.dirname(benchTopology), project)}`));
    const networkDir = path.join(dir, 'network');
    t.after(async () => {
        const down = await run(zoncoin, ['network', 'down', '--dir', networkDir, '--purge'], 5 * 60_000);
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(down.code, 0, `network down failed:\n${down.stdout}\n${down.stderr}`);
    });

    const up = await run(zoncoin, ['network', 'up', '--topology', topology, '--dir', networkDir], 15 * 60_000);
    assert.equal(up.code, 0, `network up failed:\n${up.stdout}\n${up.stderr}`);
    if ((process.env.ZONCOIN_READY_TO_RUN ?? 'true') === 'true' && (process.env.ZONCOIN_NATIVE ?? 'true') === 'true' && process.arch === 'x64') {
        // The orderer, both peers and the chaincode hosts run their native executables, not `dotnet <dll>`.
        const state = JSON.parse(fs.readFileSync(path.join(networkDir, 'network.json'), 'utf8'));
        const programs = Object.fromEntries((state.services ?? state.Services).map((s) => [s.name ?? s.Name, (s.command ?? s.Command)[0]]));
        for (const [name, program] of Object.entries(programs).filter(([name]) => /^(orderer|peer|chaincode)/.test(name))) {
            assert.match(program, /\/native\/(zoncoin-orderer|zoncoin-peer|ZonCoin\.Chaincode\.Sample)\/[^/]+$/, `${name} runs ${program}`);
        }
        assert.ok(Object.keys(programs).filter((name) => /^peer/.test(name)).length === 2, JSON.stringify(programs));
    }

    const profile = path.join(networkDir, 'connections', 'Org1.json');
    const bench = await run(process.execPath, [path.join(interop, 'bench', 'openloop.js'), '--profile', profile, '--chaincode', 'basic',
        '--rate', String(RATE), '--duration', String(DURATION)], 5 * 60_000);
    const output = `${bench.stdout}\n${bench.stderr}`;
    assert.equal(bench.code, 0, output);
    const lines = bench.stdout.split('\n').map((line) => line.trim()).filter(Boolean);
    for (const line of lines) {
        t.diagnostic(line);
    }

    assert.match(lines[0], new RegExp(`^workload put: open loop at ${RATE} tx/s, 0 s warm-up, ${DURATION} s measured; gateway 127\\.0\\.0\\.1:${7351 + offset} \\(Org1MSP\\), channel bench, chaincode basic; client @hyperledger/fabric-gateway 1\\.12\\.1, Node v\\d+.*, TLS; 20 proposals built and signed offline before the clock started$`), output);
    const committed = lines.map((line) => COMMITTED_LINE.exec(line)).find(Boolean);
    assert.ok(committed, output);
    const succeeded = Number(committed[1].replaceAll(',', ''));
    const failuresLine = lines.find((line) => line.startsWith('failures: '));
    assert.ok(failuresLine, output);
    const failed = failuresLine === 'failures: none' ? 0
        : failuresLine.slice('failures: '.length).split(', ').reduce((sum, entry) => sum + Number(entry.slice(entry.lastIndexOf(' ') + 1)), 0);

    const seconds = lines.map((line) => SECOND_LINE.exec(line)).filter(Boolean);
    assert.deepEqual(seconds.map((m) => Number(m[1])), [1, 2, 3], output);
    let started = 0;
    let succeededBySecond = 0;
    for (const m of seconds) {
        assert.equal(Number(m[2]), RATE, `each second starts the rate: ${m[0]}`);
        assert.ok(Number(m[3]) <= Number(m[2]), m[0]);
        if (m[4] !== undefined) {
            const [p50, p99, max] = [Number(m[4]), Number(m[5]), Number(m[6])];
            assert.ok(p50 > 0 && p50 <= p99 && p99 <= max, m[0]);
        }
        const inFlight = Number(m[7]);
        assert.ok(inFlight >= 1 && inFlight <= RATE * DURATION, m[0]);
        started += Number(m[2]);
        succeededBySecond += Number(m[3]);
    }
    assert.equal(started, RATE * DURATION, output);
    assert.equal(succeededBySecond, succeeded, output);
    assert.equal(succeeded + failed, started, `every started transaction succeeded or is reported as a failure:\n${output}`);
    assert.ok(succeeded <= started);
    // A healthy network commits every one of them (as the C# bench's test asserts).
    assert.equal(failuresLine, 'failures: none', output);
    const latency = lines.map((line) => LATENCY_LINE.exec(line)).find(Boolean);
    assert.ok(latency, output);
    const [p50, p95, p99, max] = latency.slice(1).map(Number);
    assert.ok(p50 <= p95 && p95 <= p99 && p99 <= max, latency[0]);
    assert.match(bench.stdout, /^cpu per tx: \d+\.\d{3} ms \(bench clients \d+\.\d{3}\)$/m, output);
    assert.match(bench.stdout, /^start lag \(behind schedule\): p50 \d+\.\d ms, p99 \d+\.\d ms, max \d+\.\d ms$/m, output);
    assert.match(bench.stdout, /^stages \(p50\): endorse and submit \d+\.\d ms, commit status \d+\.\d ms$/m, output);
});

test('bench/openloop.js names failures as the C# bench does and counts each kind with its messages', () => {
    assert.deepEqual(classify(Object.assign(new Error('10 ABORTED: failed to endorse transaction, see attached details for more info'), {
        name: 'EndorseError', code: 10, details: [{ address: '127.0.0.1:7351', mspId: 'Org1MSP', message: 'chaincode response 500, asset x exists' }],
    })), {
        kind: 'endorse Aborted',
        message: '10 ABORTED: failed to endorse transaction, see attached details for more info [Org1MSP 127.0.0.1:7351: chaincode response 500, asset x exists]',
    });
    assert.equal(classify(Object.assign(new Error('x'), { name: 'SubmitError', code: 14, details: [] })).kind, 'submit Unavailable');
    assert.equal(classify(Object.assign(new Error('x'), { name: 'CommitStatusError', code: 4, details: [] })).kind, 'commit status DeadlineExceeded');
    assert.equal(classify(new TypeError('boom')).kind, 'client TypeError');
    assert.equal(classify(Object.assign(new Error(`tx ${'ab'.repeat(32)} failed`), { name: 'SubmitError', code: 2 })).message, 'tx <txid> failed');

    const recorder = new Recorder();
    recorder.started(0, 1);
    recorder.started(0, 2);
    recorder.started(1, 2);
    recorder.succeeded(0, 12.34, { submit: 3, commit: 9 });
    recorder.failed('MVCC_READ_CONFLICT', 'transaction committed as MVCC_READ_CONFLICT in block 7');
    recorder.failed('endorse Aborted', 'a');
    recorder.failed('endorse Aborted', 'a');
    assert.deepEqual(report(recorder, 2.04), [
        'committed: 1 tx in 2.0 s = 0 tx/s',
        'latency (submit to commit status): p50 12.3 ms, p95 12.3 ms, p99 12.3 ms, max 12.3 ms',
        'stages (p50): endorse and submit 3.0 ms, commit status 9.0 ms',
        'failures: endorse Aborted 2, MVCC_READ_CONFLICT 1',
        'failure endorse Aborted: 2 x a',
        'failure MVCC_READ_CONFLICT: 1 x transaction committed as MVCC_READ_CONFLICT in block 7',
        'cpu per tx: 0.000 ms (bench clients 0.000)',
        'start lag (behind schedule): p50 0.0 ms, p99 0.0 ms, max 0.0 ms',
        'second 1: 2 started, 1 succeeded, p50 12.3 ms, p99 12.3 ms, max 12.3 ms, up to 2 in flight',
        'second 2: 1 started, 0 succeeded, no successes, up to 2 in flight',
    ]);
});
