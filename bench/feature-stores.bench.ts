/**
 * Latency of the Redis feature stores on loopback: one single-transaction step through the Upstash
 * store → REST bridge (tools/upstash-rest, in this process) → Redis, and through the TCP store;
 * the bare request floor of each path (PING) measured in the same run; the round trips per scored
 * transaction with answers riding along; and Redis' own time per script call.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from '@upstash/redis';
import { createClient } from 'redis';
import type { StoreTransaction } from '@vigil/core';
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

/** Deterministic stream over 2,000 customers and 500 terminals, ~1 minute apart. */
function streamAt(i: number): StoreTransaction {
  const h = Math.imul(i + 1, 2_654_435_761) >>> 0;
  return {
    transactionId: `tx_${i}`,
    customerId: `c_${h % 2_000}`,
    terminalId: `t_${(h >>> 11) % 500}`,
    timeSec: T0 + i * 61,
    amount: ((h >>> 7) % 20_000) / 100,
  };
}

interface Measured {
  lat: Float64Array;
  roundTripsPerTx: number;
  redisUsPerCall: number;
}

async function redisUsPerEvalsha(admin: ReturnType<typeof createClient>): Promise<number> {
  const line = (await admin.info('commandstats'))
    .split('\n')
    .find((l) => l.startsWith('cmdstat_evalsha:'));
  return Number(/usec_per_call=([\d.]+)/.exec(line ?? '')?.[1] ?? NaN);
}

/**
 * `count` steps of `size` transactions after `warmUp` steps, each followed by saveAnswers
 * (buffered, sent with the next step); a single-transaction step must come out fresh.
 */
async function measure(
  store: RemoteFeatureStore,
  admin: ReturnType<typeof createClient>,
  offset: number,
  size: number,
  count: number,
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
    const [o] = await store.step(txs);
    if (s >= 0) lat[s] = performance.now() - t0;
    if (size === 1 && s >= 0 && o?.kind !== 'fresh') {
      throw new Error(`bench: expected a fresh step, got ${o?.kind}`);
    }
    await store.saveAnswers(txs.map((t) => ({ transactionId: t.transactionId, answer: ANSWER })));
  }
  return {
    lat,
    roundTripsPerTx: (store.roundTrips - before) / (count * size),
    redisUsPerCall: await redisUsPerEvalsha(admin),
  };
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
  try {
    const restFloor = await floor(() => sdk.ping());
    const tcpFloor = await floor(() => admin.ping());
    // Separate slices of the stream: each store scores transactions it has not seen.
    const span = WARM_UP + SAMPLES;
    const u1 = await measure(upstash, admin, 0, 1, SAMPLES, WARM_UP);
    const t1 = await measure(tcp, admin, span, 1, SAMPLES, WARM_UP);
    const uB = await measure(upstash, admin, 2 * span, BATCH, BATCHES);
    const tB = await measure(tcp, admin, 2 * span + BATCHES * BATCH, BATCH, BATCHES);
    const ms = (x: number) => `${fmt(x, 3)} ms`;
    const row = (path: string, lat: Float64Array, m?: Measured) => {
      const l = summarize(lat);
      return [path, ms(l.p50), ms(l.p99), ms(l.mean)].concat(
        m ? [fmt(m.roundTripsPerTx, 3), `${fmt(m.redisUsPerCall, 0)} µs`] : ['—', '—'],
      );
    };
    return [
      '## Feature stores (Redis via Upstash REST, Redis via TCP)',
      '',
      `One \`step\` of the edge's feature store: idempotency check, both states read, core's op programs folded in by the Lua script, record written — one script call. Loopback, Redis ${redisVersion()} started by scripts/services/redis.sh; the REST bridge (tools/upstash-rest) runs in a process of its own, like a remote Upstash. ${SAMPLES.toLocaleString('en-US')} steps after ${WARM_UP} warm-up, 2,000 customers × 500 terminals; every fresh step is followed by \`saveAnswers\` (a ${ANSWER.length}-byte answer), which rides along with the next call.`,
      '',
      table(
        ['path', 'p50', 'p99', 'mean', 'round trips / scored tx', 'Redis time / call'],
        [
          row('Upstash REST: PING (floor of one request)', restFloor),
          row('Upstash REST: step, 1 tx', u1.lat, u1),
          row(`Upstash REST: step, batch of ${BATCH}`, uB.lat, uB),
          row('TCP: PING (floor of one request)', tcpFloor),
          row('TCP: step, 1 tx', t1.lat, t1),
          row(`TCP: step, batch of ${BATCH}`, tB.lat, tB),
        ],
      ),
      '',
      `Per transaction in a batch of ${BATCH}: ${ms(summarize(uB.lat).p50 / BATCH)} (REST), ${ms(summarize(tB.lat).p50 / BATCH)} (TCP) at p50. "Redis time / call" is Redis' own \`usec_per_call\` for EVALSHA (INFO commandstats): the script's cost, which a real Upstash database serialises under its script lock.`,
      '',
    ].join('\n');
  } finally {
    await upstash.close();
    await tcp.close();
    await admin.close();
    await bridge.stop();
    if (!wasRunning) await runServiceScript('redis.sh', ['stop', String(port)]);
  }
}

function redisVersion(): string {
  const run = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return /v=([\d.]+)/.exec(run.stdout ?? '')?.[1] ?? '(unknown version)';
}
