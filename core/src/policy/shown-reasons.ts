/**
 * Which reasons a person is shown. An approval still carries the features that nudged its score
 * up, but a nudge of a few hundredths of a log-odd on a payment that sailed through is noise to
 * an analyst; a rule's reason, or a contribution that moved the score for real, is not.
 */
import type { Decision } from './decision.js';

/**
 * Least contribution (log-odds) for a feature's reason on an approval to be shown: 0.5 multiplies
 * the odds by ~1.65 — a push an analyst would want to know of even when the payment passed.
 */
export const APPROVAL_REASON_MIN_CONTRIBUTION = 0.5;

/** A reason as the views hold it: a rule's (`rule` set) or a feature's with its contribution. */
export interface WeighedReason {
  readonly rule?: string;
  readonly contribution?: number;
}

/** The reasons worth showing for a decision: all of a review's or decline's; an approval's weighty ones. */
export function reasonsWorthShowing<R extends WeighedReason>(
  decision: Decision,
  reasons: readonly R[],
): readonly R[] {
  if (decision !== 'approve') return reasons;
  return reasons.filter(
    (r) => r.rule !== undefined || (r.contribution ?? 0) >= APPROVAL_REASON_MIN_CONTRIBUTION,
  );
}
