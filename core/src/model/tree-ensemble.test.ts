import { describe, expect, it } from 'vitest';
import {
  contributions,
  ensembleFromJson,
  ensembleToJson,
  predictMargin,
  predictProbability,
  type TreeEnsemble,
} from './tree-ensemble.js';

// One depth-2 tree on 2 features plus a stump.
const e: TreeEnsemble = {
  nFeatures: 2,
  baseMargin: -1,
  roots: Int32Array.from([0, 5]),
  feature: Int32Array.from([0, 1, -1, -1, -1, 1, -1, -1]),
  threshold: Float32Array.from([0.5, 2, 0, 0, 0, 0.25, 0, 0]),
  left: Int32Array.from([1, 2, -1, -1, -1, 6, -1, -1]),
  right: Int32Array.from([4, 3, -1, -1, -1, 7, -1, -1]),
  value: Float64Array.from([0.2, -0.1, -0.3, 0.4, 1, 0, -0.2, 0.2]),
};

describe('tree ensemble', () => {
  it('walks with x <= threshold going left', () => {
    expect(predictMargin(e, [0.5, 2])).toBeCloseTo(-1 - 0.3 + 0.2);
    expect(predictMargin(e, [0.5, 2.1])).toBeCloseTo(-1 + 0.4 + 0.2);
    expect(predictMargin(e, [0.6, 0])).toBeCloseTo(-1 + 1 - 0.2);
    expect(predictProbability(e, [0.6, 0])).toBeCloseTo(1 / (1 + Math.exp(0.2)));
  });

  it('contributions plus bias equal the margin', () => {
    const out = new Float64Array(2);
    for (const x of [
      [0, 0],
      [0.5, 2.5],
      [3, 0.1],
      [3, 9],
    ]) {
      const bias = contributions(e, x, out);
      expect(bias + out[0]! + out[1]!).toBeCloseTo(predictMargin(e, x), 12);
    }
  });

  it('round-trips through JSON and rejects broken node arrays', () => {
    const j = ensembleToJson(e);
    expect(ensembleFromJson(JSON.parse(JSON.stringify(j)) as typeof j)).toEqual(e);
    expect(() => ensembleFromJson({ ...j, value: [1] })).toThrow(/length/);
    expect(() => ensembleFromJson({ ...j, feature: j.feature.map(() => 5) })).toThrow(/feature 5/);
  });
});
