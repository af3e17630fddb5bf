import { decide, type Decision, type Thresholds } from '@vigil/core';

export interface ThresholdPolicy {
  /** Share of transactions the fraud team can look at (review + decline): its alert budget. */
  readonly alertRate: number;
  /** Precision a decline must have: we only refuse a payment outright when we are this sure. */
  readonly declinePrecision: number;
  /**
   * What `alertRate` bounds: every alert, review and decline (the shipped model's policy, the
   * default), or only the reviews, the transactions people look at (`train --review-rate`):
   * declines are then set by precision alone and do not use up the reviewers' budget.
   */
  readonly budget?: 'alerts' | 'reviews';
}

/**
 * The default policy: a 1 % alert budget (about 100 cards a day on the handbook's 10,000
 * transactions, the budget Card Precision@100 assumes) and declines only at ≥ 90 % precision.
 */
export const DEFAULT_POLICY: ThresholdPolicy = { alertRate: 0.01, declinePrecision: 0.9 };

/**
 * Choose thresholds on a labelled validation window: `review` flags the top `alertRate` of
 * transactions, `decline` is the lowest score at which the transactions scoring at or above it are
 * at least `declinePrecision` fraud. Declines are a subset of alerts, so review ≤ decline.
 */
export function chooseThresholds(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  policy: ThresholdPolicy = DEFAULT_POLICY,
): Thresholds {
  const n = scores.length;
  if (n === 0) throw new Error('chooseThresholds: no validation rows');
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const budget = Math.max(1, Math.floor(policy.alertRate * n));
  let decline = 1;
  let declined = 0;
  let tp = 0;
  for (let k = 0; k < n; k++) {
    tp += labels[order[k]!]!;
    // Only at the end of a run of equal scores is "score ≥ s" a threshold one can set.
    const atEdge = k === n - 1 || scores[order[k + 1]!]! < scores[order[k]!]!;
    if (atEdge && tp / (k + 1) >= policy.declinePrecision) {
      decline = scores[order[k]!]!;
      declined = k + 1;
    }
  }
  // With a review budget, the reviews are the `budget` transactions ranked after the declines.
  const reviewed = policy.budget === 'reviews' ? Math.min(n, declined + budget) : budget;
  let review = scores[order[reviewed - 1]!]!;
  if (review > decline) review = decline;
  return { review, decline };
}

/** Decision × label counts at the given thresholds. */
export type Confusion = Record<Decision, { fraud: number; legit: number }>;

export function confusion(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  t: Thresholds,
): Confusion {
  const c: Confusion = {
    approve: { fraud: 0, legit: 0 },
    review: { fraud: 0, legit: 0 },
    decline: { fraud: 0, legit: 0 },
  };
  for (let i = 0; i < scores.length; i++) {
    const d = decide(scores[i]!, t);
    if (labels[i] === 1) c[d].fraud++;
    else c[d].legit++;
  }
  return c;
}
