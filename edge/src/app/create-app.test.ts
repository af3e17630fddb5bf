// Unit-level tests of the app through app.request: what the HTTP suite cannot provoke on demand
// (a concurrent duplicate, a failing model, a corrupt store, a late store), with stores, sinks and
// scorers that are port implementations written for the test.
import {
  N_FEATURES,
  computeFeatures,
  epochSeconds,
  newCustomerState,
  newTerminalState,
  predictProbability,
  FEATURE_NAMES,
  validateEvent,
  type FeatureStore,
  type Scorer,
  type StepOutcome,
  type VigilEvent,
} from '@vigil/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadServedModel, type LoadedModel } from '../scoring/served-model.js';
import { testModelFiles } from '../scoring/test-model-files.js';
import { createMemoryFeatureStore } from '../stores/memory-feature-store.js';
import type { LogEntry } from './app-context.js';
import { createApp, type EdgeAppDeps } from './create-app.js';

const KEY = 'unit-test-key-0123456789';
let loaded: LoadedModel;
beforeAll(async () => {
  loaded = await loadServedModel(await testModelFiles());
});

function make(over: Partial<EdgeAppDeps> = {}) {
  const logs: LogEntry[] = [];
  const app = createApp({
    store: createMemoryFeatureStore(),
    scorer: loaded.scorer,
    model: loaded.model,
    config: { apiKeys: [KEY], featureTimeoutMs: 30, corsOrigins: [], maxBodyBytes: 1_048_576 },
    runtime: 'node',
    log: (e) => logs.push(e),
    ...over,
  });
  const post = (path: string, body: unknown, ctx?: Parameters<typeof app.request>[3]) =>
    app.request(
      path,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      },
      undefined,
      ctx,
    );
  const metric = async (line: string) => {
    const text = await (
      await app.request('/metrics', { headers: { authorization: `Bearer ${KEY}` } })
    ).text();
    return Number(
      text
        .split('\n')
        .find((l) => l.startsWith(`${line} `))
        ?.slice(line.length + 1),
    );
  };
  return { app, logs, post, metric };
}

/** Past the macrotask in which decision events are built. */
const afterAnswers = () => new Promise((resolve) => setTimeout(resolve, 5));

let n = 0;
const tx = (over: Record<string, unknown> = {}) => ({
  transaction_id: `u_${++n}`,
  timestamp: '2024-03-04T10:00:00Z',
  customer_id: `c_${n}`,
  terminal_id: `t_${n}`,
  amount: 120,
  ...over,
});

/** A store that delegates to memory but lets a test change step's outcomes. */
function storeWith(
  step: (inner: FeatureStore, txs: Parameters<FeatureStore['step']>[0]) => Promise<StepOutcome[]>,
) {
  const inner = createMemoryFeatureStore();
  const saved: { transactionId: string; answer: string }[] = [];
  const store: FeatureStore = {
    step: (txs) => step(inner, txs),
    saveAnswers: (a) => {
      saved.push(...a);
      return inner.saveAnswers(a);
    },
    label: (l) => inner.label(l),
    applyListChanges: (c, k) => inner.applyListChanges(c, k),
    listCursor: () => inner.listCursor(),
    close: () => inner.close(),
  };
  return { store, saved };
}

