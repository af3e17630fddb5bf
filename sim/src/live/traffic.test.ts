import { validateTransaction } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { simulate } from '../generate.js';
import { TrafficGenerator } from './traffic-pool.js';
import { BURST, oneTransaction, planScenario, S1_THRESHOLD } from './traffic-scenarios.js';

const NOW = Date.parse('2026-03-04T15:30:00.250Z');
const DAY = 86_400_000;
const num = (id: string) => Number(id.split('_').at(-1));

describe('TrafficGenerator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = new TrafficGenerator({ seed: 1 }).batch(NOW, 50);
    const b = new TrafficGenerator({ seed: 1 }).batch(NOW, 50);
    const c = new TrafficGenerator({ seed: 2 }).batch(NOW, 50);
    expect(a).toEqual(b);
    expect(a.map((t) => t.customer_id)).not.toEqual(c.map((t) => t.customer_id));
  });

  it('makes valid scoring-API transactions with fresh tx_sim ids, stamped now', () => {
    const g = new TrafficGenerator();
    const txs = g.batch(NOW, 500);
    expect(new Set(txs.map((t) => t.transaction_id)).size).toBe(500);
    for (const t of txs) {
      expect(validateTransaction(t).ok).toBe(true);
      expect(t.transaction_id).toMatch(new RegExp(`^tx_sim_${NOW}_\\d+$`));
      expect(t.timestamp).toBe(new Date(NOW).toISOString());
      expect(Math.round(t.amount * 100) / 100).toBe(t.amount);
      expect(t.amount).toBeGreaterThanOrEqual(0);
    }
  });

  it('draws from a fixed pool, each customer at terminals within its radius', () => {
    const g = new TrafficGenerator({ customers: 5_000, terminals: 10_000 });
    const customers = new Set<number>();
    g.batch(NOW, 3_000).forEach((t, i) => {
      const c = num(t.customer_id);
      const term = num(t.terminal_id);
      customers.add(c);
      expect(c).toBeLessThan(5_000);
      expect(term).toBeLessThan(10_000);
      expect(g.terminalsOf(c).includes(term)).toBe(true);
      if (i < 100) expect(g.customersOf(term)).toContain(c);
    });
    // ~2,300 of 5,000 customers in 3,000 draws (rate-weighted): the pool is used widely.
    expect(customers.size).toBeGreaterThan(1_500);
    // r = 5 on a 100 × 100 grid with 10,000 terminals: π·25 ≈ 78 terminals each on average.
    let total = 0;
    for (let c = 0; c < 200; c++) total += g.terminalsOf(c).length;
    expect(total / 200).toBeGreaterThan(60);
    expect(total / 200).toBeLessThan(95);
  });

  it("draws a customer's amounts around its own mean (handbook profile)", () => {
    const g = new TrafficGenerator();
    let sum = 0;
    for (let i = 0; i < 4_000; i++) sum += g.drawAmount(42);
    // Normal(mean, mean/2) with negatives redrawn U(0, 2·mean): the average stays near the mean.
    expect(sum / 4_000 / g.meanOf(42)).toBeGreaterThan(0.95);
    expect(sum / 4_000 / g.meanOf(42)).toBeLessThan(1.1);
  });
});

describe('fraud scenarios', () => {
  it('S1: a burst of payments above 220, all fraud', () => {
    const p = planScenario(new TrafficGenerator(), 1, NOW);
    expect(p.history).toEqual([]);
    expect(p.burst).toHaveLength(BURST);
    for (const b of p.burst) {
      expect(b.isFraud).toBe(true);
      expect(b.tx.amount).toBeGreaterThan(S1_THRESHOLD);
      expect(b.tx.timestamp).toBe(new Date(NOW).toISOString());
    }
  });

  it('S2: one terminal, frauds 7–13 days back labelled, then a burst on it now', () => {
    const g = new TrafficGenerator();
    const p = planScenario(g, 2, NOW);
    const terminal = p.burst[0]!.tx.terminal_id;
    const today = Math.floor(NOW / DAY);
    expect(p.history.map((h) => today - Math.floor(Date.parse(h.tx.timestamp) / DAY))).toEqual([
      7, 8, 9, 10, 11, 12, 13,
    ]);
    expect(
      [...p.history, ...p.burst].every((x) => x.tx.terminal_id === terminal && x.isFraud),
    ).toBe(true);
    expect(p.labels).toEqual(p.history.map((h) => h.tx.transaction_id));
    expect(p.burst.every((b) => b.tx.timestamp === new Date(NOW).toISOString())).toBe(true);
    // Customers who pay at that terminal anyway: the handbook's compromise is local.
    const t = num(terminal);
    for (const b of p.burst) expect(Array.from(g.terminalsOf(num(b.tx.customer_id)))).toContain(t);
  });

  it('S3: one card, a month of normal history, then a burst where a third are 5×', () => {
    const g = new TrafficGenerator();
    const p = planScenario(g, 3, NOW);
    const card = p.burst[0]!.tx.customer_id;
    expect([...p.history, ...p.burst].every((x) => x.tx.customer_id === card)).toBe(true);
    expect(p.labels).toEqual([]);
    const times = p.history.map((h) => Date.parse(h.tx.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.every((t) => t <= NOW - DAY && t >= NOW - 25 * DAY)).toBe(true);
    expect(p.history.every((h) => !h.isFraud)).toBe(true);
    const frauds = p.burst.filter((b) => b.isFraud);
    expect(frauds).toHaveLength(BURST / 3);
    const mean = g.meanOf(num(card));
    expect(mean).toBeGreaterThanOrEqual(20);
    for (const f of frauds) expect(f.tx.amount).toBeGreaterThan(0);
    const avgFraud = frauds.reduce((s, f) => s + f.tx.amount, 0) / frauds.length;
    const avgHistory = p.history.reduce((s, h) => s + h.tx.amount, 0) / p.history.length;
    expect(avgFraud).toBeGreaterThan(2 * avgHistory);
  });

  it('one transaction: genuine, or a scenario-1 fraud', () => {
    const g = new TrafficGenerator();
    expect(oneTransaction(g, 'normal', NOW).isFraud).toBe(false);
    const f = oneTransaction(g, 'fraud', NOW);
    expect(f.isFraud).toBe(true);
    expect(f.tx.amount).toBeGreaterThan(S1_THRESHOLD);
  });
});

describe('one population', () => {
  it('is the simulated dataset’s: live customers pay where they pay in `simulate` of the same seed', () => {
    const pool = { customers: 300, terminals: 600, seed: 3 };
    const ds = simulate({ ...pool, days: 30 });
    const paidAt = new Map<number, Set<number>>();
    for (let i = 0; i < ds.length; i++) {
      const seen = paidAt.get(ds.customer[i]!) ?? new Set<number>();
      seen.add(ds.terminal[i]!);
      paidAt.set(ds.customer[i]!, seen);
    }
    const g = new TrafficGenerator(pool);
    for (const [c, terminals] of paidAt) {
      const live = new Set(g.terminalsOf(c));
      for (const t of terminals) expect(live.has(t)).toBe(true);
    }
    expect(paidAt.size).toBeGreaterThan(200);
  });
});
