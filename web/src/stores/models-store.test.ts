import type { ModelCompare, ModelStatus, RegisteredModel } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.js';
import type { ModelCompareRequest } from '../api/client.js';
import { isModelCompare, isModelList } from '../api/models-guards.js';
import { createModelsStore, type ModelsStoreOptions } from './models-store.js';

const NOW = new Date('2026-06-30T12:00:00Z');

const model = (version: string, status: ModelStatus): RegisteredModel => ({
  version,
  status,
  created_at: '2026-06-01T00:00:00Z',
  created_by: 'ana',
  training_window: { start: '2026-01-01', end: '2026-03-31' },
  validation_window: { start: '2026-04-08', end: '2026-04-30' },
  test_window: { start: '2026-05-08', end: '2026-05-31' },
  source: 'file',
  metrics: {
    validation: { auc: 0.9, ap: 0.6, cp100: 0.3 },
    test: {
      auc: 0.88,
      ap: 0.55,
      cp100: 0.28,
      alert_rate: 0.02,
      review_rate: 0.01,
      decline_rate: 0.01,
      transactions: 1000,
      frauds: 20,
    },
  },
  thresholds: { review: 0.3, decline: 0.8 },
  thresholds_set: false,
  size_bytes: 1000,
  sha256: 'a'.repeat(64),
  previous_champion: false,
  promoted_at: null,
});

const compareAnswer = (q: ModelCompareRequest): ModelCompare => ({
  window: { from: q.from, to: q.to },
  champion_version: q.champion,
  challenger_version: q.challenger,
  evaluated: 10,
  labelled: 4,
  champion: { auc: 0.8, ap: 0.5, cp_at_100: 0.2, alert_rate: 0.1 },
  challenger: { auc: 0.9, ap: 0.6, cp_at_100: 0.3, alert_rate: 0.2 },
  agreement: 0.9,
  disagreements: [
    {
      transaction_id: 'tx_1',
      champion: { score: 0.1, decision: 'approve' },
      challenger: { score: 0.9, decision: 'decline' },
      label: 'fraud',
    },
  ],
});

/** A registry in memory with the contract's promotion rule: the old champion becomes the previous. */
function registry(models: RegisteredModel[]) {
  const calls: string[] = [];
  let refuse: ApiError | null = null;
  const client: ModelsStoreOptions['client'] = {
    listModels: () => Promise.resolve({ items: models.map((m) => ({ ...m })) }),
    compareModels: (q) => {
      calls.push(`compare ${q.champion} ${q.challenger} ${q.from} ${q.to}`);
      return Promise.resolve(compareAnswer(q));
    },
    changeModel: (version, action) => {
      calls.push(`${action} ${version}`);
      if (refuse) return Promise.reject(refuse);
      const i = models.findIndex((m) => m.version === version);
      if (action === 'promote') {
        models = models.map((m) => ({
          ...m,
          previous_champion: m.status === 'champion',
          status: m.status === 'champion' ? 'candidate' : m.status,
        }));
        models[i] = { ...models[i]!, status: 'champion', previous_champion: false };
      } else {
        models[i] = { ...models[i]!, status: action === 'retire' ? 'retired' : 'challenger' };
      }
      return Promise.resolve(models[i]);
    },
  };
  return {
    client,
    calls,
    refuseNext: (e: ApiError) => {
      refuse = e;
    },
  };
}

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

describe('models guards', () => {
  it("take the contract's answers and refuse others", () => {
    expect(isModelList({ items: [model('m1', 'champion')] })).toBe(true);
    expect(isModelList({ items: [{ ...model('m1', 'champion'), status: 'king' }] })).toBe(false);
    const c = compareAnswer({ champion: 'a', challenger: 'b', from: 'x', to: 'y' });
    expect(isModelCompare(c)).toBe(true);
    expect(isModelCompare({ ...c, agreement: 'high' })).toBe(false);
  });
});
