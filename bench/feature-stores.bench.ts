/**
 * Latency of the Redis feature stores on loopback: one single-transaction step through the Upstash
 * store → REST bridge (tools/upstash-rest, in this process) → Redis, and through the TCP store;
 * the bare request floor of each path (PING) measured in the same run; the round trips per scored
 * transaction with answers riding along; and Redis' own time per script call and per transaction.
 * Transactions carry a device, an IP and a country (velocity), and lists hold items (issue 15);
 * a last run puts a million items on one list and counts the hash reads per transaction.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Redis } from '@upstash/redis';
import { createClient } from 'redis';
import type { ListChange, StoreTransaction } from '@vigil/core';
import type { RemoteFeatureStore } from '../edge/src/stores/redis-feature-store.js';
import { createRedisTcpFeatureStore } from '../edge/src/stores/redis-tcp-feature-store.js';
import { createUpstashFeatureStore } from '../edge/src/stores/upstash-feature-store.js';
import { fmt, summarize, table } from './stats.js';

const REDIS_SH = new URL('../scripts/services/redis.sh', import.meta.url).pathname;
const WARM_UP = 300;
const SAMPLES = 3_000;
const BATCH = 100;
const BATCHES = 60;
const T0 = Date.UTC(2024, 4, 1) / 1000;
// A serialised scoring answer of realistic size, saved after every fresh step.
const ANSWER = JSON.stringify({
  transaction_id: 'tx_000000',
  score: 0.031,
  decision: 'approve',
  reasons: [
    { code: 'AMOUNT_VS_CUSTOMER_MEAN', feature: 'amount_to_mean_30d', contribution: 0.12 },
    { code: 'TERMINAL_RISK', feature: 'terminal_risk_7d_delay7', contribution: 0.05 },
    { code: 'NIGHT', feature: 'tx_during_night', contribution: 0.01 },
  ],
  model_version: 'gbdt-20240501-abcdef',
  degraded: false,
  replayed: false,
});

function redisSh(...args: string[]): { ok: boolean; output: string } {
  const run = spawnSync('bash', [REDIS_SH, ...args], { encoding: 'utf8', timeout: 600_000 });
  return { ok: run.status === 0, output: `${run.stdout ?? ''}${run.stderr ?? ''}`.trim() };
}

const COUNTRIES = ['FR', 'DE', 'NL', 'BE', 'ES', 'IT', 'PT', 'PL', 'SE', 'GB'];
/** Items on the big list of the last run (VIGIL_BENCH_LIST_ITEMS, default a million). */
const BIG_LIST_ITEMS = Number(process.env['VIGIL_BENCH_LIST_ITEMS'] ?? 1_000_000);

/**
 * Deterministic stream over 2,000 customers and 500 terminals, ~1 minute apart, with a device
 * (of 3,000; absent on one in ten), an IP (of 1,500) and a country (of 10).
 */
function streamAt(i: number): StoreTransaction {
  const h = Math.imul(i + 1, 2_654_435_761) >>> 0;
  const g = Math.imul(h ^ (h >>> 13), 1_274_126_177) >>> 0;
  return {
    transactionId: `tx_${i}`,
    customerId: `c_${h % 2_000}`,
    terminalId: `t_${(h >>> 11) % 500}`,
    timeSec: T0 + i * 61,
    amount: ((h >>> 7) % 20_000) / 100,
    ...(g % 10 === 0 ? {} : { deviceId: `d_${(g >>> 4) % 3_000}` }),
    ip: `198.51.${(g >>> 8) % 6}.${(g >>> 16) % 250}`,
    country: COUNTRIES[(g >>> 20) % COUNTRIES.length]!,
  };
}

/** Ten items on a list of each kind, some of them values the stream carries. */
function smallLists(): ListChange[] {
  const add = (list: string, kind: ListChange['kind'], value: string): ListChange => ({
    op: 'add',
    list,
    kind,
    value,
    expiresAtMs: null,
  });
  return Array.from({ length: 10 }, (_, i) => [
    add('blocked_customers', 'customer_id', `c_${i * 97}`),
    add('blocked_terminals', 'terminal_id', `t_${i * 31}`),
    add('bad_devices', 'device_id', `d_${i * 211}`),
    add('proxies', 'ip', `198.51.${i % 6}.${i * 7}`),
  ]).flat();
}

