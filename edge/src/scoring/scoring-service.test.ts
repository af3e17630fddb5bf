// The scoring service without HTTP. Its deadline on the store's step, with a store written for the
// test whose step answers when the test says (or never) and fake timers: what is asserted is which
// side of the deadline an answer falls on, never how fast anything ran. Then what each item of a
// call gets (scored, replayed, a repeat, refused), over the real memory store.
import {
  compileRuleset,
  featureDeadlineMs,
  N_FEATURES,
  predictProbability,
  type EventSink,
  type FeatureStore,
  type ScoreAnswer,
  type Scorer,
  type StepOptions,
  type StepOutcome,
  type Transaction,
  type VigilEvent,
} from '@vigil/core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMemoryFeatureStore } from '../stores/memory-feature-store.js';
import {
  ScoringService,
  type DegradedCause,
  type RulesSource,
  type ScoreResult,
  type ScoringObserver,
} from './scoring-service.js';
import { fixedModels } from './served-models.js';
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
    applyListChanges: (c, k) => inner.applyListChanges(c, k),
    listCursor: () => inner.listCursor(),
    close: () => inner.close(),
  };
  return { store, release: () => release() };
}

/** An observer that records what it is told; failures to save or emit fail the test. */
function recordingObserver() {
  const seen = {
    replayed: 0,
    conflicted: 0,
    degraded: [] as { cause: DegradedCause; error: unknown }[],
    rulesFailed: [] as string[],
  };
  const observer: ScoringObserver = {
    decided: () => {},
    replayed: () => void seen.replayed++,
    pending: () => {},
    conflicted: () => void seen.conflicted++,
    degraded: (cause, error) => void seen.degraded.push({ cause, error }),
    answerSaveFailed: (e) => {
      throw e;
    },
    sinkFailed: (e) => {
      throw e;
    },
    rulesFailed: (ids) => void seen.rulesFailed.push(...ids),
  };
  return { observer, seen };
}

