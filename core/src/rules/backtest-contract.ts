/**
 * The rule backtest as ARCHITECTURE.md fixes it (`POST /api/rules/backtest`): the request the
 * backplane validates, and the answer the dashboard reads. A backtest re-runs the stored decisions
 * of a window (on `scored_at`, as GET /api/transactions) through the ruleset in force with the
 * candidate rule in it, with the same compileRuleset and applyRules the edge runs (backtest.ts).
 * Names are snake_case, as the rest of /api.
 */
import * as z from 'zod/mini';
import type { Decision } from '../policy/decision.js';
import type { ModelThresholdsUsed } from './model-decision.js';
import { timestampSchema } from '../schema/event-time.js';
import { storableString } from '../schema/storable-text.js';
import { MAX_EXPRESSION_LENGTH, RULE_ACTIONS, RULE_ID } from './rules-contract.js';

/** Longest default window, days back from now, when `from` is not given (as the transactions list). */
export const BACKTEST_DEFAULT_DAYS = 30;
/** Most examples an answer carries (frauds first). */
export const BACKTEST_MAX_EXAMPLES = 20;

/** `POST /api/rules/backtest`'s body. */
export const backtestRequestSchema = z.strictObject(
  {
    expression: storableString('expression', 1, MAX_EXPRESSION_LENGTH),
    action: z.enum(RULE_ACTIONS, `action must be one of ${RULE_ACTIONS.join(', ')}`),
    /**
     * scored_at ≥ from; default: `to` (or now) minus BACKTEST_DEFAULT_DAYS days. RFC 3339; the
     * backplane holds the instant to what Postgres can take (storable-time.ts).
     */
    from: z.optional(timestampSchema),
    /** scored_at < to; default: now. */
    to: z.optional(timestampSchema),
    /**
     * A rule of the ruleset in force that the candidate replaces (an edit of it); any other id is
     * added as a new rule. For a rule in `shadow` mode the answer adds its live counts (`shadow`).
     */
    rule_id: z.optional(
      z
        .string('rule_id must be a string')
        .check(z.regex(RULE_ID, 'rule_id must be 1–64 characters of a–z, 0–9 and _')),
    ),
  },
  'a backtest must be a JSON object',
);
export type BacktestRequest = z.infer<typeof backtestRequestSchema>;

/** How many decisions a rule matched, split by the label known now. */
export interface BacktestCounts {
  /** Stored decisions in the window. */
  readonly evaluated: number;
  readonly matched: number;
  readonly matched_fraud: number;
  readonly matched_legitimate: number;
  readonly matched_unlabelled: number;
}

/** One decision the candidate matched. */
export interface BacktestExample {
  readonly transaction_id: string;
  /** The label known now; null when none. */
  readonly label: 'fraud' | 'legitimate' | null;
  /** The decision stored (what the edge answered then). */
  readonly decision: Decision;
  /** The decision under the ruleset in force with the candidate. */
  readonly new_decision: Decision;
  readonly amount: number;
  readonly currency: string | null;
  readonly score: number;
  readonly scored_at: string;
}

/** `POST /api/rules/backtest`'s answer (200). */
export interface BacktestAnswer extends BacktestCounts {
  /** The window on `scored_at`: from ≤ scored_at < to. */
  readonly window: { readonly from: string; readonly to: string };
  /** The ruleset version in force that the candidate was put into (0 = none yet). */
  readonly ruleset_version: number;
  /** Decisions where the candidate failed at run time (counted as not matched, as at the edge). */
  readonly rule_errors: number;
  /**
   * The thresholds the model's own decision was derived with, per model version, for the
   * decisions an active rule had matched (the others' stored decision is the model's): those in
   * force now — `source` `set` (PUT /api/thresholds) or `model` (its metadata) — or, for a version
   * the backplane knows no thresholds of, `estimated` (null) from its rule-free decisions' scores.
   * Empty when no active rule matched a decision of the window.
   */
  readonly model_thresholds: readonly ModelThresholdsUsed[];
  /**
   * Sums of `amount` over the matched decisions, in each transaction's major unit as stored. When
   * the matched decisions carry more than one currency the sums add them unconverted, and
   * `currency_note` says so and names them; `currencies` lists them (null = none given).
   */
  readonly amount: {
    readonly matched: number;
    readonly matched_fraud: number;
    readonly matched_legitimate: number;
    readonly currencies: readonly (string | null)[];
    readonly currency_note: string;
  };
  /**
   * What the candidate changes, given the precedence: for each pair of decisions that differ, how
   * many decisions (and their amount) go `from` the ruleset in force without the candidate `to`
   * the ruleset with it. Pairs that never occur are left out; order approve, review, decline.
   */
  readonly decision_changes: readonly {
    readonly from: Decision;
    readonly to: Decision;
    readonly count: number;
    readonly amount: number;
  }[];
  /** UTC days (of scored_at) that have decisions in the window, oldest first. */
  readonly per_day: readonly {
    readonly day: string;
    readonly evaluated: number;
    readonly matched: number;
    readonly matched_fraud: number;
  }[];
  /** Up to BACKTEST_MAX_EXAMPLES matched decisions: frauds first, then newest first. */
  readonly examples: readonly BacktestExample[];
  /** Lists are read as they are now (membership and expiry at this instant), not as they were. */
  readonly lists_as_of: string;
  /** Labels are the latest verdicts known at this instant. */
  readonly labels_as_of: string;
  /**
   * When the rule reads `velocity.*`: the counters are recomputed from the stored transactions,
   * read from this instant on (the window's start less the longest velocity window); else null.
   */
  readonly velocity_from: string | null;
  /**
   * Who reads `velocity.*` of the rules run: the candidate, and the ids of the other active rules
   * that do — the counters are recomputed for any of them, so the footer says for which.
   */
  readonly velocity_read_by: { readonly candidate: boolean; readonly rules: readonly string[] };
  /**
   * For `rule_id` naming a rule in `shadow` mode: what that rule matched live (the stored
   * `shadow_rules` of the same decisions), beside the backtest's counts.
   */
  readonly shadow?: BacktestCounts & { readonly rule_id: string };
  readonly elapsed_ms: number;
}
