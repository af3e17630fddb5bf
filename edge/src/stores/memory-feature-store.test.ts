import {
  computeFeatures,
  F,
  N_FEATURES,
  newCustomerState,
  newTerminalState,
  type StepOutcome,
  type StoreTransaction,
} from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { createMemoryFeatureStore } from './memory-feature-store.js';
import { verdict } from './test-verdict.js';

const DAY = 86_400;
const T0 = Date.parse('2024-05-01T10:00:00Z') / 1000;

function tx(id: string, dayOffset: number, over: Partial<StoreTransaction> = {}): StoreTransaction {
  return {
    transactionId: id,
    customerId: 'c1',
    terminalId: 't1',
    timeSec: T0 + dayOffset * DAY,
    amount: 10,
    ...over,
  };
}

function features(o: StepOutcome | undefined, t: StoreTransaction): Float32Array {
  if (o?.kind !== 'fresh') throw new Error(`expected a fresh outcome, got ${o?.kind}`);
  const x = new Float32Array(N_FEATURES);
  computeFeatures(o.customer, o.terminal, t, x);
  return x;
}

describe('memory feature store', () => {
  it('processes a batch in order: later items see earlier ones', async () => {
    const s = createMemoryFeatureStore();
    const txs = [tx('a', 0), tx('b', 0, { amount: 30 }), tx('c', 0, { customerId: 'c2' })];
    const out = await s.step(txs);
    expect(features(out[0], txs[0]!)[F.customer_nb_tx_1d]).toBe(1);
    const b = features(out[1], txs[1]!);
    expect(b[F.customer_nb_tx_1d]).toBe(2);
    expect(b[F.customer_avg_amount_1d]).toBe(20);
    expect(b[F.terminal_nb_tx_today]).toBe(2);
    expect(features(out[2], txs[2]!)[F.terminal_nb_tx_today]).toBe(3);
  });

  it('hands out the states before the transaction, as copies', async () => {
    const s = createMemoryFeatureStore();
    const [o] = await s.step([tx('a', 0)]);
    expect(o).toEqual({
      kind: 'fresh',
      customer: newCustomerState(),
      terminal: newTerminalState(),
      velocity: new Float64Array(6),
      lists: [],
    });
    if (o?.kind === 'fresh') o.customer.fill(7);
    const [p] = await s.step([tx('b', 0)]);
    expect(features(p, tx('b', 0))[F.customer_nb_tx_1d]).toBe(2);
  });

  it('answers pending until the answer is saved, then replays the first answer only', async () => {
    const s = createMemoryFeatureStore();
    await s.step([tx('a', 0)]);
    expect(await s.step([tx('a', 0)])).toEqual([{ kind: 'pending' }]);
    await s.saveAnswers([{ transactionId: 'a', answer: 'first' }]);
    await s.saveAnswers([{ transactionId: 'a', answer: 'second' }]);
    expect(await s.step([tx('a', 0), tx('a', 0)])).toEqual([
      { kind: 'replay', answer: 'first' },
      { kind: 'replay', answer: 'first' },
    ]);
    // A replay changes no state: the next transaction sees one earlier transaction only.
    const [n] = await s.step([tx('n', 0)]);
    expect(features(n, tx('n', 0))[F.customer_nb_tx_1d]).toBe(2);
  });

  it('reports a duplicate inside one batch as pending', async () => {
    const s = createMemoryFeatureStore();
    const out = await s.step([tx('a', 0), tx('a', 0)]);
    expect(out.map((o) => o.kind)).toEqual(['fresh', 'pending']);
  });

  it('applies labels all-or-nothing, naming the unknown indexes', async () => {
    const s = createMemoryFeatureStore();
    await s.step([tx('a', 0)]);
    expect(
      await s.label([verdict('a', 'fraud'), verdict('x', 'fraud'), verdict('y', 'legitimate')]),
    ).toEqual({ ok: false, unknown: [1, 2] });
    // Nothing was applied: the fraud label on 'a' is still a change.
    expect(await s.label([verdict('a', 'fraud')])).toEqual({
      ok: true,
      outcomes: ['applied'],
    });
  });

  it('counts a fraud at the terminal on its own day; twice changes nothing; legitimate withdraws', async () => {
    const s = createMemoryFeatureStore();
    await s.step([tx('a', 0), tx('b', 0, { customerId: 'c2' })]);
    const risk = async (id: string) => {
      const probe = tx(id, 7, { customerId: `p_${id}` });
      return features((await s.step([probe]))[0], probe)[F.terminal_risk_1d_delay7];
    };
    expect(await risk('p0')).toBe(0);
    expect(await s.label([verdict('a', 'fraud')])).toEqual({
      ok: true,
      outcomes: ['applied'],
    });
    expect(await risk('p1')).toBe(0.5);
    expect(await s.label([verdict('a', 'fraud'), verdict('b', 'legitimate')])).toEqual({
      ok: true,
      outcomes: ['unchanged', 'applied'],
    });
    expect(await risk('p2')).toBe(0.5);
    expect(await s.label([verdict('a', 'legitimate')])).toEqual({
      ok: true,
      outcomes: ['applied'],
    });
    expect(await risk('p3')).toBe(0);
    expect(await s.label([verdict('a', 'legitimate')])).toEqual({
      ok: true,
      outcomes: ['unchanged'],
    });
  });

  it('drops records and inactive states once they are older than the retention', async () => {
    const s = createMemoryFeatureStore({ retentionDays: 45 });
    await s.step([tx('old', 0, { customerId: 'gone', terminalId: 'gone' })]);
    await s.saveAnswers([{ transactionId: 'old', answer: 'x' }]);
    await s.step([tx('mid', 40, { customerId: 'kept', terminalId: 'kept' })]);
    expect(s.stats()).toMatchObject({ customers: 2, terminals: 2, records: 2 });
    // Day 46: day 0 is now more than 45 days behind the newest event.
    await s.step([tx('new', 46, { customerId: 'other', terminalId: 'other' })]);
    expect(s.stats()).toMatchObject({ customers: 2, terminals: 2, records: 2 });
    expect(await s.label([verdict('old', 'fraud')])).toEqual({
      ok: false,
      unknown: [0],
    });
    // An expired id is new again, and the dropped states read exactly as the empty ones would.
    const again = tx('old', 46, { customerId: 'gone', terminalId: 'gone' });
    const [o] = await s.step([again]);
    const fromEmpty = new Float32Array(N_FEATURES);
    computeFeatures(newCustomerState(), newTerminalState(), again, fromEmpty);
    expect(features(o, again)).toEqual(fromEmpty);
  });

  it('rejects a retention shorter than the features reach', () => {
    expect(() => createMemoryFeatureStore({ retentionDays: 30 })).toThrow(/retentionDays/);
  });
});