function service(store: FeatureStore) {
  const { observer, seen } = recordingObserver();
  const degraded = seen.degraded;
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
    models: fixedModels({
      metadata: model.metadata,
      ensemble: model.ensemble,
      scorer,
      sha256: null,
    }),
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

/** A service over a real memory store, a recording sink, and a scorer that may fail. */
function planned(
  options: { scorerFails?: boolean; store?: FeatureStore; rules?: RulesSource } = {},
) {
  const store = options.store ?? createMemoryFeatureStore();
  const events: VigilEvent[] = [];
  const { observer, seen } = recordingObserver();
  const scorer: Scorer = {
    version: model.metadata.version,
    score: (x, rows, out) => {
      if (options.scorerFails) return Promise.reject(new Error('no session'));
      for (let k = 0; k < rows; k++) out[k] = predictProbability(model.ensemble, x, k * N_FEATURES);
      return Promise.resolve();
    },
  };
  const sink: EventSink = { emit: (e) => void events.push(...e) };
  const scoring = new ScoringService({
    store,
    models: fixedModels({
      metadata: model.metadata,
      ensemble: model.ensemble,
      scorer,
      sha256: null,
    }),
    featureTimeoutMs: 1_000,
    sink,
    observer,
    runtime: 'node',
    maxBatch: 10,
    ...(options.rules ? { rules: options.rules } : {}),
  });
  // The events are built in a macrotask after the answers; the saves are background promises.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { scoring, events, seen, settle };
}

const parsed = (r: ScoreResult) => {
  if (r.kind !== 'answered') throw new Error(`expected answers, got ${r.kind}`);
  return r.answers.map((a) => JSON.parse(a) as ScoreAnswer);
};

describe('ScoringService: what each item gets', () => {
  it('replays a transaction seen before, with its first answer, and emits one decision', async () => {
    const { scoring, events, seen, settle } = planned();
    const [tx] = batch(1, 'again');
    const first = parsed(await scoring.score([tx!]));
    await settle();
    const second = parsed(await scoring.score([tx!]));
    await settle();
    expect(first[0]!.replayed).toBe(false);
    expect(second[0]).toEqual({ ...first[0], replayed: true });
    expect(seen.replayed).toBe(1);
    expect(events.map((e) => e.type === 'decision' && e.transaction.transaction_id)).toEqual([
      'again_0',
    ]);
  });

  it('answers a repeat inside one batch as a replay of the first item', async () => {
    const { scoring, events, settle } = planned();
    const [tx] = batch(1, 'twice');
    const answers = parsed(await scoring.score([tx!, tx!]));
    await settle();
    expect(answers[1]).toEqual({ ...answers[0], replayed: true });
    expect(events).toHaveLength(1);
  });

  it('refuses a batch that reuses an id with another payload, scoring none of it', async () => {
    const { scoring, events, seen, settle } = planned();
    const [tx] = batch(1, 'reused');
    const r = await scoring.score([tx!, { ...tx!, amount: tx!.amount + 1 }]);
    await settle();
    expect(r.kind).toBe('conflict');
    expect(r.kind === 'conflict' && r.indexes).toEqual([1]);
    expect(seen.conflicted).toBe(1);
    expect(events).toEqual([]);
  });

  it("answers degraded from the trees when the model fails: the trees' own probabilities", async () => {
    const { scoring, seen } = planned({ scorerFails: true });
    const healthy = planned();
    const txs = batch(3, 'model');
    const degraded = parsed(await scoring.score(txs));
    const normal = parsed(await healthy.scoring.score(txs));
    expect(seen.degraded.map((d) => d.cause)).toEqual(['model_error']);
    expect(degraded.map((a) => a.degraded)).toEqual([true, true, true]);
    expect(degraded.map((a) => a.score)).toEqual(normal.map((a) => a.score));
  });

  it('answers from fallback features when the store fails, repeats still replayed', async () => {
    const inner = createMemoryFeatureStore();
    const failing: FeatureStore = {
      step: () => Promise.reject(new Error('store down')),
      saveAnswers: (a) => inner.saveAnswers(a),
      label: (l) => inner.label(l),
      applyListChanges: (c, k) => inner.applyListChanges(c, k),
      listCursor: () => inner.listCursor(),
      close: () => inner.close(),
    };
    const { scoring, seen, events, settle } = planned({ store: failing });
    const [a, b] = batch(2, 'down');
    const answers = parsed(await scoring.score([a!, b!, a!]));
    await settle();
    expect(seen.degraded.map((d) => d.cause)).toEqual(['store_error']);
    expect(answers.map((x) => [x.transaction_id, x.degraded, x.replayed])).toEqual([
      ['down_0', true, false],
      ['down_1', true, false],
      ['down_0', true, true],
    ]);
    expect(events).toHaveLength(2);
  });
});

describe('ScoringService: the step reads what the ruleset in force reads', () => {
  it("passes the ruleset's list kinds and velocity states, and its velocity rule sees the count", async () => {
    const compiled = compileRuleset(
      {
        version: 3,
        rules: [
          {
            id: 'busy_ip',
            name: 'busy IP',
            description: '',
            expression: 'velocity.ip_tx_1h >= 2.0',
            action: 'review',
            mode: 'active',
          },
        ],
      },
      [],
    );
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
    const inner = createMemoryFeatureStore();
    const asked: (StepOptions | undefined)[] = [];
    const store: FeatureStore = {
      step: (txs, o) => {
        asked.push(o);
        return inner.step(txs, o);
      },
      saveAnswers: (a) => inner.saveAnswers(a),
      label: (l) => inner.label(l),
      applyListChanges: (c, k) => inner.applyListChanges(c, k),
      listCursor: () => inner.listCursor(),
      close: () => inner.close(),
    };
    const { scoring } = planned({ store, rules: { current: compiled.compiled } });
    const txs = batch(2, 'ip').map((t) => ({ ...t, ip: '203.0.113.9', device_id: 'dev_1' }));
    const answers = parsed(await scoring.score(txs));
    expect(asked).toEqual([{ listKinds: [], velocity: ['ip'] }]);
    // The IP's state was kept: the second payment from it is the rule's second in the hour.
    expect(answers.map((a) => a.rules)).toEqual([[], [{ id: 'busy_ip', action: 'review' }]]);
  });
});
