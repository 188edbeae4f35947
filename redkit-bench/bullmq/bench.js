// BullMQ side of the Redkit queue benchmark. Run by io.redkit.bench.queue.QueueBench, which starts the
// Redis, runs the Redkit side against it and then this script, and prints the ratios.
//   node bench.js --port 6379 [--n 50000] [--rate 10000]
// Prints one JSON line with the figures of one round. BullMQ runs with removeOnComplete: true.
'use strict';
const { Queue, Worker } = require('bullmq');
const IORedis = require('ioredis');
const { performance } = require('perf_hooks');

function arg(name, dflt) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}
const port = Number(arg('port', '6379'));
const N = Number(arg('n', '50000'));
const RATE = Number(arg('rate', '0'));
const CONCURRENCY = 50;
const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null, db: 0 };
const PAYLOAD = { p: 'x'.repeat(94) }; // 100 bytes of JSON: {"p":"xxx..."}
const opts = { removeOnComplete: true };

const admin = new IORedis(connection);
const now = () => performance.now();

async function flush() {
  await admin.flushdb();
}

function completedCounter(worker, target) {
  let done = 0;
  return new Promise((resolve) => {
    worker.on('completed', () => {
      if (++done === target) resolve();
    });
  });
}

async function drain() {
  await flush();
  const q = new Queue('drain', { connection });
  const jobs = [];
  for (let i = 0; i < N; i++) jobs.push({ name: 't', data: PAYLOAD, opts });
  for (let i = 0; i < N; i += 1000) await q.addBulk(jobs.slice(i, i + 1000));
  const t0 = now();
  const w = new Worker('drain', async () => null, { connection, concurrency: CONCURRENCY, autorun: false });
  const all = completedCounter(w, N);
  w.run();
  await all;
  const rate = N / ((now() - t0) / 1000);
  await w.close();
  await q.close();
  return rate;
}

async function addWithInFlight(q, n, inFlight, dataFor) {
  let next = 0;
  async function lane() {
    while (next < n) {
      const i = next++;
      await q.add('t', dataFor(i), opts);
    }
  }
  const lanes = [];
  for (let i = 0; i < inFlight; i++) lanes.push(lane());
  await Promise.all(lanes);
}

async function produceConsume() {
  await flush();
  const q = new Queue('pc', { connection });
  const w = new Worker('pc', async () => null, { connection, concurrency: CONCURRENCY });
  await w.waitUntilReady();
  const all = completedCounter(w, N);
  const t0 = now();
  await addWithInFlight(q, N, 50, () => PAYLOAD);
  await all;
  const rate = N / ((now() - t0) / 1000);
  await w.close();
  await q.close();
  return rate;
}

async function bulkAdd() {
  await flush();
  const q = new Queue('bulk', { connection });
  await q.waitUntilReady();
  const jobs = [];
  for (let i = 0; i < N; i++) jobs.push({ name: 't', data: PAYLOAD, opts });
  const t0 = now();
  await q.addBulk(jobs); // one call, as the Redkit side's addBulk(list)
  const rate = N / ((now() - t0) / 1000);
  await q.close();
  return rate;
}

async function singleAdd() {
  await flush();
  const q = new Queue('single', { connection });
  await q.waitUntilReady();
  const t0 = now();
  await addWithInFlight(q, N, 50, () => PAYLOAD);
  const rate = N / ((now() - t0) / 1000);
  await q.close();
  return rate;
}

async function bytesPerJob(data) {
  await flush();
  const q = new Queue('mem', { connection });
  await q.waitUntilReady();
  await q.add('t', data, opts); // create the queue's own keys first
  const before = Number((await admin.info('memory')).match(/used_memory:(\d+)/)[1]);
  const n = 10000;
  for (let i = 0; i < n; i += 500) {
    const jobs = [];
    for (let j = 0; j < 500; j++) jobs.push({ name: 't', data, opts });
    await q.addBulk(jobs);
  }
  const after = Number((await admin.info('memory')).match(/used_memory:(\d+)/)[1]);
  await q.close();
  return (after - before) / n;
}

async function latency(rate) {
  await flush();
  const q = new Queue('lat', { connection });
  const samples = [];
  const total = Math.max(1000, Math.min(20000, Math.round(rate * 4)));
  const w = new Worker('lat', async (job) => { samples.push(now() - job.data.t); return null; },
    { connection, concurrency: CONCURRENCY });
  await w.waitUntilReady();
  const all = completedCounter(w, total);
  const t0 = now();
  const interval = 1000 / rate;
  for (let i = 0; i < total; i++) {
    const due = t0 + i * interval;
    while (now() < due) await new Promise((r) => setImmediate(r));
    q.add('t', { t: now(), p: PAYLOAD.p }, opts);
  }
  await all;
  await w.close();
  await q.close();
  samples.sort((a, b) => a - b);
  const pick = (f) => samples[Math.min(samples.length - 1, Math.floor(f * samples.length))];
  return { p50: pick(0.5), p99: pick(0.99) };
}

(async () => {
  const out = {};
  out.version = require('bullmq/package.json').version;
  out.drain = await drain();
  out.produceConsume = await produceConsume();
  out.bulkAdd = await bulkAdd();
  out.singleAdd = await singleAdd();
  out.bytesPerJob = await bytesPerJob(PAYLOAD);
  out.bytesPerJobTiny = await bytesPerJob({ i: 1 });
  await latency(RATE > 0 ? RATE : out.produceConsume / 2); // warm-up pass, discarded (as on the Redkit side)
  const lat = await latency(RATE > 0 ? RATE : out.produceConsume / 2);
  out.latencyP50Ms = lat.p50;
  out.latencyP99Ms = lat.p99;
  await admin.flushdb();
  await admin.quit();
  console.log(JSON.stringify(out));
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