interface Measured {
  lat: Float64Array;
  roundTripsPerTx: number;
  redisUsPerCall: number;
  /** HGETALL calls (list hash reads) per scored transaction. */
  hashReadsPerTx: number;
}

/** A command's `calls` and `usec_per_call` from INFO commandstats (0 and NaN when never run). */
async function commandStat(
  admin: ReturnType<typeof createClient>,
  command: string,
): Promise<{ calls: number; usecPerCall: number }> {
  const line = (await admin.info('commandstats'))
    .split('\n')
    .find((l) => l.startsWith(`cmdstat_${command}:`));
  return {
    calls: Number(/calls=(\d+)/.exec(line ?? '')?.[1] ?? 0),
    usecPerCall: Number(/usec_per_call=([\d.]+)/.exec(line ?? '')?.[1] ?? NaN),
  };
}

async function redisUsPerEvalsha(admin: ReturnType<typeof createClient>): Promise<number> {
  return (await commandStat(admin, 'evalsha')).usecPerCall;
}

async function hashReads(admin: ReturnType<typeof createClient>): Promise<number> {
  return (await commandStat(admin, 'hgetall')).calls;
}

/** Single-transaction steps, each followed by saveAnswers (buffered, sent with the next step). */
async function measureSingle(
  store: RemoteFeatureStore,
  admin: ReturnType<typeof createClient>,
  offset: number,
): Promise<Measured> {
  for (let i = 0; i < WARM_UP; i++) {
    const t = streamAt(offset + i);
    await store.step([t]);
    await store.saveAnswers([{ transactionId: t.transactionId, answer: ANSWER }]);
  }
  await admin.configResetStat();
  const lat = new Float64Array(SAMPLES);
  const before = store.roundTrips;
  for (let i = 0; i < SAMPLES; i++) {
    const t = streamAt(offset + WARM_UP + i);
    const t0 = performance.now();
    const [o] = await store.step([t]);
    lat[i] = performance.now() - t0;
    if (o?.kind !== 'fresh') throw new Error(`bench: expected a fresh step, got ${o?.kind}`);
    await store.saveAnswers([{ transactionId: t.transactionId, answer: ANSWER }]);
  }
  return {
    lat,
    roundTripsPerTx: (store.roundTrips - before) / SAMPLES,
    redisUsPerCall: await redisUsPerEvalsha(admin),
    hashReadsPerTx: (await hashReads(admin)) / SAMPLES,
  };
}

async function measureBatches(
  store: RemoteFeatureStore,
  admin: ReturnType<typeof createClient>,
  offset: number,
): Promise<Measured> {
  await admin.configResetStat();
  const lat = new Float64Array(BATCHES);
  const before = store.roundTrips;
  for (let b = 0; b < BATCHES; b++) {
    const txs = Array.from({ length: BATCH }, (_, i) => streamAt(offset + b * BATCH + i));
    const t0 = performance.now();
    await store.step(txs);
    lat[b] = performance.now() - t0;
    await store.saveAnswers(txs.map((t) => ({ transactionId: t.transactionId, answer: ANSWER })));
  }
  return {
    lat,
    roundTripsPerTx: (store.roundTrips - before) / (BATCHES * BATCH),
    redisUsPerCall: await redisUsPerEvalsha(admin),
    hashReadsPerTx: (await hashReads(admin)) / (BATCHES * BATCH),
  };
}

/**
 * Puts `n` customer ids on one list straight into Redis (the layout the script reads, pipelined:
 * a million through the store's own calls would take minutes), one of them a customer the
 * stream carries.
 */
async function loadBigList(
  admin: ReturnType<typeof createClient>,
  prefix: string,
  n: number,
): Promise<void> {
  for (let start = 0; start < n; start += 10_000) {
    const multi = admin.multi();
    for (let i = start; i < Math.min(n, start + 10_000); i++) {
      multi.hSet(`${prefix}l:customer_id:${i === 0 ? 'c_1' : `big_${i}`}`, 'big', '0');
    }
    await multi.execAsPipeline();
  }
}

