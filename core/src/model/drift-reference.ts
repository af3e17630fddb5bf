/**
 * The training reference a model carries for drift: for its score and each feature, bin edges and
 * the share of reference rows in each bin. Population stability (PSI) compares live shares with
 * these; training writes the reference and the backplane computes PSI with the same two functions
 * below, so a bin means the same thing on both sides.
 */
import * as z from 'zod/mini';

/**
 * Bin of `x` for ascending `edges`: 0 below edges[0], k for edges[k-1] ≤ x < edges[k], and
 * edges.length at or above the last edge — edges.length + 1 bins in all. NaN goes to bin 0.
 */
export function driftBin(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x >= edges[mid]!) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Smallest share a bin counts with in PSI: an empty bin would make ln(0) infinite. */
export const PSI_EPSILON = 1e-4;

/**
 * Population stability index of `actual` shares against `expected` ones (same bins):
 * Σ (a − e) · ln(a / e), shares floored at {@link PSI_EPSILON}. 0.1 is the usual "watch" line and
 * 0.25 the "act" one.
 */
export function populationStability(
  expected: readonly number[],
  actual: readonly number[],
): number {
  if (expected.length !== actual.length)
    throw new Error(`PSI: ${expected.length} expected bins, ${actual.length} actual`);
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i]!, PSI_EPSILON);
    const a = Math.max(actual[i]!, PSI_EPSILON);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

const finite = z.number().check(z.refine(Number.isFinite, 'must be a finite number'));

const distributionShape = {
  edges: z.array(finite),
  proportions: z.array(finite.check(z.gte(0), z.lte(1))),
};

type Distribution = { edges: number[]; proportions: number[] };

/** Checks of one distribution: one share per bin (edges.length + 1), ascending edges, sum 1. */
const distributionChecks = [
  z.refine<Distribution>((d) => d.proportions.length === d.edges.length + 1, {
    message: 'proportions must have one share per bin (edges + 1)',
  }),
  z.refine<Distribution>((d) => d.edges.every((e, i) => i === 0 || d.edges[i - 1]! < e), {
    message: 'edges must be strictly ascending',
  }),
  z.refine<Distribution>((d) => Math.abs(d.proportions.reduce((s, p) => s + p, 0) - 1) < 1e-6, {
    message: 'proportions must sum to 1',
  }),
];

/** One distribution: bin edges (see {@link driftBin}) and the share of rows in each bin. */
export const binnedDistributionSchema = z
  .strictObject(distributionShape)
  .check(...distributionChecks);

export type BinnedDistribution = z.infer<typeof binnedDistributionSchema>;

// Strict, as the trained metadata around it: a field PSI does not know is refused, not dropped.
export const driftReferenceSchema = z.strictObject({
  /** Which rows the distributions describe, e.g. the training window. */
  rows: z.string(),
  score: binnedDistributionSchema,
  /** One per feature, in the model's feature order. */
  features: z.array(
    z.strictObject({ name: z.string(), ...distributionShape }).check(...distributionChecks),
  ),
});

export type DriftReference = z.infer<typeof driftReferenceSchema>;
