/** Hyper-parameters of the GBDT trainer, their defaults and their validation. */

export type EvalMetric = 'ap' | 'logloss' | 'auc';

export interface GbdtParams {
  /** Boosting rounds (trees) at most. */
  readonly nRounds: number;
  /** Shrinkage applied to every leaf output. */
  readonly learningRate: number;
  /** Maximum depth of a leaf (root = depth 0). */
  readonly maxDepth: number;
  /**
   * Maximum leaves per tree. Trees grow best-first (the open leaf with the largest gain splits
   * next), so a small `maxLeaves` gives LightGBM-style loss-guided trees; the default 2^maxDepth
   * never binds and the result is the same tree as XGBoost-style depth-wise growth.
   */
  readonly maxLeaves: number;
  /** L2 penalty on leaf weights. */
  readonly lambda: number;
  /** Minimum hessian sum in each child of a split. */
  readonly minChildWeight: number;
  /** Minimum gain ½[G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)] for a split to be made. */
  readonly gamma: number;
  /** Fraction of rows drawn (Bernoulli, per tree) to grow each tree. */
  readonly subsample: number;
  /** Fraction of features drawn (without replacement, per tree). */
  readonly colsampleByTree: number;
  /** Bins per feature, at most 255. */
  readonly maxBins: number;
  /** Rows sampled to compute the bin edges. */
  readonly binSampleSize: number;
  /** Extra weight multiplying every positive row (on top of per-row weights). */
  readonly scalePosWeight: number;
  /** Stop when the validation metric has not improved for this many rounds (0 = never). */
  readonly earlyStoppingRounds: number;
  /** Validation metric for early stopping. */
  readonly evalMetric: EvalMetric;
  /** Seed of the trainer's PRNG (binning sample, row and feature subsampling). */
  readonly seed: number;
}

export const DEFAULT_PARAMS: Omit<GbdtParams, 'maxLeaves'> = {
  nRounds: 300,
  learningRate: 0.1,
  maxDepth: 6,
  lambda: 1,
  minChildWeight: 1,
  gamma: 0,
  subsample: 1,
  colsampleByTree: 1,
  maxBins: 255,
  binSampleSize: 200_000,
  scalePosWeight: 1,
  earlyStoppingRounds: 50,
  evalMetric: 'ap',
  seed: 0,
};

function check(ok: boolean, what: string, value: unknown): void {
  if (!ok) throw new RangeError(`gbdt: invalid ${what}: ${String(value)}`);
}

/** Fill defaults and reject out-of-range values. */
export function resolveParams(given: Partial<GbdtParams> = {}): GbdtParams {
  const maxDepth = given.maxDepth ?? DEFAULT_PARAMS.maxDepth;
  const p: GbdtParams = {
    ...DEFAULT_PARAMS,
    maxLeaves: 2 ** Math.min(maxDepth, 16),
    ...given,
  };
  const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
  check(int(p.nRounds, 1), 'nRounds', p.nRounds);
  check(p.learningRate > 0, 'learningRate', p.learningRate);
  check(int(p.maxDepth, 1) && p.maxDepth <= 30, 'maxDepth', p.maxDepth);
  check(int(p.maxLeaves, 2) && p.maxLeaves <= 65_536, 'maxLeaves', p.maxLeaves);
  check(p.lambda >= 0, 'lambda', p.lambda);
  check(p.minChildWeight >= 0, 'minChildWeight', p.minChildWeight);
  check(p.gamma >= 0, 'gamma', p.gamma);
  check(p.subsample > 0 && p.subsample <= 1, 'subsample', p.subsample);
  check(p.colsampleByTree > 0 && p.colsampleByTree <= 1, 'colsampleByTree', p.colsampleByTree);
  check(int(p.maxBins, 2) && p.maxBins <= 255, 'maxBins', p.maxBins);
  check(int(p.binSampleSize, 1), 'binSampleSize', p.binSampleSize);
  check(p.scalePosWeight > 0, 'scalePosWeight', p.scalePosWeight);
  check(int(p.earlyStoppingRounds, 0), 'earlyStoppingRounds', p.earlyStoppingRounds);
  check(['ap', 'logloss', 'auc'].includes(p.evalMetric), 'evalMetric', p.evalMetric);
  check(Number.isSafeInteger(p.seed) && p.seed >= 0, 'seed', p.seed);
  return p;
}
