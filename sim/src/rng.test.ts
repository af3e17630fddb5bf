import { describe, expect, it } from 'vitest';
import type { Rng } from './rng.js';
import { stream } from './rng.js';

const draws = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.nextUint32());

function meanVar(xs: ArrayLike<number>): { mean: number; variance: number } {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i]!;
  const mean = sum / xs.length;
  let ss = 0;
  for (let i = 0; i < xs.length; i++) ss += (xs[i]! - mean) ** 2;
  return { mean, variance: ss / (xs.length - 1) };
}

const sampleOf = (n: number, f: () => number): Float64Array => {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f();
  return out;
};

describe('stream', () => {
  it('gives the same sequence for the same (seed, purpose, id)', () => {
    expect(draws(stream(7, 'transactions', 42), 100)).toEqual(
      draws(stream(7, 'transactions', 42), 100),
    );
  });

  it('gives different sequences when seed, purpose or id changes', () => {
    const base = draws(stream(7, 'transactions', 42), 8);
    for (const other of [
      stream(8, 'transactions', 42),
      stream(7, 'transaction', 42),
      stream(7, 'transactions', 43),
      stream(7 + 2 ** 32, 'transactions', 42), // the seed's high word counts too
    ]) {
      expect(draws(other, 8)).not.toEqual(base);
    }
  });

  it('gives uncorrelated streams for neighbouring ids', () => {
    const n = 20_000;
    const a = sampleOf(
      n,
      (
        (r) => () =>
          r.uniform()
      )(stream(0, 'x', 1)),
    );
    const b = sampleOf(
      n,
      (
        (r) => () =>
          r.uniform()
      )(stream(0, 'x', 2)),
    );
    let cov = 0;
    for (let i = 0; i < n; i++) cov += (a[i]! - 0.5) * (b[i]! - 0.5);
    const correlation = cov / n / (1 / 12);
    expect(Math.abs(correlation)).toBeLessThan(4 / Math.sqrt(n));
  });

  it('rejects seeds that are not non-negative safe integers', () => {
    expect(() => stream(-1, 'x')).toThrow(RangeError);
    expect(() => stream(1.5, 'x')).toThrow(RangeError);
    expect(() => stream(0, 'x', -3)).toThrow(RangeError);
  });
});

describe('Rng distributions', () => {
  const n = 200_000;

  it('uniform() is in [0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = stream(1, 'uniform');
    const xs = sampleOf(n, () => rng.uniform());
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const { mean, variance } = meanVar(xs);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 3);
  });

  it('uniformIn(lo, hi) stays in range', () => {
    const rng = stream(1, 'uniform-in');
    const xs = sampleOf(10_000, () => rng.uniformIn(5, 100));
    expect(xs.every((x) => x >= 5 && x < 100)).toBe(true);
  });

  it('normal(mean, sd) has that mean and sd, and 95 % within 1.96 sd', () => {
    const rng = stream(2, 'normal');
    const xs = sampleOf(n, () => rng.normal(43_200, 20_000));
    const { mean, variance } = meanVar(xs);
    expect(Math.abs(mean - 43_200)).toBeLessThan(4 * (20_000 / Math.sqrt(n)));
    expect(Math.sqrt(variance) / 20_000).toBeCloseTo(1, 2);
    const inside = xs.filter((x) => Math.abs(x - 43_200) < 1.96 * 20_000).length / n;
    expect(inside).toBeCloseTo(0.95, 2);
  });

  it.each([0.3, 2, 4, 37.5])('poisson(%f) has mean and variance lambda', (lambda) => {
    const rng = stream(3, 'poisson', Math.round(lambda * 10));
    const xs = sampleOf(n, () => rng.poisson(lambda));
    expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    const { mean, variance } = meanVar(xs);
    expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / n));
    expect(variance / lambda).toBeCloseTo(1, 1);
  });

  it('poisson(0) is 0 and a negative lambda throws', () => {
    const rng = stream(3, 'poisson-edge');
    expect(rng.poisson(0)).toBe(0);
    expect(() => rng.poisson(-1)).toThrow(RangeError);
    expect(() => rng.poisson(Number.NaN)).toThrow(RangeError);
  });

  it('integer(n) covers 0..n-1 evenly (chi-square)', () => {
    const rng = stream(4, 'integer');
    const k = 10;
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) counts[rng.integer(k)]!++;
    const expected = n / k;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.9); // p = 0.001 for 9 degrees of freedom
    expect(() => rng.integer(0)).toThrow(RangeError);
  });
});

describe('Rng.sample', () => {
  it('draws k distinct values of [0, n)', () => {
    const rng = stream(5, 'sample');
    for (const [n, k] of [
      [10, 3],
      [10_000, 2],
      [5, 5],
      [7, 0],
    ] as const) {
      const s = Array.from(rng.sample(n, k));
      expect(s).toHaveLength(k);
      expect(new Set(s).size).toBe(k);
      expect(s.every((v) => Number.isInteger(v) && v >= 0 && v < n)).toBe(true);
    }
  });

  it('k = n gives a permutation', () => {
    expect(Array.from(stream(5, 'perm').sample(50, 50)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  it('picks every element equally often', () => {
    const rng = stream(6, 'sample-even');
    const n = 8;
    const counts = new Array<number>(n).fill(0);
    const rounds = 40_000;
    for (let r = 0; r < rounds; r++) for (const v of rng.sample(n, 3)) counts[v]!++;
    const expected = (rounds * 3) / n;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(24.3); // p = 0.001 for 7 degrees of freedom
  });

  it('rejects k > n', () => {
    expect(() => stream(0, 'x').sample(2, 3)).toThrow(RangeError);
  });
});
