/**
 * The drift reference written into a model's metadata: deciles of the reference rows (ties merged,
 * so a binary feature gets two bins, not ten) and each bin's share, binned by core's driftBin —
 * the function the backplane bins live traffic with.
 */
import { driftBin, type BinnedDistribution, type DriftReference } from '@vigil/core';

const QUANTILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** Decile edges and bin shares of some values (NaN left out). */
export function binnedDistribution(values: ArrayLike<number>): BinnedDistribution {
  const finite = Float64Array.from(values).filter((x) => Number.isFinite(x));
  finite.sort();
  const edges: number[] = [];
  if (finite.length > 0) {
    for (const q of QUANTILES) {
      // Edge values are read back as float64; features are float32, exact in float64.
      const e = finite[Math.min(finite.length - 1, Math.floor(q * finite.length))]!;
      if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
    }
  }
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const x of finite) counts[driftBin(edges, x)]!++;
  const n = Math.max(1, finite.length);
  const proportions = counts.map((c) => c / n);
  // An empty input: one bin holding everything, so the shares still sum to 1.
  if (finite.length === 0) proportions[0] = 1;
  return { edges, proportions };
}

/**
 * The reference of a model: its score and every feature over the given rows of a row-major
 * feature matrix.
 */
export function driftReference(
  rowsLabel: string,
  featureNames: readonly string[],
  X: Float32Array,
  rows: ArrayLike<number>,
  scores: ArrayLike<number>,
): DriftReference {
  const nf = featureNames.length;
  const column = new Float64Array(rows.length);
  const features = featureNames.map((name, f) => {
    for (let k = 0; k < rows.length; k++) column[k] = X[rows[k]! * nf + f]!;
    return { name, ...binnedDistribution(column) };
  });
  return { rows: rowsLabel, score: binnedDistribution(scores), features };
}
