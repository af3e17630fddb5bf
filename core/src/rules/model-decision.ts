/**
 * The model's own decision (`model_decision`) for a stored decision, which the decision event does
 * not carry: what the rules changed is recorded (`rules`, the active rules that matched), so
 *
 * - no active rule matched → the stored decision is the model's (exact);
 * - only review rules matched and the stored decision is decline → the model's was decline (a review
 *   rule never makes a decision more severe than review; exact);
 * - otherwise (an allow or block rule decided, or a review rule over a model's approve or review)
 *   the model's decision is the score under that model version's thresholds. The thresholds in
 *   force then are not stored; they are bracketed by the same model version's decisions that no
 *   rule changed (approve scores < review ≤ review scores < decline ≤ decline scores), so a score
 *   on a side the stored decisions bound is decided exactly; a score in a gap between the bounds
 *   takes the gap's midpoint as the threshold. A score beyond every bound on one side (no decision
 *   seen there) keeps the stored decision.
 */
import type { Decision } from '../policy/decision.js';
import type { RuleAction } from './rules-contract.js';

/** The scores of one model version's decisions that no rule changed, by decision. */
export interface ModelScoreBounds {
  /** Highest score decided approve (−∞ when none). */
  maxApprove: number;
  minReview: number;
  maxReview: number;
  /** Lowest score decided decline (+∞ when none). */
  minDecline: number;
}

/** Empty bounds: no decision seen. */
export function emptyBounds(): ModelScoreBounds {
  return { maxApprove: -Infinity, minReview: Infinity, maxReview: -Infinity, minDecline: Infinity };
}

/** Widen `b` by one rule-free decision. */
export function addToBounds(b: ModelScoreBounds, decision: Decision, score: number): void {
  if (decision === 'approve') b.maxApprove = Math.max(b.maxApprove, score);
  else if (decision === 'decline') b.minDecline = Math.min(b.minDecline, score);
  else {
    b.minReview = Math.min(b.minReview, score);
    b.maxReview = Math.max(b.maxReview, score);
  }
}

/**
 * The model's decision for a stored decision (see the file's comment). `hits` are the actions of
 * the active rules that matched, as stored; null or empty when none did.
 */
export function modelDecisionOf(
  stored: Decision,
  hits: readonly RuleAction[] | null,
  score: number,
  bounds: ModelScoreBounds | undefined,
): Decision {
  if (hits === null || hits.length === 0) return stored;
  const onlyReview = hits.every((a) => a === 'review');
  if (onlyReview && stored === 'decline') return 'decline';
  const d = bounds === undefined ? stored : fromBounds(bounds, score, stored);
  // Only review rules matched and the stored decision is review: the model's was approve or review.
  if (onlyReview && d === 'decline') return 'review';
  return d;
}

/** The decision the bounds give a score; in a gap, the nearer side of its midpoint; else `stored`. */
function fromBounds(b: ModelScoreBounds, score: number, stored: Decision): Decision {
  if (score <= b.maxApprove) return 'approve';
  if (score >= b.minDecline) return 'decline';
  if (score >= b.minReview && score <= b.maxReview) return 'review';
  // In a gap: the nearest bound below (approve's or review's highest) and above (review's or
  // decline's lowest); the thresholds lie between, the midpoint is the estimate.
  const below: [number, Decision] =
    b.maxReview < score && b.maxReview > b.maxApprove
      ? [b.maxReview, 'review']
      : [b.maxApprove, 'approve'];
  const above: [number, Decision] =
    b.minReview > score && b.minReview < b.minDecline
      ? [b.minReview, 'review']
      : [b.minDecline, 'decline'];
  if (below[0] === -Infinity || above[0] === Infinity) return stored;
  return score < (below[0] + above[0]) / 2 ? below[1] : above[1];
}
