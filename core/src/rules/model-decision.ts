/**
 * The model's own decision (`model_decision`) for a stored decision, which the decision event does
 * not carry: what the rules changed is recorded (`rules`, the active rules that matched), so
 *
 * - no active rule matched → the stored decision is the model's (exact);
 * - only review rules matched and the stored decision is decline → the model's was decline (a review
 *   rule never makes a decision more severe than review; exact);
 * - otherwise (an allow or block rule decided, or a review rule over a model's approve or review)
 *   the model's decision is the score under the thresholds in force for that model version: those
 *   set for it (PUT /api/thresholds), else the model's own metadata's — what its edges decide with
 *   (the backplane's `thresholdsInForce`, as the thresholds preview compares with). Only for a
 *   version whose thresholds the backplane does not know (no row set, not registered, no edge
 *   reporting it) are they estimated: bracketed by the same model version's decisions that no rule
 *   changed (approve scores < review ≤ review scores < decline ≤ decline scores), so a score on a
 *   side the stored decisions bound is decided exactly; a score in a gap between the bounds takes
 *   the gap's midpoint as the threshold. A score beyond every bound on one side (no decision seen
 *   there) keeps the stored decision.
 *
 * The thresholds are those in force now: a change of thresholds is audited but not kept as a
 * history the backtest could replay, so a window spanning a change derives the earlier decisions
 * with the later thresholds. The answer names them per model version (`model_thresholds`).
 */
import { decide, type Decision, type Thresholds } from '../policy/decision.js';
import type { ThresholdsInForce } from '../policy/thresholds-contract.js';
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
 * the active rules that matched, as stored; null or empty when none did. `basis`: the thresholds
 * in force for the row's model version, else the bounds of its rule-free decisions.
 */
export function modelDecisionOf(
  stored: Decision,
  hits: readonly RuleAction[] | null,
  score: number,
  basis: Thresholds | ModelScoreBounds | undefined,
): Decision {
  if (hits === null || hits.length === 0) return stored;
  const onlyReview = hits.every((a) => a === 'review');
  if (onlyReview && stored === 'decline') return 'decline';
  const d =
    basis === undefined
      ? stored
      : 'review' in basis
        ? decide(score, basis)
        : fromBounds(basis, score, stored);
  // Only review rules matched and the stored decision is review: the model's was approve or review.
  if (onlyReview && d === 'decline') return 'review';
  return d;
}

/** Which thresholds derived a model version's decisions, as the backtest's answer names them. */
export interface ModelThresholdsUsed {
  readonly model_version: string;
  /** null: none known for the version; estimated from its rule-free decisions' scores. */
  readonly thresholds: Thresholds | null;
  /** `set` through the API, the `model`'s own metadata, or `estimated` from the scores. */
  readonly source: ThresholdsInForce['source'] | 'estimated';
}

/**
 * The model decisions of one backtest: the thresholds in force per model version (else the
 * bounds), and which were used: for the versions of the decisions an active rule had matched.
 */
export class ModelDecisions {
  private readonly used = new Map<string, ModelThresholdsUsed>();

  constructor(
    private readonly inForce: ReadonlyMap<string, ThresholdsInForce> = new Map(),
    private readonly bounds: ReadonlyMap<string, ModelScoreBounds> = new Map(),
  ) {}

  /** modelDecisionOf for a row of `modelVersion`. */
  of(
    stored: Decision,
    hits: readonly RuleAction[] | null,
    score: number,
    modelVersion: string,
  ): Decision {
    if (hits === null || hits.length === 0) return stored;
    let u = this.used.get(modelVersion);
    if (u === undefined) {
      const t = this.inForce.get(modelVersion);
      u = t
        ? { model_version: modelVersion, thresholds: t.thresholds, source: t.source }
        : { model_version: modelVersion, thresholds: null, source: 'estimated' };
      this.used.set(modelVersion, u);
    }
    return modelDecisionOf(stored, hits, score, u.thresholds ?? this.bounds.get(modelVersion));
  }

  /** The thresholds used so far, by model version. */
  usedThresholds(): ModelThresholdsUsed[] {
    return [...this.used.values()].sort((a, b) => a.model_version.localeCompare(b.model_version));
  }
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
