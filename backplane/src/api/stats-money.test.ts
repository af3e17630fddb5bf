import type { MoneyTotals, Stats } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, bearer, insertTransaction, startTestDb, type TestDb } from './test-support.js';

let db: TestDb;
const NOW = new Date('2026-07-01T12:00:00.000Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000);

interface Row {
  id: string;
  s: number;
  decision: 'approve' | 'review' | 'decline';
  amount: number;
  currency: string | null;
  label: 'fraud' | 'legitimate' | null;
  resolution: 'fraud' | 'false_positive' | null;
}
const rows: Row[] = [];

beforeAll(async () => {
  db = await startTestDb();
  const currencies = ['EUR', 'USD', null] as const;
  const decisions = ['approve', 'review', 'decline', 'approve', 'review'] as const;
  // 60 transactions over two hours (the 1h window holds about half), amounts with cents.
  for (let i = 0; i < 60; i++) {
    const decision = decisions[i % 5]!;
    const resolution =
      decision === 'approve' ? null : i % 4 === 0 ? 'fraud' : i % 4 === 1 ? 'false_positive' : null;
    const r: Row = {
      id: `tx_m_${i}`,
      s: i * 120 + 7,
      decision,
      amount: Math.round((i * 37.31 + 0.07) * 100) / 100,
      currency: currencies[i % 3]!,
      label: resolution === 'fraud' || i % 11 === 0 ? 'fraud' : null,
      resolution,
    };
    rows.push(r);
    await insertTransaction(db.sql, {
      transaction_id: r.id,
      ts: ago(r.s),
      scored_at: ago(r.s),
      decision: r.decision,
      amount: r.amount,
      currency: r.currency,
      label: r.label,
    });
    if (r.resolution) {
      await db.sql`UPDATE cases SET status = 'resolved', resolution = ${r.resolution}
                   WHERE transaction_id = ${r.id}`;
    }
  }
}, 60_000);
afterAll(() => db.stop());

async function stats(window: string) {
  const h = apiHarness(db.sql, { now: () => NOW });
  const res = await h.root.request(`/api/stats?window=${window}`, { headers: bearer() });
  return { status: res.status, body: (await res.json()) as Stats };
}

/** The money of the rows scored within `seconds` of now, computed here from the seeds alone. */
function expectedMoney(seconds: number): MoneyTotals[] {
  type Sums = { -readonly [K in keyof MoneyTotals]: MoneyTotals[K] };
  const by = new Map<string | null, Sums>();
  for (const r of rows.filter((x) => x.s <= seconds)) {
    const m: Sums = by.get(r.currency) ?? {
      currency: r.currency,
      approved: 0,
      review: 0,
      declined: 0,
      confirmed_fraud: 0,
      false_positive: 0,
    };
    if (r.decision === 'approve') m.approved += r.amount;
    else if (r.decision === 'review') m.review += r.amount;
    else m.declined += r.amount;
    if (r.label === 'fraud') m.confirmed_fraud += r.amount;
    if (r.resolution === 'false_positive') m.false_positive += r.amount;
    by.set(r.currency, m);
  }
  const cents = (x: number) => Math.round(x * 100) / 100;
  return [...by.values()]
    .map((m) => ({
      currency: m.currency,
      approved: cents(m.approved),
      review: cents(m.review),
      declined: cents(m.declined),
      confirmed_fraud: cents(m.confirmed_fraud),
      false_positive: cents(m.false_positive),
    }))
    .sort((a, b) => b.approved - a.approved);
}

describe('GET /api/stats money and case outcomes', () => {
  it.each([
    ['1h', 3_600],
    ['24h', 86_400],
  ] as const)('totals the %s window per currency as an independent sum does', async (w, s) => {
    const { status, body } = await stats(w);
    expect(status).toBe(200);
    const want = expectedMoney(s);
    expect(want.length).toBe(3);
    expect(body.money).toHaveLength(want.length);
    for (const m of want) {
      const got = body.money.find((x) => x.currency === m.currency)!;
      for (const k of [
        'approved',
        'review',
        'declined',
        'confirmed_fraud',
        'false_positive',
      ] as const) {
        expect(got[k], `${String(m.currency)} ${k}`).toBeCloseTo(m[k], 2);
      }
    }
    expect(body.money.map((m) => m.approved)).toEqual(
      [...body.money.map((m) => m.approved)].sort((a, b) => b - a),
    );
  });

  it('gives the false-positive share of resolved cases and the labelled fraud rate', async () => {
    const { body } = await stats('1h');
    const inWindow = rows.filter((r) => r.s <= 3_600);
    const resolved = inWindow.filter((r) => r.resolution !== null);
    const fp = resolved.filter((r) => r.resolution === 'false_positive');
    expect(resolved.length).toBeGreaterThan(0);
    expect(body.false_positive_share).toBeCloseTo(fp.length / resolved.length, 5);
    const labelled = inWindow.filter((r) => r.label === 'fraud').length / inWindow.length;
    expect(body.labelled_fraud_rate).toBeCloseTo(labelled, 5);
    expect(body.fraud_rate).toBe(body.labelled_fraud_rate);
  });

  it('gives the median age of the open cases now', async () => {
    const open = rows
      .filter((r) => r.decision !== 'approve' && r.resolution === null)
      .map((r) => r.s)
      .sort((a, b) => a - b);
    const mid = open.length / 2;
    const median =
      open.length % 2 === 1 ? open[Math.floor(mid)]! : (open[mid - 1]! + open[mid]!) / 2;
    const { body } = await stats('5m');
    expect(body.open_case_median_age_s).toBe(Math.round(median));
  });

  it('answers null, not 0, for the shares of an empty window', async () => {
    const h = apiHarness(db.sql, { now: () => new Date('2020-01-01T00:00:00Z') });
    const res = await h.root.request('/api/stats?window=5m', { headers: bearer() });
    const body = (await res.json()) as Stats;
    expect(body).toMatchObject({
      transactions: 0,
      labelled_fraud_rate: null,
      false_positive_share: null,
      money: [],
    });
  });
});
