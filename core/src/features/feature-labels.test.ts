import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from './feature-names.js';
import { FEATURE_LABELS, featureLabelOf } from './feature-labels.js';

describe('feature labels', () => {
  it('gives every feature a distinct, non-empty label', () => {
    const labels = FEATURE_NAMES.map((n) => FEATURE_LABELS[n].label);
    expect(labels.every((l) => l.trim().length > 0)).toBe(true);
    expect(new Set(labels).size).toBe(FEATURE_NAMES.length);
  });

  it('looks a name up, and answers null for one it does not know (or an inherited key)', () => {
    expect(featureLabelOf('amount_to_mean_30d')).toEqual({
      label: "Amount ÷ card's 30-day average",
      unit: 'ratio',
    });
    expect(featureLabelOf('no_such_feature')).toBeNull();
    expect(featureLabelOf('toString')).toBeNull();
  });
});
