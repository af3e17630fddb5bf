// The store's step within its deadline, with stores written for the test: every way a step can
// fail is an outcome, never a throw.
import type { FeatureStore, StepOutcome, StoreTransaction } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { createMemoryFeatureStore } from '../stores/memory-feature-store.js';
import { stepWithin } from './store-step.js';

const tx = (id: string): StoreTransaction => ({
  transactionId: id,
  customerId: 'c_1',
  terminalId: 't_1',
  timeSec: 1_700_000_000,
  amount: 12.5,
});

function storeWith(step: FeatureStore['step']): FeatureStore {
  const inner = createMemoryFeatureStore();
  return {
    step,
    saveAnswers: (a) => inner.saveAnswers(a),
    label: (l) => inner.label(l),
    applyListChanges: (c, k) => inner.applyListChanges(c, k),
    listCursor: () => inner.listCursor(),
    close: () => inner.close(),
  };
}

describe('stepWithin', () => {
  it("passes the store's outcomes through", async () => {
    const r = await stepWithin(createMemoryFeatureStore(), [tx('a'), tx('b')], 1_000);
    expect(r.ok && r.outcomes.map((o) => o.kind)).toEqual(['fresh', 'fresh']);
  });

  it('turns a step that throws, rejects or miscounts into store_error', async () => {
    const throws = storeWith(() => {
      throw new Error('sync');
    });
    const rejects = storeWith(() => Promise.reject(new Error('async')));
    const short = storeWith(() => Promise.resolve([] as StepOutcome[]));
    for (const store of [throws, rejects, short]) {
      const r = await stepWithin(store, [tx('a')], 1_000);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.cause).toBe('store_error');
      expect(!r.ok && r.late).toBeNull();
    }
  });

  it('turns a step that never answers into store_timeout, handing the step over as late', async () => {
    const never = new Promise<StepOutcome[]>(() => {});
    const r = await stepWithin(
      storeWith(() => never),
      [tx('a')],
      1,
    );
    expect(!r.ok && r.cause).toBe('store_timeout');
    expect(!r.ok && r.late).toBe(never);
  });
});
