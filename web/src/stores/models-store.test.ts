import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.js';
import type { RegisteredModel } from '@vigil/core';
import { isDefaultModelEntry, isModelCompare, isModelList } from '../api/models-guards.js';
import {
  compareAnswer,
  DEPLOYED,
  defaultEntry,
  model,
  NOW,
  registry,
} from '../test/models-fakes.js';
import { createModelsStore } from './models-store.js';

describe('createModelsStore', () => {
  it('lists the registry and compares champion and challenger over the last 7 days', async () => {
    const r = registry([model('m2', 'challenger'), model('m1', 'champion')]);
    const store = createModelsStore({ client: r.client, now: () => NOW });
    await store.load();
    expect(store.models().map((m) => m.version)).toEqual(['m2', 'm1']);
    expect(store.champion()?.version).toBe('m1');
    expect(store.challenger()?.version).toBe('m2');
    expect(r.calls).toEqual(['compare m1 m2 2026-06-23T12:00:00.000Z 2026-06-30T12:00:00.000Z']);
    expect(store.compare()?.agreement).toBe(0.9);
    await store.setDays(30);
    expect(r.calls.at(-1)).toBe('compare m1 m2 2026-05-31T12:00:00.000Z 2026-06-30T12:00:00.000Z');
  });

  it('compares again when another long read of the analyst runs (429), then shows the answer', async () => {
    const r = registry([model('m2', 'challenger'), model('m1', 'champion')]);
    const busy = new ApiError(
      'http',
      429,
      null,
      'a backtest of yours is still running',
      undefined,
      2_000,
    );
    let refusals = 2;
    const waited: number[] = [];
    const client = {
      ...r.client,
      compareModels: (q: Parameters<typeof r.client.compareModels>[0]) =>
        refusals-- > 0 ? Promise.reject(busy) : r.client.compareModels(q),
    };
    const store = createModelsStore({
      client,
      now: () => NOW,
      sleep: (ms) => {
        waited.push(ms);
        return Promise.resolve();
      },
    });
    await store.load();
    expect(waited).toEqual([2_000, 2_000]);
    expect(store.compareError()).toBeNull();
    expect(store.compare()?.agreement).toBe(0.9);
  });

  it('compares the committed default (by its deployed version) with a challenger on a new install', async () => {
    const r = registry([model('m2', 'challenger')]);
    const store = createModelsStore({ client: r.client, now: () => NOW });
    await store.load();
    expect(store.champion()).toBeNull();
    expect(r.calls).toEqual([
      `compare ${DEPLOYED} m2 2026-06-23T12:00:00.000Z 2026-06-30T12:00:00.000Z`,
    ]);
    expect(store.compare()?.champion_version).toBe(DEPLOYED);
  });

  it('does not compare without a challenger', async () => {
    const r = registry([model('m1', 'champion'), model('m0', 'candidate')]);
    const store = createModelsStore({ client: r.client, now: () => NOW });
    await store.load();
    expect(r.calls).toEqual([]);
    expect(store.compare()).toBeNull();
  });

  it('promotes, then rolls back to the previous champion, reloading after each', async () => {
    const r = registry([model('m2', 'challenger'), model('m1', 'champion')]);
    const store = createModelsStore({ client: r.client, now: () => NOW });
    await store.load();
    expect(await store.change('m2', 'promote')).toBe(true);
    expect(store.champion()?.version).toBe('m2');
    expect(store.previous()?.version).toBe('m1');
    expect(await store.rollBack()).toBe(true);
    expect(r.calls.filter((c) => !c.startsWith('compare'))).toEqual(['promote m2', 'promote m1']);
    expect(store.champion()?.version).toBe('m1');
    expect(store.pending()).toBeNull();
  });

  it('shows a refusal and the registry as it is', async () => {
    const r = registry([model('m1', 'champion'), model('m0', 'candidate')]);
    const store = createModelsStore({ client: r.client, now: () => NOW });
    await store.load();
    r.refuseNext(new ApiError('http', 409, null, 'm0 is retired'));
    expect(await store.change('m0', 'promote')).toBe(false);
    expect(store.changeError()).toContain('m0 is retired');
    expect(store.champion()?.version).toBe('m1');
    expect(await createModelsStore({ client: r.client }).rollBack()).toBe(false);
  });
});