/** Deletes the bench's keys (the bench Redis may be one that was already running). */
async function dropKeys(admin: ReturnType<typeof createClient>, prefix: string): Promise<void> {
  let batch: string[] = [];
  for await (const keys of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 10_000 })) {
    batch.push(...keys);
    if (batch.length >= 10_000) {
      await admin.unlink(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await admin.unlink(batch);
}

async function floor(ping: () => Promise<unknown>): Promise<Float64Array> {
  for (let i = 0; i < WARM_UP; i++) await ping();
  const lat = new Float64Array(SAMPLES);
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    await ping();
    lat[i] = performance.now() - t0;
  }
  return lat;
}

/** The feature-store section of docs/benchmarks.md. */
/**
 * The REST bridge in a process of its own, as a real deployment has it (Upstash is another
 * machine): in the benchmark's process it would share a core with the client being measured.
 */
async function startBridgeProcess(
  redisUrl: string,
  token: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  const main = new URL('../tools/upstash-rest/src/main.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      ...process.env,
      REDIS_URL: redisUrl,
      UPSTASH_REST_TOKEN: token,
      UPSTASH_REST_PORT: String(port),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the REST bridge exited with ${child.exitCode}`);
    try {
      const r = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: '["PING"]',
      });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the REST bridge did not start within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function benchFeatureStores(): Promise<string> {
  const port = Number(process.env['VIGIL_BENCH_REDIS_PORT'] ?? 6394);
  const wasRunning = redisSh('status', String(port)).ok;
  const start = redisSh('start', String(port));
  if (!start.ok) {
    throw new Error(
      `bench: the feature-store section needs a real Redis on 127.0.0.1:${port}: ${start.output}\n` +
        '(install it with `bash scripts/services/redis.sh install`)',
    );
  }
  const redisUrl = `redis://127.0.0.1:${port}`;
  const token = randomUUID();
  const prefix = `bench:${randomUUID()}:`;
  const bridge = await startBridgeProcess(redisUrl, token);
  const admin = createClient({ url: redisUrl });
  await admin.connect();
  const sdk = new Redis({ url: bridge.url, token, enableAutoPipelining: false, retry: false });
  // Timeouts far above anything measured: a slow sample is measured, not turned into an error.
  const upstash = createUpstashFeatureStore({ url: bridge.url, token, prefix, timeoutMs: 10_000 });
  const tcp = await createRedisTcpFeatureStore({ url: redisUrl, prefix, timeoutMs: 10_000 });
  try {
    await tcp.applyListChanges(smallLists());
    const restFloor = summarize(await floor(() => sdk.ping()));
    const tcpFloor = summarize(await floor(() => admin.ping()));
    // Separate slices of the stream: each store scores transactions it has not seen.
    const span = WARM_UP + SAMPLES;
    const u1 = await measureSingle(upstash, admin, 0);
    const t1 = await measureSingle(tcp, admin, span);
    const uB = await measureBatches(upstash, admin, 2 * span);
    const tB = await measureBatches(tcp, admin, 2 * span + BATCHES * BATCH);
    const u = summarize(u1.lat);
    const t = summarize(t1.lat);
    const ub = summarize(uB.lat);
    const tb = summarize(tB.lat);
    // The same single steps again with a million-item list: the hash reads per transaction.
    await loadBigList(admin, prefix, BIG_LIST_ITEMS);
    const tBig = await measureSingle(tcp, admin, 2 * span + 2 * BATCHES * BATCH);
    const ms = (x: number) => `${fmt(x, 3)} ms`;
    const perTx = (m: Measured, n: number) => `${fmt(m.redisUsPerCall / n, 1)} µs`;
    return [
      '## Feature stores (Redis via Upstash REST, Redis via TCP)',
      '',
      `One \`step\` of the edge's feature store: idempotency check, both states read, core's op programs folded in by the Lua script, record written — one script call. Loopback, Redis ${redisVersion()} started by scripts/services/redis.sh; the REST bridge (tools/upstash-rest) runs in a process of its own, like a remote Upstash. ${SAMPLES.toLocaleString('en-US')} steps after ${WARM_UP} warm-up, 2,000 customers × 500 terminals; every fresh step is followed by \`saveAnswers\` (a ${ANSWER.length}-byte answer), which rides along with the next call.`,
      '',
      table(
        [
          'path',
          'p50',
          'p99',
          'mean',
          'round trips / scored tx',
          'Redis time / call',
          'Redis time / tx',
          'list hash reads / tx',
        ],
        [
          [
            'Upstash REST: PING (floor of one request)',
            ms(restFloor.p50),
            ms(restFloor.p99),
            ms(restFloor.mean),
            '—',
            '—',
            '—',
            '—',
          ],
          [
            'Upstash REST: step, 1 tx',
            ms(u.p50),
            ms(u.p99),
            ms(u.mean),
            fmt(u1.roundTripsPerTx, 3),
            `${fmt(u1.redisUsPerCall, 0)} µs`,
            perTx(u1, 1),
            fmt(u1.hashReadsPerTx, 2),
          ],
          [
            `Upstash REST: step, batch of ${BATCH}`,
            ms(ub.p50),
            ms(ub.p99),
            ms(ub.mean),
            fmt(uB.roundTripsPerTx, 3),
            `${fmt(uB.redisUsPerCall, 0)} µs`,
            perTx(uB, BATCH),
            fmt(uB.hashReadsPerTx, 2),
          ],
          [
            'TCP: PING (floor of one request)',
            ms(tcpFloor.p50),
            ms(tcpFloor.p99),
            ms(tcpFloor.mean),
            '—',
            '—',
            '—',
            '—',
          ],
          [
            'TCP: step, 1 tx',
            ms(t.p50),
            ms(t.p99),
            ms(t.mean),
            fmt(t1.roundTripsPerTx, 3),
            `${fmt(t1.redisUsPerCall, 0)} µs`,
            perTx(t1, 1),
            fmt(t1.hashReadsPerTx, 2),
          ],
          [
            `TCP: step, batch of ${BATCH}`,
            ms(tb.p50),
            ms(tb.p99),
            ms(tb.mean),
            fmt(tB.roundTripsPerTx, 3),
            `${fmt(tB.redisUsPerCall, 0)} µs`,
            perTx(tB, BATCH),
            fmt(tB.hashReadsPerTx, 2),
          ],
          [
            `TCP: step, 1 tx, a list of ${BIG_LIST_ITEMS.toLocaleString('en-US')} items`,
            ms(summarize(tBig.lat).p50),
            ms(summarize(tBig.lat).p99),
            ms(summarize(tBig.lat).mean),
            fmt(tBig.roundTripsPerTx, 3),
            `${fmt(tBig.redisUsPerCall, 0)} µs`,
            perTx(tBig, 1),
            fmt(tBig.hashReadsPerTx, 2),
          ],
        ],
      ),
      '',
      `Per transaction in a batch of ${BATCH}: ${ms(ub.p50 / BATCH)} (REST), ${ms(tb.p50 / BATCH)} (TCP) at p50. "Redis time / call" is Redis' own \`usec_per_call\` for EVALSHA (INFO commandstats): the script's cost, which a real Upstash database serialises under its script lock; "Redis time / tx" divides it by the transactions of a call. Every transaction carries a device (9 in 10), an IP and a country, so the script also folds velocity, and 40 list items (10 per kind) are checked; "list hash reads / tx" counts HGETALL calls (one per value the transaction carries, read once per call): the same with ${BIG_LIST_ITEMS.toLocaleString('en-US')} items on a list as with ten, since a check reads the value's own hash, never the list.`,
      '',
    ].join('\n');
  } finally {
    await upstash.close();
    await tcp.close();
    await dropKeys(admin, prefix);
    await admin.close();
    await bridge.close();
    if (!wasRunning) redisSh('stop', String(port));
  }
}

function redisVersion(): string {
  const run = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return /v=([\d.]+)/.exec(run.stdout ?? '')?.[1] ?? '(unknown version)';
}
