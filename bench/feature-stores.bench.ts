/**
 * Latency of the Redis feature stores on loopback: one single-transaction step through the Upstash
 * store → REST bridge (tools/upstash-rest, in a process of its own) → Redis, and through the TCP
 * store; the bare request floor of each path (PING) measured in the same run; the round trips per
 * scored transaction with answers riding along; and Redis' own time per script call and per
 * transaction. Transactions carry a device, an IP and a country (velocity), lists hold items, and
 * the steps read the list kinds and keep the velocity states of the built-in ruleset, as an edge
 * does (issue 15); TCP runs read every kind and keep every state (the full cost), and a last one
 * puts a million items on one list and counts the hash reads per transaction.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from '@upstash/redis';
import { createClient } from 'redis';
import {
  compileRuleset,
  type ListChange,
  type StepOptions,
  type StoreTransaction,
} from '@vigil/core';
import type { RemoteFeatureStore } from '../edge/src/stores/redis-feature-store.js';
import { createRedisTcpFeatureStore } from '../edge/src/stores/redis-tcp-feature-store.js';
import { createUpstashFeatureStore } from '../edge/src/stores/upstash-feature-store.js';
import { runServiceScript } from '../scripts/services/service-script.js';
import { startScript } from './child-process.js';
import { fmt, summarize, table } from './stats.js';

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

/**
 * The step options of an edge under the built-in ruleset (backplane migration 006: blocked and
 * allowed cards, blocked terminals), as core compiles them: the list kinds it reads and the
 * velocity states it keeps (none: no built-in rule reads velocity).
 */
