// The scoring service's deadline on the store's step, with a store written for the test whose step
// answers when the test says (or never) and fake timers: what is asserted is which side of the
// deadline an answer falls on, never how fast anything ran.
import {
  featureDeadlineMs,
  N_FEATURES,
  predictProbability,
  type FeatureStore,
  type Scorer,
  type StepOutcome,
  type Transaction,
} from '@vigil/core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMemoryFeatureStore } from '../stores/memory-feature-store.js';
import { ScoringService, type DegradedCause, type ScoringObserver } from './scoring-service.js';
import { loadTestModel, type TestModel } from './test-model-files.js';

const TIMEOUT_MS = 30;
let model: TestModel;
beforeAll(async () => {
  model = await loadTestModel();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A memory store whose step is held until `release()`; never released = a store that stalls. */
function heldStore() {
  const inner = createMemoryFeatureStore();
  let release: () => void = () => {};
  const store: FeatureStore = {
    step: (txs) =>
      new Promise<StepOutcome[]>((resolve, reject) => {
        release = () => void inner.step(txs).then(resolve, reject);
      }),
    saveAnswers: (a) => inner.saveAnswers(a),
    label: (l) => inner.label(l),
    close: () => inner.close(),
  };
  return { store, release: () => release() };
}

function service(store: FeatureStore) {
  const degraded: { cause: DegradedCause; error: unknown }[] = [];
  const observer: ScoringObserver = {
    decided: () => {},
    replayed: () => {},
    pending: () => {},
    conflicted: () => {},
    degraded: (cause, error) => degraded.push({ cause, error }),
    answerSaveFailed: (e) => {
      throw e;
    },
    sinkFailed: (e) => {
      throw e;
    },
  };
  // The trees as the scorer: no ONNX session (and its own timers) under fake timers.
  const scorer: Scorer = {
    version: model.metadata.version,
    score: (x, rows, out) => {
      for (let k = 0; k < rows; k++) out[k] = predictProbability(model.ensemble, x, k * N_FEATURES);
      return Promise.resolve();
    },
  };
  const scoring = new ScoringService({
    store,
    scorer,
    ensemble: model.ensemble,
    thresholds: model.metadata.thresholds,
    featureTimeoutMs: TIMEOUT_MS,
    observer,
    runtime: 'node',
    maxBatch: 1_000,
  });
  return { scoring, degraded };
}

/** n transactions of 20 customers at 10 terminals, a minute apart. */
function batch(n: number, run: string): Transaction[] {
  return Array.from({ length: n }, (_, i) => ({
    transaction_id: `${run}_${i}`,
    timestamp: new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString(),
    customer_id: `c_${i % 20}`,
    terminal_id: `t_${i % 10}`,
    amount: 10 + (i % 97),
  }));
}

function degradedFlags(answers: readonly string[]): boolean[] {
  return answers.map((a) => (JSON.parse(a) as { degraded: boolean }).degraded);
}

describe('ScoringService: the store deadline scales with the batch', () => {
  const limit = featureDeadlineMs(TIMEOUT_MS, 1_000);

  it('scores a 1,000-item batch from its features when the step answers within the scaled deadline', async () => {
    expect(limit).toBeGreaterThan(TIMEOUT_MS);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store, release } = heldStore();
    const { scoring, degraded } = service(store);
    const result = scoring.score(batch(1_000, 'in_time'));
    // Past the flat single-item limit, short of the batch's.
    await vi.advanceTimersByTimeAsync(limit - 1);
    release();
    const r = await result;
    expect(r.kind).toBe('answered');
    if (r.kind !== 'answered') return;
    expect(degradedFlags(r.answers)).toEqual(new Array<boolean>(1_000).fill(false));
    expect(degraded).toEqual([]);
  });

  it('still degrades a batch whose store stalls, at the scaled deadline and not before', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store } = heldStore();
    const { scoring, degraded } = service(store);
    let settled = false;
    const result = scoring.score(batch(1_000, 'stalled')).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(limit - 1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const r = await result;
    expect(r.kind).toBe('answered');
    if (r.kind !== 'answered') return;
    expect(degradedFlags(r.answers)).toEqual(new Array<boolean>(1_000).fill(true));
    expect(degraded.map((d) => d.cause)).toEqual(['store_timeout']);
    expect(String((degraded[0]!.error as Error).message)).toContain(`within ${limit} ms`);
  });

  it('gives a single transaction the flat limit', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store } = heldStore();
    const { scoring, degraded } = service(store);
    const result = scoring.score(batch(1, 'single'));
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS);
    const r = await result;
    expect(r.kind === 'answered' && degradedFlags(r.answers)).toEqual([true]);
    expect(String((degraded[0]!.error as Error).message)).toContain(`within ${TIMEOUT_MS} ms`);
  });
});
