/**
 * Counts live rows into the bins of a training reference and turns the counts into PSI — the pure
 * half of the backplane's drift job, which streams stored decisions into it page by page so a run
 * holds counts, never rows.
 */
import type { FeaturePsi } from './drift-contract.js';
import { driftBin, populationStability, type DriftReference } from './drift-reference.js';

export interface DriftResult {
  /** Rows added. */
  readonly rows: number;
  /** PSI of the score; null with no rows. */
  readonly score: number | null;
  /** PSI per reference feature that had at least one value, most drifting first. */
  readonly features: readonly FeaturePsi[];
}

export interface DriftAccumulator {
  /** Count one decision: its score and its features by name (a missing or non-finite one is skipped). */
  add(score: number, features: Readonly<Record<string, unknown>>): void;
  result(): DriftResult;
}

function shares(counts: Float64Array, n: number): number[] {
  return Array.from(counts, (c) => c / n);
}

/** A fresh accumulator over `reference`'s bins. */
export function createDriftAccumulator(reference: DriftReference): DriftAccumulator {
  const scoreCounts = new Float64Array(reference.score.proportions.length);
  const feats = reference.features.map((f) => ({
    ref: f,
    counts: new Float64Array(f.proportions.length),
    n: 0,
  }));
  let rows = 0;
  return {
    add(score, features) {
      rows++;
      scoreCounts[driftBin(reference.score.edges, score)]!++;
      for (const f of feats) {
        const x = features[f.ref.name];
        // A decision stored before a feature existed says nothing about that feature's drift.
        if (typeof x !== 'number' || !Number.isFinite(x)) continue;
        f.counts[driftBin(f.ref.edges, x)]!++;
        f.n++;
      }
    },
    result() {
      const features = feats
        .filter((f) => f.n > 0)
        .map((f) => ({
          feature: f.ref.name,
          psi: populationStability(f.ref.proportions, shares(f.counts, f.n)),
        }))
        .sort((a, b) => b.psi - a.psi || a.feature.localeCompare(b.feature));
      return {
        rows,
        score:
          rows === 0
            ? null
            : populationStability(reference.score.proportions, shares(scoreCounts, rows)),
        features,
      };
    },
  };
}
