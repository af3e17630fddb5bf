/** The API client's backtest and thresholds routes: paths, methods, bodies and answer checks. */
import { describe, expect, it } from 'vitest';
import { fakeFetch, jsonResponse as json } from '../test/fakes.js';
import { createApiClient } from './client.js';

const counts = {
  evaluated: 3,
  matched: 1,
  matched_fraud: 1,
  matched_legitimate: 0,
  matched_unlabelled: 0,
};
const backtest = {
  ...counts,
  window: { from: 'a', to: 'b' },
  ruleset_version: 1,
  rule_errors: 0,
  model_thresholds: [
    { model_version: 'm1', thresholds: { review: 0.5, decline: 0.9 }, source: 'set' },
    { model_version: 'm2', thresholds: null, source: 'estimated' },
  ],
  amount: {
    matched: 5,
    matched_fraud: 5,
    matched_legitimate: 0,
    currencies: [],
    currency_note: '',
  },
  decision_changes: [{ from: 'approve', to: 'review', count: 1, amount: 5 }],
  per_day: [{ day: '2026-12-01', evaluated: 3, matched: 1, matched_fraud: 1 }],
  examples: [
    {
      transaction_id: 't1',
      label: 'fraud',
      decision: 'approve',
      new_decision: 'review',
      amount: 5,
      currency: null,
      score: 0.2,
      scored_at: '2026-12-01T00:00:00Z',
    },
  ],
  lists_as_of: 'c',
  labels_as_of: 'c',
  velocity_from: null,
  velocity_read_by: { candidate: false, rules: [] },
  shadow: { ...counts, rule_id: 'r' },
  elapsed_ms: 2,
};

describe('the backtest and thresholds routes', () => {
  it('posts a backtest and refuses an answer of another shape', async () => {
    const f = fakeFetch(() => json(backtest));
    const body = { expression: 'tx.amount > 1.0', action: 'review' as const };
    await expect(createApiClient({ fetch: f.fetch }).backtestRule(body)).resolves.toEqual(backtest);
    expect(f.calls.map((c) => `${c.init.method} ${c.url}`)).toEqual(['POST /api/rules/backtest']);
    expect(JSON.parse(f.calls[0]!.init.body as string)).toEqual(body);

    const g = fakeFetch(() =>
      json({ ...backtest, decision_changes: [{ from: 'hold', to: 'review' }] }),
    );
    await expect(createApiClient({ fetch: g.fetch }).backtestRule(body)).rejects.toMatchObject({
      code: 'invalid_response',
    });

    // The thresholds each model version's decisions were derived with: missing, thresholds with
    // an estimate, none without one, or a source of another kind are refused.
    for (const model_thresholds of [
      undefined,
      [{ model_version: 'm2', thresholds: { review: 0.5, decline: 0.9 }, source: 'estimated' }],
      [{ model_version: 'm1', thresholds: null, source: 'set' }],
      [{ model_version: 'm1', thresholds: { review: 0.5 }, source: 'model' }],
      [{ model_version: 'm1', thresholds: { review: 0.5, decline: 0.9 }, source: 'edge' }],
      [{ thresholds: { review: 0.5, decline: 0.9 }, source: 'model' }],
    ]) {
      const h = fakeFetch(() => json({ ...backtest, model_thresholds }));
      await expect(
        createApiClient({ fetch: h.fetch }).backtestRule(body),
        JSON.stringify(model_thresholds),
      ).rejects.toMatchObject({ code: 'invalid_response' });
    }
    // Who reads velocity, which the footer names: missing or of another shape, refused.
    for (const velocity_read_by of [
      undefined,
      { candidate: 'no', rules: [] },
      { candidate: true },
    ]) {
      const h = fakeFetch(() => json({ ...backtest, velocity_read_by }));
      await expect(
        createApiClient({ fetch: h.fetch }).backtestRule(body),
        JSON.stringify(velocity_read_by),
      ).rejects.toMatchObject({ code: 'invalid_response' });
    }
  });

  it('hands a 429’s Retry-After on, in ms', async () => {
    const f = fakeFetch(
      () =>
        new Response(JSON.stringify({ title: 'Too Many Requests', status: 429 }), {
          status: 429,
          headers: { 'content-type': 'application/problem+json', 'retry-after': '2' },
        }),
    );
    const body = { expression: 'tx.amount > 1.0', action: 'review' as const };
    await expect(createApiClient({ fetch: f.fetch }).backtestRule(body)).rejects.toMatchObject({
      status: 429,
      retryAfterMs: 2000,
    });
  });

  it('previews, reads and sets thresholds on their routes', async () => {
    const outcome = {
      thresholds: { review: 0.5, decline: 0.9 },
      approve: { count: 1, amount: 1, fraud: 0, fraud_amount: 0 },
      review: { count: 0, amount: 0, fraud: 0, fraud_amount: 0 },
      decline: { count: 0, amount: 0, fraud: 0, fraud_amount: 0 },
      frauds_caught: 0,
      frauds_missed: 0,
      legitimate_flagged: 0,
    };
    const preview = {
      window: { from: 'a', to: 'b' },
      model_version: 'm 1',
      evaluated: 1,
      currencies: ['EUR'],
      currency_note: 'all in EUR, in its major unit',
      current: null,
      proposed: outcome,
      histogram: { bins: 1, fraud: [0], legitimate: [1], unlabelled: [0] },
      elapsed_ms: 1,
    };
    const setting = {
      model_version: 'm 1',
      review: 0.5,
      decline: 0.9,
      updated_at: 'x',
      updated_by: 'ana',
    };
    const f = fakeFetch((url, init) => {
      if (url.endsWith('/preview')) return json(preview);
      if (init.method === 'PUT') return json(setting);
      return json({ items: [setting], served: [] });
    });
    const api = createApiClient({ fetch: f.fetch });
    await expect(api.previewThresholds({ review: 0.5, decline: 0.9 })).resolves.toEqual(preview);
    await expect(api.getThresholds()).resolves.toEqual({ items: [setting], served: [] });
    await expect(api.setThresholds('m 1', { review: 0.5, decline: 0.9 })).resolves.toEqual(setting);
    expect(f.calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      'POST /api/thresholds/preview',
      'GET /api/thresholds',
      'PUT /api/thresholds/m%201',
    ]);
    expect(JSON.parse(f.calls[2]!.init.body as string)).toEqual({ review: 0.5, decline: 0.9 });
  });
});
