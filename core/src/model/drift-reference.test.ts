import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { binnedDistributionSchema, driftBin, populationStability } from './drift-reference.js';

describe('driftBin', () => {
  it('puts x in the bin whose lower edge it reaches', () => {
    const edges = [1, 2, 5];
    expect([0.5, 1, 1.5, 2, 4.9, 5, 99].map((x) => driftBin(edges, x))).toEqual([
      0, 1, 1, 2, 2, 3, 3,
    ]);
    expect(driftBin([], 3)).toBe(0);
  });
});

describe('populationStability', () => {
  it('is 0 for the same shares and grows as they move apart', () => {
    const e = [0.25, 0.25, 0.25, 0.25];
    expect(populationStability(e, e)).toBe(0);
    const small = populationStability(e, [0.3, 0.2, 0.25, 0.25]);
    const large = populationStability(e, [0.7, 0.1, 0.1, 0.1]);
    expect(small).toBeGreaterThan(0);
    expect(large).toBeGreaterThan(0.25);
    expect(small).toBeLessThan(0.1);
  });

  it('stays finite when a bin is empty on one side', () => {
    expect(Number.isFinite(populationStability([0.5, 0.5], [1, 0]))).toBe(true);
  });
});

describe('binnedDistributionSchema', () => {
  it('refuses shares that do not match the bins or do not sum to 1', () => {
    expect(
      z.safeParse(binnedDistributionSchema, { edges: [1], proportions: [0.5, 0.5] }).success,
    ).toBe(true);
    expect(z.safeParse(binnedDistributionSchema, { edges: [1], proportions: [1] }).success).toBe(
      false,
    );
    expect(
      z.safeParse(binnedDistributionSchema, { edges: [1], proportions: [0.5, 0.4] }).success,
    ).toBe(false);
    expect(
      z.safeParse(binnedDistributionSchema, { edges: [2, 1], proportions: [0.5, 0.25, 0.25] })
        .success,
    ).toBe(false);
  });
});
