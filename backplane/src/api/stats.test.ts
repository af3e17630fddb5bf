import type { Stats } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, bearer, insertTransaction, startTestDb, type TestDb } from './test-support.js';

let db: TestDb;
const NOW = new Date('2026-03-01T12:00:00.000Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000);

beforeAll(async () => {
  db = await startTestDb();
  const rows = [
    { s: 10, decision: 'approve', score: 0.01, latency_ms: 1 },
    { s: 20, decision: 'review', score: 0.55, latency_ms: 2 },
    { s: 100, decision: 'decline', score: 0.97, latency_ms: 3, label: 'fraud' },
    { s: 299, decision: 'approve', score: 0.049, latency_ms: 4 },
    { s: 30 * 60, decision: 'approve', score: 0.5, latency_ms: 10 },
    { s: 59 * 60, decision: 'review', score: 0.6, latency_ms: 20, label: 'legitimate' },
    { s: 2 * 86_400, decision: 'approve', score: 0.2, latency_ms: 5 },
    { s: 30 * 86_400, decision: 'decline', score: 1, latency_ms: 6 },
  ] as const;
  let i = 0;
  for (const r of rows) {
    await insertTransaction(db.sql, {
      transaction_id: `tx_s_${i++}`,
      ts: ago(r.s),
      scored_at: ago(r.s),
      decision: r.decision,
      score: r.score,
      latency_ms: r.latency_ms,
      label: 'label' in r ? r.label : null,
    });
  }
  // One of the four cases is resolved: three are open.
  await db.sql`UPDATE cases SET status = 'resolved', resolution = 'fraud' WHERE transaction_id = 'tx_s_2'`;
}, 60_000);
afterAll(() => db.stop());

async function stats(window: string, now = NOW, statsCacheMs = 0) {
  const h = apiHarness(db.sql, { now: () => now, statsCacheMs });
  const res = await h.root.request(`/api/stats?window=${window}`, { headers: bearer() });
  return { status: res.status, body: (await res.json()) as Stats };
}

describe('GET /api/stats', () => {
  it('aggregates the last 5 minutes', async () => {
    const { status, body } = await stats('5m');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      window: '5m',
      from: ago(300).toISOString(),
      to: NOW.toISOString(),
      transactions: 4,
      tps: 0.013,
      decisions: { approve: 2, review: 1, decline: 1 },
      fraud_rate: 0.25,
      latency_ms: { p50: 2.5, p99: 3.97 },
      consumer_lag: 3,
      open_cases: 3,
    });
    const hist = new Array<number>(20).fill(0);
    hist[0] = 2;
    hist[11] = 1;
    hist[19] = 1;
    expect(body.score_histogram).toEqual(hist);
    expect(body.series).toHaveLength(60);
    expect(body.series[0]!.t).toBe(ago(300).toISOString());
    expect(body.series[1]!.t).toBe(ago(295).toISOString());
    // 10 s ago is bucket 58 of 5-second buckets; 20 s ago 56; 100 s ago 40; 299 s ago 0.
    expect(body.series[58]).toMatchObject({
      approve: 1,
      review: 0,
      decline: 0,
      p50_ms: 1,
      p99_ms: 1,
    });
    expect(body.series[56]).toMatchObject({ review: 1, p50_ms: 2 });
    expect(body.series[40]).toMatchObject({ decline: 1, p99_ms: 3 });
    expect(body.series[0]).toMatchObject({ approve: 1, p50_ms: 4 });
    const busy = body.series.filter((b) => b.approve + b.review + b.decline > 0);
    expect(busy).toHaveLength(4);
  });

  it('widens with the window', async () => {
    expect((await stats('1h')).body).toMatchObject({
      transactions: 6,
      decisions: { approve: 3, review: 2, decline: 1 },
      fraud_rate: 0.166667,
    });
    expect((await stats('24h')).body.transactions).toBe(6);
    expect((await stats('7d')).body.transactions).toBe(7);
  });

  it("'all' runs from the first decision to the last", async () => {
    const { body } = await stats('all');
    expect(body).toMatchObject({
      window: 'all',
      from: ago(30 * 86_400).toISOString(),
      to: ago(10).toISOString(),
      transactions: 8,
    });
    expect(body.tps).toBeCloseTo(8 / (30 * 86_400 - 10), 3);
    expect(body.series[0]!.decline).toBe(1);
    expect(body.series[59]!.approve + body.series[59]!.review + body.series[59]!.decline).toBe(6);
  });

  it('answers an empty window with zeros', async () => {
    const { body } = await stats('5m', new Date('2030-01-01T00:00:00Z'));
    expect(body).toMatchObject({
      transactions: 0,
      tps: 0,
      fraud_rate: 0,
      latency_ms: { p50: 0, p99: 0 },
      decisions: { approve: 0, review: 0, decline: 0 },
    });
    expect(body.series.every((b) => b.approve === 0 && b.p99_ms === 0)).toBe(true);
    expect(body.score_histogram.every((n) => n === 0)).toBe(true);
  });

  it('refuses an unknown window with a 400 naming it', async () => {
    const { status, body } = await stats('2h');
    expect(status).toBe(400);
    expect((body as unknown as { errors: { path: string }[] }).errors[0]!.path).toBe('/window');
  });

  it('reuses an answer within the cache time, with the current consumer lag', async () => {
    let lag = 1;
    const h = apiHarness(db.sql, { now: () => NOW, statsCacheMs: 60_000, consumerLag: () => lag });
    const get = async () =>
      (await (await h.root.request('/api/stats?window=5m', { headers: bearer() })).json()) as Stats;
    const a = await get();
    await insertTransaction(db.sql, { transaction_id: 'tx_s_late', scored_at: ago(1), ts: ago(1) });
    lag = 9;
    const b = await get();
    expect(b.transactions).toBe(a.transactions);
    expect(b.consumer_lag).toBe(9);
    await db.sql`DELETE FROM transactions WHERE transaction_id = 'tx_s_late'`;
  });
});

