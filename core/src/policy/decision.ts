/** What Vigil tells the checkout flow. */
export type Decision = 'approve' | 'review' | 'decline';

export const DECISIONS: readonly Decision[] = ['approve', 'review', 'decline'];

/** Score cut-offs, from the model's metadata: score ≥ decline → decline, ≥ review → review. */
export interface Thresholds {
  readonly review: number;
  readonly decline: number;
}

/** The decision for a fraud probability under the given thresholds. */
export function decide(score: number, t: Thresholds): Decision {
  if (score >= t.decline) return 'decline';
  if (score >= t.review) return 'review';
  return 'approve';
}
