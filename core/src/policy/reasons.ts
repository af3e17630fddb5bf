import { FEATURE_NAMES, N_FEATURES, type FeatureName } from '../features/feature-names.js';
import { contributions, type TreeEnsemble } from '../model/tree-ensemble.js';
import { REASON_CODES } from './reason-codes.js';

/** One reason in an answer: which feature raised the score, and by how much (log-odds). */
export interface Reason {
  readonly code: string;
  readonly feature: FeatureName;
  readonly contribution: number;
  readonly message: string;
}

/** Each feature's `applies` by index: a message that would be false of the value is not given. */
const APPLIES = FEATURE_NAMES.map((f) => REASON_CODES[f].applies);

/** Contributions below this (log-odds) are noise, not reasons. */
export const MIN_REASON_CONTRIBUTION = 0.01;

/**
 * The top `k` features that raised the score, from each feature's contribution along the trees'
 * decision paths, leaving out a feature whose message would be false of its value (`applies`). `scratch` (length N_FEATURES) is reused across calls to keep the hot path free
 * of allocation; pass your own per-isolate buffer.
 */
export function topReasons(
  ensemble: TreeEnsemble,
  x: ArrayLike<number>,
  k = 3,
  scratch: Float64Array = new Float64Array(N_FEATURES),
  offset = 0,
): Reason[] {
  contributions(ensemble, x, scratch, offset);
  // Selection of the k largest; k is tiny, so a few linear passes beat sorting.
  const picked: number[] = [];
  for (let r = 0; r < k; r++) {
    let best = -1;
    let bestV = MIN_REASON_CONTRIBUTION;
    for (let f = 0; f < N_FEATURES; f++) {
      const v = scratch[f]!;
      if (v > bestV && !picked.includes(f) && (APPLIES[f]?.(x[offset + f]!) ?? true)) {
        best = f;
        bestV = v;
      }
    }
    if (best < 0) break;
    picked.push(best);
  }
  return picked.map((f) => {
    const feature = FEATURE_NAMES[f]!;
    const rc = REASON_CODES[feature];
    return {
      code: rc.code,
      feature,
      contribution: Math.round(scratch[f]! * 1e4) / 1e4,
      message: rc.message,
    };
  });
}