describe('GET /api/stats on 100k decisions', () => {
  it('stays fast and exact', async () => {
    const far = new Date('2031-01-01T00:00:00Z');
    // 100,000 decisions, one every 6 s over ~6.9 days before `far`.
    await db.sql`
      INSERT INTO transactions (transaction_id, event_id, ts, customer_id, terminal_id, amount,
        currency, score, decision, reasons, features, model_version, degraded, scored_at, runtime,
        latency_ms, label)
      SELECT 'tx_p_' || g, 'dec:tx_p_' || g, ${far}::timestamptz - g * interval '6 seconds',
        'c_' || (g % 5000), 't_' || (g % 10000), 10, 'EUR', (g % 1000) / 1000.0,
        CASE WHEN g % 100 = 0 THEN 'decline' WHEN g % 10 = 0 THEN 'review' ELSE 'approve' END,
        '[]', '{}', 'gbdt-test', false, ${far}::timestamptz - g * interval '6 seconds', 'node',
        (g % 50) / 10.0, CASE WHEN g % 200 = 0 THEN 'fraud' END
      FROM generate_series(1, 100000) AS g`;
    await db.sql`ANALYZE transactions`;
    const t0 = performance.now();
    const { status, body } = await stats('7d', far);
    const ms = performance.now() - t0;
    expect(status).toBe(200);
    expect(body.transactions).toBe(100_000);
    expect(body.decisions).toEqual({ approve: 90_000, review: 9_000, decline: 1_000 });
    expect(body.fraud_rate).toBe(0.005);
    expect(body.score_histogram.reduce((a, b) => a + b, 0)).toBe(100_000);
    expect(body.score_histogram[0]).toBe(5_000);
    expect(body.latency_ms.p50).toBeCloseTo(2.45, 2);
    // Generous: PGlite is WASM Postgres on a shared 2-core machine; native Postgres is faster.
    expect(ms).toBeLessThan(5_000);
  });
});
