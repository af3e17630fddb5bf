import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../features/feature-names.js';
import * as z from 'zod/mini';
import { toFieldIssues } from '../schema/issues.js';
import {
  parseModelMetadata,
  parseTrainedModelMetadata,
  trainedModelMetadataSchema,
} from './model-metadata.js';

const window = { start: '2018-04-01', end: '2018-07-31' };
const metrics = { auc: 0.9, ap: 0.6, cp100: 0.3 };
const metadata = {
  version: 'gbdt-test',
  feature_names: [...FEATURE_NAMES],
  thresholds: { review: 0.3, decline: 0.7 },
  training: {
    seed: 1,
    train_window: window,
    validation_window: window,
    rows: 10,
    frauds: 1,
    trees: 1,
    params: {},
  },
  metrics: { validation: metrics, test: metrics },
};

describe('parseModelMetadata', () => {
  it('takes metadata trained on this build’s features', () => {
    expect(parseModelMetadata(metadata).version).toBe('gbdt-test');
  });

  it('refuses a version no decision event could carry into Postgres', () => {
    for (const version of ['', 'gbdt\u0000', 'gbdt-\ud800', 'v'.repeat(201)])
      expect(() => parseModelMetadata({ ...metadata, version })).toThrow(/version/);
  });

  it('refuses a field it does not know, at any level, rather than dropping it', () => {
    expect(() => parseModelMetadata({ ...metadata, notes: 'x' })).toThrow(/notes/);
    const training = { ...metadata.training, label_delay_day: 7 };
    expect(() => parseModelMetadata({ ...metadata, training })).toThrow(/label_delay_day/);
    const thresholds = { review: 0.3, decline: 0.7, block: 0.9 };
    expect(() => parseModelMetadata({ ...metadata, thresholds })).toThrow(/block/);
  });

  it('keeps training.params whole: the trainer’s parameters are free-form', () => {
    const params = { learning_rate: 0.1, custom: { note: 'ours' } };
    const m = parseModelMetadata({ ...metadata, training: { ...metadata.training, params } });
    expect(m.training.params).toEqual(params);
  });
});

describe('parseTrainedModelMetadata', () => {
  const bins = { edges: [0.5], proportions: [0.4, 0.6] };
  const days = { start: '2021-01-01', end: '2021-02-01' };
  const trained = {
    ...metadata,
    version: 'train-20210301-0123abcd',
    training: {
      ...metadata.training,
      train_window: days,
      validation_window: days,
      source: 'file',
      data_span: { first: '2021-01-01T00:00:00Z', last: '2021-03-01T00:00:00Z' },
      transactions: 1000,
      test_window: days,
      label_delay_days: 7,
      policy: { review_rate: 0.01, decline_precision: 0.9 },
    },
    metrics: {
      validation: metrics,
      test: {
        ...metrics,
        alert_rate: 0.01,
        review_rate: 0.008,
        decline_rate: 0.002,
        transactions: 500,
        frauds: 9,
      },
    },
    reference: {
      rows: 'validation window',
      score: bins,
      features: FEATURE_NAMES.map((name) => ({ name, ...bins })),
    },
  };

  it('takes what train writes, which the edge’s parser takes too', () => {
    expect(parseTrainedModelMetadata(trained).reference.features).toHaveLength(
      FEATURE_NAMES.length,
    );
    expect(parseModelMetadata(trained).version).toBe(trained.version);
  });

  it('refuses a field it does not know, naming its path, at any level', () => {
    const unknownAt = (input: unknown) => {
      const r = z.safeParse(trainedModelMetadataSchema, input);
      return r.success ? [] : toFieldIssues(r.error.issues).map((i) => i.path);
    };
    expect(unknownAt(trained)).toEqual([]);
    expect(unknownAt({ ...trained, notes: 'x' })).toEqual(['/notes']);
    const training = { ...trained.training, policy: { ...trained.training.policy, extra: 1 } };
    expect(unknownAt({ ...trained, training })).toEqual(['/training/policy/extra']);
    const test = { ...trained.metrics.test, f1: 0.5 };
    expect(unknownAt({ ...trained, metrics: { ...trained.metrics, test } })).toEqual([
      '/metrics/test/f1',
    ]);
    const score = { ...trained.reference.score, cover: [1] };
    expect(unknownAt({ ...trained, reference: { ...trained.reference, score } })).toEqual([
      '/reference/score/cover',
    ]);
    // The edge's parser reads trained metadata as strictly.
    expect(() => parseModelMetadata({ ...trained, notes: 'x' })).toThrow(/notes/);
  });

  it('refuses the shipped model’s shorter metadata: no drift reference, no test window', () => {
    expect(() => parseTrainedModelMetadata(metadata)).toThrow();
  });

  it('refuses a drift reference whose features are not the model’s, or whose shares are off', () => {
    const features = trained.reference.features.slice(1);
    expect(() =>
      parseTrainedModelMetadata({ ...trained, reference: { ...trained.reference, features } }),
    ).toThrow(/drift reference/);
    const score = { edges: [0.5], proportions: [0.4, 0.5] };
    expect(() =>
      parseTrainedModelMetadata({ ...trained, reference: { ...trained.reference, score } }),
    ).toThrow(/sum to 1/);
  });
});
