import { describe, expect, it } from 'vitest';
import type {
  Thresholds,
  ThresholdsList,
  ThresholdsOutcome,
  ThresholdsPreview,
  ThresholdsPreviewRequest,
} from '@vigil/core';
import { ApiError } from '../api/api-error.js';
import { fakeClock } from '../test/fakes.js';
import { createThresholdsStore, PREVIEW_DEBOUNCE_MS } from './thresholds-store.js';

const NOW = Date.UTC(2026, 11, 5, 12);
const tick = () => new Promise((r) => setTimeout(r, 0));
const tally = { count: 0, amount: 0, fraud: 0, fraud_amount: 0 };

function outcome(t: Thresholds): ThresholdsOutcome {
  return {
    thresholds: t,
    approve: tally,
    review: tally,
    decline: tally,
    frauds_caught: 0,
    frauds_missed: 0,
    legitimate_flagged: 0,
  };
}

function preview(body: ThresholdsPreviewRequest): ThresholdsPreview {
  return {
    window: { from: body.from ?? '', to: body.to ?? '' },
    model_version: body.model_version ?? null,
    evaluated: 3,
    currencies: ['EUR'],
    currency_note: 'all in EUR, in its major unit',
    current: outcome({ review: 0.4, decline: 0.8 }),
    proposed: outcome({ review: body.review, decline: body.decline }),
    histogram: { bins: 2, fraud: [0, 1], legitimate: [2, 0], unlabelled: [0, 0] },
    elapsed_ms: 1,
  };
}

const served: ThresholdsList = {
  items: [],
  served: [
    {
      model_version: 'gbdt-v2',
      model_thresholds: { review: 0.4, decline: 0.8 },
      in_force: { review: 0.4, decline: 0.8 },
      seen_at: '2026-12-05T11:59:00Z',
    },
  ],
};

function setup(list: ThresholdsList = served) {
  const clock = fakeClock();
  const previews: ThresholdsPreviewRequest[] = [];
  const puts: [string, Thresholds][] = [];
  let current = list;
  let refusePut: ApiError | null = null;
  const store = createThresholdsStore({
    client: {
      getThresholds: () => Promise.resolve(current),
      previewThresholds: (body) => {
        previews.push(body);
        return Promise.resolve(preview(body));
      },
      setThresholds: (v, t) => {
        puts.push([v, t]);
        if (refusePut) return Promise.reject(refusePut);
        const setting = { model_version: v, ...t, updated_at: 'now', updated_by: 'ana' };
        current = {
          items: [setting],
          served: current.served.map((s) => (s.model_version === v ? { ...s, in_force: t } : s)),
        };
        return Promise.resolve(setting);
      },
    },
    now: () => NOW,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
  });
  return {
    store,
    clock,
    previews,
    puts,
    refuse(e: ApiError) {
      refusePut = e;
    },
  };
}

describe('the thresholds page’s data', () => {
  it('starts at the thresholds in force of the model the edges serve, and previews them', async () => {
    const { store, clock, previews } = setup();
    await store.load();
    expect(store.modelVersion()).toBe('gbdt-v2');
    expect(store.inForce()).toEqual({ review: 0.4, decline: 0.8 });
    expect(store.draft()).toEqual({ review: 0.4, decline: 0.8 });
    clock.advance(PREVIEW_DEBOUNCE_MS);
    expect(previews).toEqual([
      {
        review: 0.4,
        decline: 0.8,
        model_version: 'gbdt-v2',
        from: new Date(NOW - 30 * 86_400_000).toISOString(),
        to: new Date(NOW).toISOString(),
      },
    ]);
    await tick();
    expect(store.preview()?.proposed.thresholds).toEqual({ review: 0.4, decline: 0.8 });
  });

  it('previews once a slider stops, and not while core’s schema refuses the pair', async () => {
    const { store, clock, previews } = setup();
    await store.load();
    store.set('review', 0.5);
    store.set('review', 0.6);
    clock.advance(PREVIEW_DEBOUNCE_MS);
    expect(previews.map((p) => p.review)).toEqual([0.6]);
    store.set('decline', 0.3);
    clock.advance(PREVIEW_DEBOUNCE_MS);
    expect(previews).toHaveLength(1);
    expect(Object.keys(store.fieldErrors())).toEqual(['/decline']);
    await expect(store.apply()).resolves.toBe(false);
    store.set('decline', 0.9);
    expect(store.fieldErrors()).toEqual({});
    clock.advance(PREVIEW_DEBOUNCE_MS);
    expect(previews.map((p) => [p.review, p.decline])).toEqual([
      [0.6, 0.8],
      [0.6, 0.9],
    ]);
  });

  it('applies to the served model version, then shows what is in force', async () => {
    const { store, puts } = setup();
    await store.load();
    store.set('review', 0.55);
    await expect(store.apply()).resolves.toBe(true);
    expect(puts).toEqual([['gbdt-v2', { review: 0.55, decline: 0.8 }]]);
    expect(store.applied()).toMatchObject({ model_version: 'gbdt-v2', review: 0.55 });
    expect(store.inForce()).toEqual({ review: 0.55, decline: 0.8 });
    expect(store.draft()).toEqual({ review: 0.55, decline: 0.8 });
  });

  it('says why an apply failed, and that none can be made before a model is known', async () => {
    const { store, refuse } = setup();
    await store.load();
    refuse(new ApiError('http', 403, null, 'Only an admin may set thresholds'));
    await expect(store.apply()).resolves.toBe(false);
    expect(store.applyError()).toBe('Only an admin may set thresholds');
    expect(store.applying()).toBe(false);

    const empty = setup({ items: [], served: [] });
    await empty.store.load();
    expect(empty.store.modelVersion()).toBeNull();
    await expect(empty.store.apply()).resolves.toBe(false);
    expect(empty.store.applyError()).toContain('No model version');
  });
});
