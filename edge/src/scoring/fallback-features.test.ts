import { N_FEATURES, newCustomerState, newTerminalState, stepInPlace } from '@vigil/core';
import type { StoreTransaction } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { fallbackFeatures, inBatchConflicts } from './fallback-features.js';
import { ItemPlan, PLAN } from './item-plan.js';

const tx = (id: string, customer: string, amount = 10): StoreTransaction => ({
  transactionId: id,
  customerId: customer,
  terminalId: 't_1',
  timeSec: 1_700_000_000 + amount,
  amount,
});

describe('fallbackFeatures', () => {
  it('folds the batch from empty states in order, repeats planned as duplicates of the first', () => {
    const txs = [tx('a', 'c_1', 10), tx('b', 'c_1', 20), tx('a', 'c_1', 10)];
    const x = new Float32Array(3 * N_FEATURES);
    const plan = new ItemPlan(3);
    expect(fallbackFeatures(txs, x, plan)).toBe(2);
    expect([0, 1, 2].map((i) => plan.kind(i))).toEqual([PLAN.row, PLAN.row, PLAN.duplicate]);
    expect(plan.firstOf(2)).toBe(0);
    // The same rows core's step writes from empty states, the second seeing the first.
    const want = new Float32Array(2 * N_FEATURES);
    const c = newCustomerState();
    const t = newTerminalState();
    stepInPlace(c, t, txs[0]!, want, 0);
    stepInPlace(c, t, txs[1]!, want, N_FEATURES);
    expect(Array.from(x.subarray(0, 2 * N_FEATURES))).toEqual(Array.from(want));
  });
});

describe('inBatchConflicts', () => {
  it('lists the items that reuse an earlier id with another payload, not exact repeats', () => {
    const txs = [tx('a', 'c_1'), tx('a', 'c_1'), tx('a', 'c_2'), tx('b', 'c_1')];
    expect(inBatchConflicts(txs)).toEqual([2]);
  });
});