function builtInStepOptions(): StepOptions {
  const rule = (id: string, list: string, field: string, action: 'block' | 'allow') => ({
    id,
    name: id,
    description: '',
    expression: `in_list("${list}", tx.${field})`,
    action,
    mode: 'active' as const,
  });
  const r = compileRuleset(
    {
      version: 1,
      rules: [
        rule('block_listed_customers', 'blocked_customers', 'customer_id', 'block'),
        rule('block_listed_terminals', 'blocked_terminals', 'terminal_id', 'block'),
        rule('allow_listed_customers', 'allowed_customers', 'customer_id', 'allow'),
      ],
    },
    [
      { name: 'blocked_customers', kind: 'customer_id' },
      { name: 'blocked_terminals', kind: 'terminal_id' },
      { name: 'allowed_customers', kind: 'customer_id' },
    ],
  );
  if (!r.ok)
    throw new Error(`bench: the built-in rules do not compile: ${JSON.stringify(r.errors)}`);
  return { listKinds: r.compiled.listKinds, velocity: r.compiled.velocityStates };
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

/**
 * `count` steps of `size` transactions after `warmUp` steps, with `options`, each followed by
 * saveAnswers (buffered, sent with the next step); a single-transaction step must come out fresh.
 */
async function measure(
  store: RemoteFeatureStore,
  admin: ReturnType<typeof createClient>,
  offset: number,
  size: number,
  count: number,
  options: StepOptions,
  warmUp = 0,
): Promise<Measured> {
  const lat = new Float64Array(count);
  let before = 0;
  for (let s = -warmUp; s < count; s++) {
    if (s === 0) {
      await admin.configResetStat();
      before = store.roundTrips;
    }
    const start = offset + (s + warmUp) * size;
    const txs = Array.from({ length: size }, (_, i) => streamAt(start + i));
    const t0 = performance.now();
    const [o] = await store.step(txs, options);
    if (s >= 0) lat[s] = performance.now() - t0;
    if (size === 1 && s >= 0 && o?.kind !== 'fresh') {
      throw new Error(`bench: expected a fresh step, got ${o?.kind}`);
    }
    await store.saveAnswers(txs.map((t) => ({ transactionId: t.transactionId, answer: ANSWER })));
  }
  return {
    lat,
    roundTripsPerTx: (store.roundTrips - before) / (count * size),
    redisUsPerCall: (await commandStat(admin, 'evalsha')).usecPerCall,
    hashReadsPerTx: (await commandStat(admin, 'hgetall')).calls / (count * size),
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
export async function benchFeatureStores(): Promise<string> {
  const port = Number(process.env['VIGIL_BENCH_REDIS_PORT'] ?? 6394);
  const wasRunning = (await runServiceScript('redis.sh', ['status', String(port)])).ok;
  const start = await runServiceScript('redis.sh', ['start', String(port)]);
  if (!start.ok) {
    throw new Error(
      `bench: the feature-store section needs a real Redis on 127.0.0.1:${port}: ${start.output}\n` +
        '(install it with `bash scripts/services/redis.sh install`)',
    );
  }
  const redisUrl = `redis://127.0.0.1:${port}`;
  const token = randomUUID();
  const prefix = `bench:${randomUUID()}:`;
  // The REST bridge in a process of its own, as a real deployment has it (Upstash is another
  // machine): in the benchmark's process it would share a core with the client being measured.
  const bridge = await startScript('tools/upstash-rest/src/main.ts', {
    env: { REDIS_URL: redisUrl, UPSTASH_REST_TOKEN: token },
    portVariable: 'UPSTASH_REST_PORT',
    healthPath: '/',
    healthInit: { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '["PING"]' },
    timeoutSeconds: 30,
  });
  const admin = createClient({ url: redisUrl });
  await admin.connect();
  const sdk = new Redis({ url: bridge.url, token, enableAutoPipelining: false, retry: false });
  // Timeouts far above anything measured: a slow sample is measured, not turned into an error.
  const upstash = createUpstashFeatureStore({ url: bridge.url, token, prefix, timeoutMs: 10_000 });
  const tcp = await createRedisTcpFeatureStore({ url: redisUrl, prefix, timeoutMs: 10_000 });
  const builtIn = builtInStepOptions();
  // Every list kind read, every velocity state kept: the step's full cost.
  const all: StepOptions = {};
  try {
    await tcp.applyListChanges(smallLists());
    const restFloor = await floor(() => sdk.ping());
    const tcpFloor = await floor(() => admin.ping());
    // Separate slices of the stream: each store scores transactions it has not seen.
    const span = WARM_UP + SAMPLES;
    const batches = BATCHES * BATCH;
    const u1 = await measure(upstash, admin, 0, 1, SAMPLES, builtIn, WARM_UP);
    const t1 = await measure(tcp, admin, span, 1, SAMPLES, builtIn, WARM_UP);
    const uB = await measure(upstash, admin, 2 * span, BATCH, BATCHES, builtIn);
    const tB = await measure(tcp, admin, 2 * span + batches, BATCH, BATCHES, builtIn);
    const tAll = await measure(tcp, admin, 2 * span + 2 * batches, 1, SAMPLES, all, WARM_UP);
    const tAllB = await measure(tcp, admin, 3 * span + 2 * batches, BATCH, BATCHES, all);
    // The same single steps again with a million-item list: the hash reads per transaction.
    await loadBigList(admin, prefix, BIG_LIST_ITEMS);
    const tBig = await measure(tcp, admin, 3 * span + 3 * batches, 1, SAMPLES, builtIn, WARM_UP);
    const ms = (x: number) => `${fmt(x, 3)} ms`;
    const row = (path: string, lat: Float64Array, m?: Measured, perCall = 1) => {
      const l = summarize(lat);
      return [path, ms(l.p50), ms(l.p99), ms(l.mean)].concat(
        m
          ? [
              fmt(m.roundTripsPerTx, 3),
              `${fmt(m.redisUsPerCall, 0)} µs`,
              `${fmt(m.redisUsPerCall / perCall, 1)} µs`,
              fmt(m.hashReadsPerTx, 2),
            ]
          : ['—', '—', '—', '—'],
      );
    };
    const items = BIG_LIST_ITEMS.toLocaleString('en-US');
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
          row('Upstash REST: PING (floor of one request)', restFloor),
          row('Upstash REST: step, 1 tx', u1.lat, u1),
          row(`Upstash REST: step, batch of ${BATCH}`, uB.lat, uB, BATCH),
          row('TCP: PING (floor of one request)', tcpFloor),
          row('TCP: step, 1 tx', t1.lat, t1),
          row(`TCP: step, batch of ${BATCH}`, tB.lat, tB, BATCH),
          row('TCP: step, 1 tx, every list kind and velocity state', tAll.lat, tAll),
          row(
            `TCP: step, batch of ${BATCH}, every list kind and velocity state`,
            tAllB.lat,
            tAllB,
            BATCH,
          ),
          row(`TCP: step, 1 tx, a list of ${items} items`, tBig.lat, tBig),
        ],
      ),
      '',
      `Per transaction in a batch of ${BATCH}: ${ms(summarize(uB.lat).p50 / BATCH)} (REST), ${ms(summarize(tB.lat).p50 / BATCH)} (TCP) at p50. "Redis time / call" is Redis' own \`usec_per_call\` for EVALSHA (INFO commandstats): the script's cost, which a real Upstash database serialises under its script lock; "Redis time / tx" divides it by the transactions of a call. Every transaction carries a device (9 in 10), an IP and a country, and 40 list items (10 per kind) are there to check. The steps read the list kinds and keep the velocity states of the built-in ruleset (lists: ${builtIn.listKinds?.join(', ')}; velocity: ${builtIn.velocity?.join(', ') || 'none'}), as an edge does those of the ruleset in force: a velocity state no rule reads is neither read nor written. The rows "every list kind and velocity state" read all five kinds and fold the device's, the IP's and the card's velocity state: the step's full cost. "list hash reads / tx" counts HGETALL calls (one per value of a kind read, read once per call): the same with ${items} items on a list as with ten, since a check reads the value's own hash, never the list.`,
      '',
    ].join('\n');
  } finally {
    await upstash.close();
    await tcp.close();
    await dropKeys(admin, prefix);
    await admin.close();
    await bridge.stop();
    if (!wasRunning) await runServiceScript('redis.sh', ['stop', String(port)]);
  }
}

function redisVersion(): string {
  const run = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return /v=([\d.]+)/.exec(run.stdout ?? '')?.[1] ?? '(unknown version)';
}
