/**
 * What other thresholds would have decided over stored decisions: the engine behind
 * `POST /api/thresholds/preview`, pure and fed one row at a time, so the backplane can stream any
 * number of rows through it with bounded memory. Each row is decided by the edge's own policy
 * (`decide`) and the edge's rule precedence (`decisionAfterRules`): a decision an active rule made
 * keeps that rule's outcome — allow → approve, block → decline, review → at least review.
 */
import { decisionAfterRules } from '../rules/apply-rules.js';
import { decide, type Decision, type Thresholds } from './decision.js';
import {
  THRESHOLDS_HISTOGRAM_BINS,
  type DecisionTally,
  type ThresholdsOutcome,
} from './thresholds-contract.js';

/** Bits of `PreviewRow.rules`: which actions the active rules that matched the row took. */
export const RULE_MATCHED_ALLOW = 1;
export const RULE_MATCHED_BLOCK = 2;
export const RULE_MATCHED_REVIEW = 4;

/** The label of a stored decision now: 1 fraud, 2 legitimate, 0 none. */
export const LABEL_NONE = 0;
export const LABEL_FRAUD = 1;
export const LABEL_LEGITIMATE = 2;
export type PreviewLabel = typeof LABEL_NONE | typeof LABEL_FRAUD | typeof LABEL_LEGITIMATE;

/** One stored decision, as few fields as the preview reads. */
export interface PreviewRow {
  /** The model's probability, in [0, 1]. */
  readonly score: number;
  readonly amount: number;
  /** ISO 4217 as received; null when the transaction gave none. */
  readonly currency: string | null;
  readonly label: PreviewLabel;
  /** RULE_MATCHED_* bits of the stored `rules` (0: no active rule matched). */
  readonly rules: number;
}

/** The RULE_MATCHED_* bits of a decision's stored rule hits (`[{ id, action }]`, or null). */
export function ruleBits(hits: readonly { readonly action: string }[] | null): number {
  let bits = 0;
  for (const h of hits ?? []) {
    if (h.action === 'allow') bits |= RULE_MATCHED_ALLOW;
    else if (h.action === 'block') bits |= RULE_MATCHED_BLOCK;
    else if (h.action === 'review') bits |= RULE_MATCHED_REVIEW;
  }
  return bits;
}

/** The decision a stored row gets under `t`: the model's by `decide`, then the rules' precedence. */
export function decisionUnder(t: Thresholds, score: number, rules: number): Decision {
  const model = decide(score, t);
  if (rules === 0) return model;
  return decisionAfterRules(
    model,
    (rules & RULE_MATCHED_ALLOW) !== 0,
    (rules & RULE_MATCHED_BLOCK) !== 0,
    (rules & RULE_MATCHED_REVIEW) !== 0,
  );
}

const SLOT: Readonly<Record<Decision, number>> = { approve: 0, review: 1, decline: 2 };
// Per decision slot, the accumulators below, side by side in one typed array.
const COUNT = 0;
const AMOUNT = 1;
const FRAUD = 2;
const FRAUD_AMOUNT = 3;
const LEGITIMATE = 4;
const WIDTH = 5;

/** Sums are kept exact to the double; answers are rounded to this many decimals of the unit. */
const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** One pair of thresholds' tallies. */
class OutcomeTally {
  readonly acc = new Float64Array(3 * WIDTH);
  constructor(readonly thresholds: Thresholds) {}

  add(row: PreviewRow): void {
    const base = SLOT[decisionUnder(this.thresholds, row.score, row.rules)] * WIDTH;
    const acc = this.acc;
    acc[base + COUNT]! += 1;
    acc[base + AMOUNT]! += row.amount;
    if (row.label === LABEL_FRAUD) {
      acc[base + FRAUD]! += 1;
      acc[base + FRAUD_AMOUNT]! += row.amount;
    } else if (row.label === LABEL_LEGITIMATE) acc[base + LEGITIMATE]! += 1;
  }

  tally(d: Decision): DecisionTally {
    const base = SLOT[d] * WIDTH;
    return {
      count: this.acc[base + COUNT]!,
      amount: round(this.acc[base + AMOUNT]!),
      fraud: this.acc[base + FRAUD]!,
      fraud_amount: round(this.acc[base + FRAUD_AMOUNT]!),
    };
  }

  outcome(): ThresholdsOutcome {
    const a = this.acc;
    const at = (d: Decision, k: number) => a[SLOT[d] * WIDTH + k]!;
    return {
      thresholds: { review: this.thresholds.review, decline: this.thresholds.decline },
      approve: this.tally('approve'),
      review: this.tally('review'),
      decline: this.tally('decline'),
      frauds_caught: at('review', FRAUD) + at('decline', FRAUD),
      frauds_missed: at('approve', FRAUD),
      legitimate_flagged: at('review', LEGITIMATE) + at('decline', LEGITIMATE),
    };
  }
}

/** The histogram bin of a score: i/50 ≤ score < (i+1)/50, a score of 1 in the last bin. */
export function scoreBin(score: number): number {
  const i = Math.floor(score * THRESHOLDS_HISTOGRAM_BINS);
  return i < 0 ? 0 : i >= THRESHOLDS_HISTOGRAM_BINS ? THRESHOLDS_HISTOGRAM_BINS - 1 : i;
}

/**
 * The preview's running totals: `add` every row of the window once, then read `outcome`s and the
 * histogram. `current` is null when the thresholds in force are not known.
 */
export class ThresholdsPreviewTally {
  evaluated = 0;
  private readonly proposedTally: OutcomeTally;
  private readonly currentTally: OutcomeTally | null;
  private readonly bins = [
    new Float64Array(THRESHOLDS_HISTOGRAM_BINS),
    new Float64Array(THRESHOLDS_HISTOGRAM_BINS),
    new Float64Array(THRESHOLDS_HISTOGRAM_BINS),
  ] as const;

  constructor(proposed: Thresholds, current: Thresholds | null) {
    this.proposedTally = new OutcomeTally(proposed);
    this.currentTally = current === null ? null : new OutcomeTally(current);
  }

  private readonly currencySet = new Set<string | null>();

  add(row: PreviewRow): void {
    this.evaluated++;
    this.currencySet.add(row.currency);
    this.proposedTally.add(row);
    this.currentTally?.add(row);
    this.bins[row.label][scoreBin(row.score)]! += 1;
  }

  get proposed(): ThresholdsOutcome {
    return this.proposedTally.outcome();
  }

  get current(): ThresholdsOutcome | null {
    return this.currentTally?.outcome() ?? null;
  }

  /** The currencies of the rows added, sorted, null (none given) last: the amounts' units. */
  get currencies(): (string | null)[] {
    const named = [...this.currencySet].filter((c): c is string => c !== null).sort();
    return this.currencySet.has(null) ? [...named, null] : named;
  }

  /** Decisions by score bin: fraud, legitimate and unlabelled (labels as they are now). */
  get histogram(): {
    bins: number;
    fraud: number[];
    legitimate: number[];
    unlabelled: number[];
  } {
    return {
      bins: THRESHOLDS_HISTOGRAM_BINS,
      fraud: Array.from(this.bins[LABEL_FRAUD]),
      legitimate: Array.from(this.bins[LABEL_LEGITIMATE]),
      unlabelled: Array.from(this.bins[LABEL_NONE]),
    };
  }
}
