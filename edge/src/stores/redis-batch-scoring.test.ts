// A 1,000-transaction batch through the Node edge with features in a real Redis (started by the
// 'edge-stores' globalSetup), at the default VIGIL_FEATURE_TIMEOUT_MS: every item is scored from
// its features, exactly as the in-memory edge scores the same batch (issue 13: a flat 30 ms
// deadline on the whole batch degraded every item).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startNodeEdge, type NodeEdge } from '../runtime/node/main.js';

const KEY = 'redis-batch-test-key-0123456789';
let redis: NodeEdge;
let memory: NodeEdge;

beforeAll(async () => {
  // No VIGIL_FEATURE_TIMEOUT_MS: the default is what is under test.
  redis = await startNodeEdge(
    { PORT: '0', VIGIL_API_KEYS: KEY, REDIS_URL: inject('redisUrl') },
    { log: () => {} },
  );
  memory = await startNodeEdge({ PORT: '0', VIGIL_API_KEYS: KEY }, { log: () => {} });
}, 60_000);
afterAll(async () => {
  await redis?.close();
  await memory?.close();
});

interface Answer {
  transaction_id: string;
  score: number;
  degraded: boolean;
  replayed: boolean;
}

async function scoreBatch(edge: NodeEdge, transactions: unknown[]): Promise<Answer[]> {
  const r = await fetch(new URL('/v1/score/batch', edge.server.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ transactions }),
  });
  expect(r.status, await r.clone().text()).toBe(200);
  return ((await r.json()) as { results: Answer[] }).results;
}

/** n transactions of 40 customers at 25 terminals over ~3 days: later items have history. */
function batch(n: number, run: string) {
  return Array.from({ length: n }, (_, i) => ({
    transaction_id: `${run}_tx_${i}`,
    timestamp: new Date(Date.UTC(2026, 0, 10) + i * 257_000).toISOString(),
    customer_id: `${run}_c_${i % 40}`,
    terminal_id: `${run}_t_${(i * 7) % 25}`,
    amount: Math.round((5 + ((i * 37) % 400) + (i % 3) * 0.25) * 100) / 100,
  }));
}

describe('a 1,000-item batch on Redis over TCP at the default feature timeout', () => {
  it('is scored from its features: no item degraded, the in-memory edge’s scores', async () => {
    const run = `rb${Date.now().toString(36)}`;
    // The first call of a fresh Redis loads the script (NOSCRIPT, then EVAL): once per server,
    // not per batch, so it is done before the batch under test.
    const [warm] = await scoreBatch(redis, batch(1, `${run}w`));
    expect(warm?.degraded).toBe(false);

    const txs = batch(1_000, run);
    const fromRedis = await scoreBatch(redis, txs);
    const fromMemory = await scoreBatch(memory, txs);
    expect(fromRedis).toHaveLength(1_000);
    expect(fromRedis.filter((a) => a.degraded).map((a) => a.transaction_id)).toEqual([]);
    expect(fromMemory.filter((a) => a.degraded)).toEqual([]);
    let maxDiff = 0;
    for (let i = 0; i < txs.length; i++) {
      expect(fromRedis[i]!.transaction_id).toBe(txs[i]!.transaction_id);
      maxDiff = Math.max(maxDiff, Math.abs(fromRedis[i]!.score - fromMemory[i]!.score));
    }
    expect(maxDiff).toBeLessThan(1e-5);
    // Histories were read: the batch's scores are not all the first-sight score.
    expect(new Set(fromRedis.map((a) => a.score.toFixed(6))).size).toBeGreaterThan(10);
  }, 60_000);
});
