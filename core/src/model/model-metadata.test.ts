import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../features/feature-names.js';
import { parseModelMetadata } from './model-metadata.js';

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
});
