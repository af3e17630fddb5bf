import { driftBin } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { binnedDistribution, driftReference } from './drift-bins.js';

describe('binnedDistribution', () => {
  it('cuts deciles, each holding a tenth of distinct values', () => {
    const d = binnedDistribution(Array.from({ length: 1000 }, (_, i) => i));
    expect(d.edges).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(d.proportions).toEqual(new Array(10).fill(0.1));
  });

  it('merges tied edges: a binary feature gets the bins it can fill', () => {
    const d = binnedDistribution([
      ...new Array<number>(70).fill(0),
      ...new Array<number>(30).fill(1),
    ]);
    expect(d.edges).toEqual([0, 1]);
    expect(d.proportions).toEqual([0, 0.7, 0.3]);
    expect(driftBin(d.edges, 1)).toBe(2);
  });

  it('still sums to 1 with nothing to bin', () => {
    expect(binnedDistribution([NaN])).toEqual({ edges: [], proportions: [1] });
  });
});

describe('driftReference', () => {
  it('bins each feature column of the chosen rows and the scores', () => {
    const X = Float32Array.from([1, 10, 2, 20, 3, 30]);
    const r = driftReference('rows', ['a', 'b'], X, [0, 2], [0.1, 0.9]);
    expect(r.features.map((f) => f.name)).toEqual(['a', 'b']);
    expect(r.features[1]!.edges).toEqual([10, 30]);
    expect(r.features[1]!.proportions).toEqual([0, 0.5, 0.5]);
    expect(r.score.proportions.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
  });
});
