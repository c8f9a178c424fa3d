'use strict';
// The `zoncoin bench rpc --client grpc-js` workload through @grpc/grpc-js against our server:
//   node tools/bench-client.js <host:port> <calls> <concurrency> <size>
// Prints the same two lines as the C# client (unary calls/s with latency percentiles, stream messages/s).
const crypto = require('node:crypto');
const grpc = require('@grpc/grpc-js');
const { common } = require('@hyperledger/fabric-protos');

const [address, callsText, concurrencyText, sizeText] = process.argv.slice(2);
const calls = Number(callsText);
const concurrency = Number(concurrencyText);
const size = Number(sizeText);
if (!address || !(calls > 0) || !(concurrency > 0) || !(size >= 0)) {
  console.error('usage: bench-client.js <host:port> <calls> <concurrency> <size>');
  process.exit(2);
}

const limit = 100 * 1024 * 1024;
const client = new grpc.Client(address, grpc.credentials.createInsecure(), {
  'grpc.max_receive_message_length': limit,
  'grpc.max_send_message_length': limit,
});
const serialize = (message) => Buffer.from(message.serializeBinary());
const deserialize = (bytes) => common.Envelope.deserializeBinary(new Uint8Array(bytes));
const request = new common.Envelope();
request.setPayload(new Uint8Array(crypto.randomBytes(size)));

function unary() {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest('/zoncoin.bench.Bench/Unary', serialize, deserialize, request, (error, response) => {
      if (error) {
        reject(error);
      } else if (response.getPayload_asU8().length !== size) {
        reject(new Error('echoed payload has the wrong size'));
      } else {
        resolve();
      }
    });
  });
}

async function unaryRun(total) {
  const latencies = new Array(total);
  let next = 0;
  const started = process.hrtime.bigint();
  async function worker() {
    for (let index = next++; index < total; index = next++) {
      const start = process.hrtime.bigint();
      await unary();
      latencies[index] = Number(process.hrtime.bigint() - start) / 1e6;
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const rank = (p) => latencies[Math.max(0, Math.ceil((p / 100) * total) - 1)];
  return { perSecond: total / seconds, p50: rank(50), p95: rank(95), p99: rank(99) };
}

function streamRun(total) {
  return new Promise((resolve, reject) => {
    const call = client.makeBidiStreamRequest('/zoncoin.bench.Bench/Stream', serialize, deserialize);
    let received = 0;
    const started = process.hrtime.bigint();
    call.on('data', () => { received++; });
    call.on('error', reject);
    call.on('end', () => {
      if (received !== total) {
        reject(new Error(`received ${received} of ${total} messages`));
        return;
      }
      resolve(total / (Number(process.hrtime.bigint() - started) / 1e9));
    });
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent++;
        if (!call.write(request)) {
          call.once('drain', pump);
          return;
        }
      }
      call.end();
    };
    pump();
  });
}

(async () => {
  const warmup = Math.min(calls, 1000);
  await unaryRun(warmup);
  await streamRun(warmup);
  const u = await unaryRun(calls);
  console.log(`unary grpc-js: ${calls} calls, concurrency ${concurrency}, ${size} B: ${u.perSecond.toFixed(0)} calls/s, p50 ${u.p50.toFixed(2)} ms, p95 ${u.p95.toFixed(2)} ms, p99 ${u.p99.toFixed(2)} ms`);
  const s = await streamRun(calls);
  console.log(`stream grpc-js: ${calls} messages, ${size} B: ${s.toFixed(0)} messages/s`);
  client.close();
})().catch((error) => {
  console.error(`error: ${error.message}`);
  process.exit(1);
});
