/**
 * An in-memory model registry for the Models page's unit tests: registered models as the contract
 * shapes them, the committed default's entry, a compare answer, and the promotion rule (the old
 * champion becomes the previous; with none, the default is the previous one).
 */
import type { DefaultModelEntry, ModelCompare, ModelStatus, RegisteredModel } from '@vigil/core';
import type { ApiError } from '../api/api-error.js';
import type { ApiClient, ModelCompareRequest } from '../api/client.js';

export const NOW = new Date('2026-06-30T12:00:00Z');

export const model = (version: string, status: ModelStatus): RegisteredModel => ({
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

export const compareAnswer = (q: ModelCompareRequest): ModelCompare => ({
  window: { from: q.from, to: q.to },
  champion_version: q.champion,
  challenger_version: q.challenger,
  evaluated: 10,
  labelled: 4,
  champion_thresholds: { review: 0.3, decline: 0.8 },
  champion: { auc: 0.8, ap: 0.5, cp_at_100: 0.2, alert_rate: 0.1 },
  challenger: { auc: 0.9, ap: 0.6, cp_at_100: 0.3, alert_rate: 0.2 },
  ranking_warning: null,
  agreement: 0.9,
  disagreements: [
    {
      transaction_id: 'tx_1',
      champion: { score: 0.1, decision: 'approve' },
      challenger: { score: 0.9, decision: 'decline' },
      stored_decision: 'review',
      label: 'fraud',
    },
  ],
});

/** The deployed model's own version in these tests. */
export const DEPLOYED = 'gbdt-deployed';

/**
 * The default's entry as the backplane derives it: champion when no registered model is, the
 * roll-back target when one is and no registered model carries the marker.
 */
export const defaultEntry = (models: readonly RegisteredModel[]): DefaultModelEntry => {
  const champion = models.some((m) => m.status === 'champion');
  return {
    version: 'default',
    status: champion ? 'candidate' : 'champion',
    previous_champion: champion && !models.some((m) => m.previous_champion),
    model_version: DEPLOYED,
    thresholds: { review: 0.05, decline: 0.27 },
    thresholds_set: false,
    training_window: { start: '2018-05-08', end: '2018-07-17' },
    validation_window: { start: '2018-07-18', end: '2018-07-31' },
    metrics: {
      validation: { auc: 0.92, ap: 0.796, cp100: 0.389 },
      test: { auc: 0.8797, ap: 0.7461, cp100: 0.3371 },
    },
  };
};

/** A registry in memory with the contract's promotion rule: the old champion becomes the previous. */
export function registry(models: RegisteredModel[]) {
  const calls: string[] = [];
  let refuse: ApiError | null = null;
  const client: Pick<ApiClient, 'listModels' | 'compareModels' | 'changeModel'> = {
    listModels: () =>
      Promise.resolve({ items: models.map((m) => ({ ...m })), default: defaultEntry(models) }),
    compareModels: (q) => {
      calls.push(`compare ${q.champion} ${q.challenger} ${q.from} ${q.to}`);
      return Promise.resolve(compareAnswer(q));
    },
    changeModel: (version, action) => {
      calls.push(`${action} ${version}`);
      if (refuse) return Promise.reject(refuse);
      // The champion steps down marked previous; with none, no model keeps the marker (the
      // default was served: it is the previous one).
      const stepDown = () => {
        models = models.map((m) => ({
          ...m,
          previous_champion: m.status === 'champion',
          status: m.status === 'champion' ? 'candidate' : m.status,
        }));
      };
      if (version === 'default') {
        // Only promote reaches here in these tests; already served, nothing changes.
        if (models.some((m) => m.status === 'champion')) stepDown();
        return Promise.resolve(null);
      }
      const i = models.findIndex((m) => m.version === version);
      if (action === 'promote') {
        stepDown();
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
