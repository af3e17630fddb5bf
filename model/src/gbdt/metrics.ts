/**
 * Probability metrics for binary labels, matching scikit-learn's `log_loss`, with optional per-row
 * weights. The ranking metrics (AUC, AP) live in core (ranking-metrics.ts), shared with the
 * backplane's model comparison; they are re-exported here for the trainer.
 */
import { checkMetricInputs } from '@vigil/core';

export { averagePrecision, rocAuc } from '@vigil/core';

/** Mean (weighted) log-loss of probabilities, clipped to [eps, 1 − eps] like scikit-learn. */
export function logLoss(
  y: ArrayLike<number>,
  prob: ArrayLike<number>,
  weight?: ArrayLike<number>,
  eps = 1e-15,
): number {
  checkMetricInputs(y, prob, weight);
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < y.length; i++) {
    const p = Math.min(Math.max(prob[i]!, eps), 1 - eps);
    const w = weight ? weight[i]! : 1;
    sum -= w * (y[i] === 1 ? Math.log(p) : Math.log(1 - p));
    wsum += w;
  }
  return sum / wsum;
}

/** log(1 + e^x) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/**
 * Mean (weighted) log-loss computed from raw margins (log-odds), exact where probabilities
 * would round to 0 or 1: loss = softplus(−m) for positives, softplus(m) for negatives.
 */
export function logLossFromMargin(
  y: ArrayLike<number>,
  margin: ArrayLike<number>,
  weight?: ArrayLike<number>,
): number {
  checkMetricInputs(y, margin, weight);
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < y.length; i++) {
    const m = margin[i]!;
    const w = weight ? weight[i]! : 1;
    sum += w * softplus(y[i] === 1 ? -m : m);
    wsum += w;
  }
  return sum / wsum;
}
