import { describe, expect, it } from 'vitest';
import { Rng } from '@vigil/sim';
import { averagePrecision, logLoss, logLossFromMargin, rocAuc, softplus } from './metrics.js';

/** O(n²) Mann–Whitney: every (positive, negative) pair scores 1 if ordered, ½ if tied. */
function bruteAuc(y: number[], s: number[], w: number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] === 1) continue;
      const pair = w[i]! * w[j]!;
      den += pair;
      if (s[i]! > s[j]!) num += pair;
      else if (s[i] === s[j]) num += pair / 2;
    }
  }
  return num / den;
}

/** AP from its definition: for each distinct threshold t (descending), precision at score ≥ t. */
function bruteAp(y: number[], s: number[], w: number[]): number {
  const thresholds = [...new Set(s)].sort((a, b) => b - a);
  const totalPos = y.reduce((acc, v, i) => acc + (v === 1 ? w[i]! : 0), 0);
  let ap = 0;
  let prevRecall = 0;
  for (const t of thresholds) {
    let tp = 0;
    let fp = 0;
    for (let i = 0; i < y.length; i++) {
      if (s[i]! >= t) {
        if (y[i] === 1) tp += w[i]!;
        else fp += w[i]!;
      }
    }
    const recall = tp / totalPos;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}

describe('rocAuc and averagePrecision', () => {
  it("match scikit-learn's documented example", () => {
    const y = [0, 0, 1, 1];
    const s = [0.1, 0.4, 0.35, 0.8];
    expect(rocAuc(y, s)).toBeCloseTo(0.75, 15);
    expect(averagePrecision(y, s)).toBeCloseTo(0.8333333333333333, 15);
  });

  it('treat tied scores as one threshold (hand-computed)', () => {
    // Thresholds 0.9: tp1 fp1 (P .5, R 1/3); 0.5: tp2 fp2 (P .5, R 2/3); 0.1: tp3 fp2 (P .6, R 1).
    const y = [1, 0, 1, 0, 1];
    const s = [0.9, 0.9, 0.5, 0.5, 0.1];
    expect(averagePrecision(y, s)).toBeCloseTo((0.5 + 0.5 + 0.6) / 3, 15);
    // Pairs: .9 vs {.9 tie, .5 win} = 1.5; .5 vs {.9, .5 tie} = .5; .1 = 0 → 2 / 6.
    expect(rocAuc(y, s)).toBeCloseTo(2 / 6, 15);
    // All scores tied: AUC ½, AP = prevalence.
    expect(rocAuc([1, 0, 0, 1], [3, 3, 3, 3])).toBe(0.5);
    expect(averagePrecision([1, 0, 0, 0], [3, 3, 3, 3])).toBe(0.25);
  });

  it('equal brute-force definitions on random data with many ties, weighted and not', () => {
    const rng = new Rng(1, 2, 3, 4);
    for (let trial = 0; trial < 30; trial++) {
      const n = 1 + rng.integer(60);
      const y = Array.from({ length: n }, () => (rng.uniform() < 0.3 ? 1 : 0));
      y[0] = 1;
      if (n > 1) y[1] = 0;
      const s = Array.from({ length: n }, () => rng.integer(6) / 5);
      const ones = y.map(() => 1);
      const w = y.map(() => 0.5 + rng.integer(4));
      expect(averagePrecision(y, s)).toBeCloseTo(bruteAp(y, s, ones), 12);
      expect(averagePrecision(y, s, w)).toBeCloseTo(bruteAp(y, s, w), 12);
      if (n > 1) {
        expect(rocAuc(y, s)).toBeCloseTo(bruteAuc(y, s, ones), 12);
        expect(rocAuc(y, s, w)).toBeCloseTo(bruteAuc(y, s, w), 12);
      }
    }
  });

  it('give an integer weight the same effect as repeating the row', () => {
    const y = [1, 0, 1, 0, 0];
    const s = [0.7, 0.7, 0.2, 0.4, 0.1];
    const w = [2, 1, 3, 1, 2];
    const yr: number[] = [];
    const sr: number[] = [];
    y.forEach((v, i) => {
      for (let k = 0; k < w[i]!; k++) {
        yr.push(v);
        sr.push(s[i]!);
      }
    });
    expect(rocAuc(y, s, w)).toBeCloseTo(rocAuc(yr, sr), 14);
    expect(averagePrecision(y, s, w)).toBeCloseTo(averagePrecision(yr, sr), 14);
  });

  it('are NaN with a single class and reject NaN scores', () => {
    expect(rocAuc([1, 1], [0.1, 0.2])).toBeNaN();
    expect(rocAuc([0, 0], [0.1, 0.2])).toBeNaN();
    expect(averagePrecision([0, 0], [0.1, 0.2])).toBeNaN();
    expect(() => rocAuc([0, 1], [0.1, NaN])).toThrow(RangeError);
  });
});

describe('logLoss', () => {
  it('matches a hand computation and clips 0 / 1', () => {
    const y = [1, 0, 1];
    const p = [0.8, 0.3, 0.5];
    const expected = -(Math.log(0.8) + Math.log(0.7) + Math.log(0.5)) / 3;
    expect(logLoss(y, p)).toBeCloseTo(expected, 14);
    expect(logLoss(y, p, [1, 2, 1])).toBeCloseTo(
      -(Math.log(0.8) + 2 * Math.log(0.7) + Math.log(0.5)) / 4,
      14,
    );
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(1e-15), 10);
  });

  it('from margins equals the probability form and stays finite far out', () => {
    const y = [1, 0, 1, 0];
    const m = [1.5, -0.3, -2, 0.7];
    const p = m.map((v) => 1 / (1 + Math.exp(-v)));
    expect(logLossFromMargin(y, m)).toBeCloseTo(logLoss(y, p), 14);
    expect(logLossFromMargin([1], [-800])).toBeCloseTo(800, 10);
    expect(softplus(800)).toBe(800);
    expect(softplus(-800)).toBeGreaterThanOrEqual(0);
  });
});