describe('createApp', () => {
  it('refuses to start without keys or with a scorer for another model', () => {
    expect(() =>
      make({ config: { apiKeys: [], featureTimeoutMs: 30, corsOrigins: [], maxBodyBytes: 1e6 } }),
    ).toThrow(/no API keys/);
    const other: Scorer = { version: 'gbdt-other', score: () => Promise.resolve() };
    expect(() => make({ scorer: other })).toThrow(/gbdt-other/);
  });

  it('answers 409 with Retry-After for a transaction a concurrent request is scoring', async () => {
    const { store, saved } = storeWith(async (inner, txs) => {
      const out = await inner.step(txs);
      return out.map((o, i) =>
        txs[i]!.transactionId.startsWith('busy') ? { kind: 'pending' } : o,
      );
    });
    const { post, metric } = make({ store });
    const r = await post('/v1/score', tx({ transaction_id: 'busy_1' }));
    expect(r.status).toBe(409);
    expect(r.headers.get('retry-after')).toBe('1');
    const problem = (await r.json()) as {
      status: number;
      errors: { path: string; message: string }[];
    };
    expect(problem.status).toBe(409);
    expect(problem.errors.map((e) => e.path)).toEqual(['/transaction_id']);
    expect(problem.errors[0]?.message).toContain('busy_1');
    const ok = tx();
    const b = await post('/v1/score/batch', {
      transactions: [ok, tx({ transaction_id: 'busy_2' })],
    });
    expect(b.status).toBe(409);
    expect(((await b.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      '/transactions/1/transaction_id',
    ]);
    // The batch's other item was scored and its answer saved: a retry replays it.
    expect(saved.map((s) => s.transactionId)).toEqual([ok.transaction_id]);
    expect(await metric('vigil_pending_total')).toBe(2);
  });

  it('refuses a reused id with 422 before scoring, saving or emitting anything', async () => {
    const events: VigilEvent[] = [];
    const { store, saved } = storeWith((inner, txs) => inner.step(txs));
    const { post, metric } = make({ store, sink: { emit: (e) => events.push(...e) } });
    const t = tx();
    expect((await post('/v1/score', t)).status).toBe(200);
    await afterAnswers();
    const [savedBefore, eventsBefore] = [saved.length, events.length];
    const ok = tx();
    const r = await post('/v1/score/batch', { transactions: [ok, { ...t, terminal_id: 'other' }] });
    expect(r.status).toBe(422);
    expect(r.headers.get('retry-after')).toBeNull();
    const p = (await r.json()) as { type: string; title: string; detail: string };
    expect(p).toMatchObject({
      type: 'urn:vigil:problem:transaction-id-reused',
      title: 'Transaction id reused with a different payload',
    });
    // Which field differs is not said: that would describe another payment.
    expect(p.detail).not.toContain('other');
    await afterAnswers();
    expect([saved.length, events.length]).toEqual([savedBefore, eventsBefore]);
    expect(await metric('vigil_id_conflicts_total')).toBe(1);
    let decided = 0;
    for (const d of ['approve', 'review', 'decline']) {
      decided += await metric(`vigil_decisions_total{decision="${d}",degraded="false"}`);
    }
    expect(decided).toBe(1);
  });

  it('refuses an id repeated with two payloads in a batch while the store is down', async () => {
    const { store } = storeWith(() => Promise.reject(new Error('store down')));
    const { post, metric } = make({ store });
    const t = tx();
    const r = await post('/v1/score/batch', { transactions: [t, tx(), { ...t, amount: 1 }] });
    expect(r.status).toBe(422);
    const p = (await r.json()) as { errors: { path: string }[] };
    expect(p.errors.map((e) => e.path)).toEqual(['/transactions/2/transaction_id']);
    expect(await metric('vigil_degraded_requests_total{cause="store_error"}')).toBe(0);
    // The same payload twice is still answered degraded, the repeat as a replay.
    const same = await post('/v1/score/batch', { transactions: [t, t] });
    const results = ((await same.json()) as { results: { degraded: boolean; replayed: boolean }[] })
      .results;
    expect(results.map((a) => [a.degraded, a.replayed])).toEqual([
      [true, false],
      [true, true],
    ]);
  });

  it('falls back to the trees when the model fails, marking the answer degraded', async () => {
    const broken: Scorer = {
      version: loaded.scorer.version,
      score: () => Promise.reject(new Error('wasm trap')),
    };
    const { post, metric, logs } = make({ scorer: broken });
    const t = tx({ amount: 730 });
    const r = await post('/v1/score', t);
    expect(r.status).toBe(200);
    const a = (await r.json()) as { score: number; degraded: boolean };
    const x = new Float32Array(N_FEATURES);
    computeFeatures(
      newCustomerState(),
      newTerminalState(),
      { timeSec: epochSeconds(t.timestamp), amount: 730 },
      x,
    );
    expect(a.degraded).toBe(true);
    expect(a.score).toBeCloseTo(predictProbability(loaded.model.ensemble, x), 6);
    expect(await metric('vigil_degraded_requests_total{cause="model_error"}')).toBe(1);
    expect(logs.some((l) => l.msg === 'degraded:model_error')).toBe(true);
  });

  it('emits core’s versioned decision and feedback events; a failing sink fails no request', async () => {
    const events: VigilEvent[] = [];
    const { post } = make({ sink: { emit: (e) => events.push(...e) } });
    const t = tx();
    const scored = await post('/v1/score', t);
    const total = Number(/total;dur=([\d.]+)/.exec(scored.headers.get('server-timing') ?? '')?.[1]);
    const answer = (await scored.json()) as {
      score: number;
      reasons: { code: string; feature: string; contribution: number; message: string }[];
    };
    expect(answer.reasons.length).toBeGreaterThan(0);
    await post('/v1/score', t); // a replay decides nothing new
    // Decision events are built after the answer has gone: none yet.
    expect(events).toEqual([]);
    await afterAnswers();
    await post('/v1/feedback', {
      transaction_id: t.transaction_id,
      label: 'fraud',
      timestamp: '2024-03-11T00:00:00Z',
    });
    expect(events.map((e) => e.type)).toEqual(['decision', 'feedback']);
    for (const e of events) expect(validateEvent(e)).toMatchObject({ ok: true });
    const decision = events[0]!;
    if (decision.type !== 'decision') throw new Error('expected a decision');
    expect(decision).toMatchObject({
      event_id: `dec:${t.transaction_id}`,
      schema_version: 1,
      transaction: t,
      score: answer.score,
      // The event's feature reasons carry no sentence (core's REASON_CODES has it, by feature).
      reasons: answer.reasons.map(({ message: _, ...r }) => r),
      model_version: loaded.model.metadata.version,
      degraded: false,
      runtime: 'node',
    });
    expect(decision.scored_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    // The row the model saw: a first-ever transaction of 120 has these features.
    const x = new Float32Array(N_FEATURES);
    computeFeatures(
      newCustomerState(),
      newTerminalState(),
      { timeSec: epochSeconds(t.timestamp), amount: 120 },
      x,
    );
    expect(Object.keys(decision.features)).toEqual([...FEATURE_NAMES]);
    expect(Object.values(decision.features)).toEqual([...x]);
    // The request's server time up to its answer: at most the Server-Timing total.
    expect(decision.latency_ms).toBeGreaterThan(0);
    expect(decision.latency_ms).toBeLessThanOrEqual(total + 0.001);
    // Microseconds, not float noise like 1.8179610000006505.
    expect(Math.round(decision.latency_ms * 1000) / 1000).toBe(decision.latency_ms);
    expect(events[1]).toEqual({
      event_id: `fb:${t.transaction_id}:fraud:2024-03-11T00:00:00Z`,
      schema_version: 1,
      type: 'feedback',
      transaction_id: t.transaction_id,
      label: 'fraud',
      timestamp: '2024-03-11T00:00:00Z',
      source: 'api',
    });

    // A batch: one emit, every event carrying the batch's server time.
    events.length = 0;
    const batch = await post('/v1/score/batch', { transactions: [tx(), tx(), tx()] });
    expect(batch.status).toBe(200);
    await afterAnswers();
    expect(events).toHaveLength(3);
    expect(new Set(events.map((e) => (e as { latency_ms: number }).latency_ms)).size).toBe(1);

    const failing = make({
      sink: {
        emit: () => {
          throw new Error('sink down');
        },
      },
    });
    expect((await failing.post('/v1/score', tx())).status).toBe(200);
    await afterAnswers();
    expect(await failing.metric('vigil_event_sink_errors_total')).toBe(1);
    expect(await failing.metric('vigil_events_emitted_total{type="decision"}')).toBe(1);
  });

  it('answers a corrupt stored answer with a safe 500 that names a log line', async () => {
    const { store } = storeWith(() =>
      Promise.resolve([{ kind: 'replay', answer: '{"score":"high"}' }]),
    );
    const { post, logs } = make({ store });
    const r = await post('/v1/score', tx());
    expect(r.status).toBe(500);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    const body = (await r.json()) as { instance: string; detail: string };
    expect(body.instance).toMatch(/^urn:uuid:/);
    expect(JSON.stringify(body)).not.toMatch(/stack|at .*\.ts/);
    const line = logs.find((l) => l.msg === 'unhandled error');
    expect(line?.['id']).toBe(body.instance.slice('urn:uuid:'.length));
    expect(String((line?.error as Error).message)).toMatch(/answer schema/);
  });

  it('saves a degraded answer when a late step did record the transaction', async () => {
    // The first step answers after the 30 ms deadline; later ones at once.
    let calls = 0;
    const { store } = storeWith((inner, txs) =>
      calls++ > 0
        ? inner.step(txs)
        : new Promise((resolve) => setTimeout(() => resolve(inner.step(txs)), 80)),
    );
    const { post } = make({ store });
    const t = tx();
    const first = (await (await post('/v1/score', t)).json()) as { degraded: boolean };
    expect(first.degraded).toBe(true);
    await new Promise((r) => setTimeout(r, 150));
    const again = (await (await post('/v1/score', t)).json()) as object;
    expect(again).toEqual({ ...first, replayed: true });
  });

  it("hands answer saves and event delivery to the runtime's waitUntil", async () => {
    const delivered: string[] = [];
    const { post } = make({
      runtime: 'workers',
      sink: {
        emit: (events, options) =>
          options?.background?.(
            Promise.resolve().then(() => delivered.push(...events.map((e) => e.event_id))),
          ),
      },
    });
    const waited: Promise<unknown>[] = [];
    const ctx = {
      waitUntil: (p: Promise<unknown>) => waited.push(p),
      passThroughOnException() {},
      props: {},
    };
    const t = tx();
    expect((await post('/v1/score', t, ctx)).status).toBe(200);
    // The answer save, and the decision events built after the answer.
    expect(waited).toHaveLength(2);
    await Promise.all(waited);
    // ...whose delivery the sink handed to the same waitUntil.
    expect(waited).toHaveLength(3);
    await Promise.all(waited);
    expect(delivered).toEqual([`dec:${t.transaction_id}`]);
  });

  it('gives concurrent requests their own feature rows', async () => {
    const { post } = make();
    const plan = Array.from({ length: 40 }, (_, i) => ({
      amount: 5 + i * 37,
      timestamp: `2024-03-04T${String(i % 24).padStart(2, '0')}:00:00Z`,
    }));
    const concurrent = await Promise.all(
      plan.map(async (p) => (await post('/v1/score', tx(p))).json()),
    );
    const sequential: unknown[] = [];
    for (const p of plan) sequential.push(await (await post('/v1/score', tx(p))).json());
    const strip = (a: unknown) => ({ ...(a as object), transaction_id: undefined });
    expect(concurrent.map(strip)).toEqual(sequential.map(strip));
    expect(new Set(concurrent.map((a) => (a as { score: number }).score)).size).toBeGreaterThan(5);
  });

  it('answers 503 when the store cannot take labels', async () => {
    const { store } = storeWith((inner, txs) => inner.step(txs));
    store.label = () => Promise.reject(new Error('redis down'));
    const { post } = make({ store });
    const r = await post('/v1/feedback', {
      transaction_id: 'x',
      label: 'fraud',
      timestamp: '2024-03-04T10:00:00Z',
    });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
  });

  it('allows only the configured CORS origins', async () => {
    const config = {
      apiKeys: [KEY],
      featureTimeoutMs: 30,
      corsOrigins: ['https://dash.example.com'],
      maxBodyBytes: 1_048_576,
    };
    const { app } = make({ config });
    const preflight = (origin: string) =>
      app.request('/v1/score', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    const ok = await preflight('https://dash.example.com');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://dash.example.com');
    expect(
      (await preflight('https://evil.example')).headers.get('access-control-allow-origin'),
    ).toBeNull();
    const health = await app.request('/v1/health', {
      headers: { origin: 'https://dash.example.com' },
    });
    expect(health.headers.get('access-control-allow-origin')).toBe('https://dash.example.com');
    expect(health.headers.get('timing-allow-origin')).toBe('https://dash.example.com');
    // Off by default.
    const off = await make().app.request('/v1/score', {
      method: 'OPTIONS',
      headers: { origin: 'https://dash.example.com', 'access-control-request-method': 'POST' },
    });
    expect(off.headers.get('access-control-allow-origin')).toBeNull();
  });
});