describe('the committed default in the store', () => {
  it('is served with no champion; promoting a model makes it the roll-back target, and back', async () => {
    const r = registry([model('m1', 'candidate')]);
    const store = createModelsStore({ client: r.client, now: () => NOW });
    expect(store.defaultModel()).toBeNull();
    await store.load();
    expect(store.defaultModel()).toMatchObject({ status: 'champion', model_version: DEPLOYED });
    expect(store.champion()).toBeNull();
    expect(store.served()?.version).toBe('default');
    expect(store.previous()).toBeNull();

    expect(await store.change('m1', 'promote')).toBe(true);
    expect(store.served()?.version).toBe('m1');
    expect(store.defaultModel()?.status).toBe('candidate');
    // No registered model was replaced: roll back lands on the default.
    expect(store.previous()?.version).toBe('default');
    expect(await store.rollBack()).toBe(true);
    expect(r.calls).toEqual(['promote m1', 'promote default']);
    expect(store.served()?.version).toBe('default');
    expect(store.defaultModel()?.status).toBe('champion');
    // The model the default replaced is now the one to roll back to.
    expect(store.previous()?.version).toBe('m1');
    store.reset();
    expect(store.defaultModel()).toBeNull();
    expect(store.served()).toBeNull();
  });

  it('is promoted over a champion, which then is the roll-back target', async () => {
    const r = registry([
      model('m2', 'champion'),
      { ...model('m1', 'candidate'), previous_champion: true },
    ]);
    const store = createModelsStore({ client: r.client, now: () => NOW });
    await store.load();
    expect(store.previous()?.version).toBe('m1');
    expect(store.defaultModel()?.previous_champion).toBe(false);
    expect(await store.change('default', 'promote')).toBe(true);
    expect(store.served()?.version).toBe('default');
    expect(store.champion()).toBeNull();
    expect(store.previous()?.version).toBe('m2');
    expect(store.models().find((m) => m.version === 'm1')?.previous_champion).toBe(false);
  });
});

describe('models guards', () => {
  it("take the contract's answers and refuse others", () => {
    const listed = (items: RegisteredModel[]) => ({ items, default: defaultEntry(items) });
    expect(isModelList(listed([model('m1', 'champion')]))).toBe(true);
    const king = { ...model('m1', 'champion'), status: 'king' };
    expect(isModelList({ items: [king], default: defaultEntry([model('m1', 'champion')]) })).toBe(
      false,
    );
    // The default is always in the answer, and checked.
    expect(isModelList({ items: [model('m1', 'champion')] })).toBe(false);
    const d = defaultEntry([]);
    expect(isDefaultModelEntry(d)).toBe(true);
    expect(isDefaultModelEntry({ ...d, model_version: null, thresholds: null })).toBe(true);
    expect(
      isDefaultModelEntry({ ...d, training_window: null, validation_window: null, metrics: null }),
    ).toBe(true);
    expect(isDefaultModelEntry({ ...d, metrics: { test: { auc: 0.9 } } })).toBe(false);
    expect(isDefaultModelEntry({ ...d, training_window: { start: 1 } })).toBe(false);
    expect(isDefaultModelEntry({ ...d, version: 'gbdt-x' })).toBe(false);
    expect(isDefaultModelEntry({ ...d, status: 'retired' })).toBe(false);
    expect(isDefaultModelEntry({ ...d, thresholds: { review: 0.1 } })).toBe(false);
    expect(isDefaultModelEntry({ ...d, thresholds_set: undefined })).toBe(false);
    const c = compareAnswer({ champion: 'a', challenger: 'b', from: 'x', to: 'y' });
    expect(isModelCompare(c)).toBe(true);
    expect(isModelCompare({ ...c, agreement: 'high' })).toBe(false);
    // The champion's model decision and the stored one (rules included) travel apart, both checked.
    expect(isModelCompare({ ...c, ranking_warning: 'no fraud labels' })).toBe(true);
    expect(isModelCompare({ ...c, ranking_warning: 3 })).toBe(false);
    expect(isModelCompare({ ...c, champion_thresholds: undefined })).toBe(false);
    const [d0] = c.disagreements;
    expect(isModelCompare({ ...c, disagreements: [{ ...d0, stored_decision: 'maybe' }] })).toBe(
      false,
    );
  });
});
