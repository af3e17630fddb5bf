/**
 * Score thresholds per model version, as the analysts' API serves them (ARCHITECTURE.md,
 * `POST /api/thresholds/preview`; issue 16): the preview of what other thresholds would have
 * decided over the stored decisions, beside the thresholds in force, and the thresholds an
 * analyst sets for one model version, which every edge serving that version decides with.
 * One definition for the backplane that validates and stores, the edge that applies and the
 * dashboard that edits.
 */
import * as z from 'zod/mini';
import { timestampSchema } from '../schema/event-time.js';
import { storableString } from '../schema/storable-text.js';
import type { Thresholds } from './decision.js';

/** A threshold: a fraud probability in [0, 1]. */
const threshold = (what: string) =>
  z
    .number(`${what} must be a number from 0 to 1`)
    .check(z.gte(0, `${what} must be ≥ 0`), z.lte(1, `${what} must be ≤ 1`));

/**
 * A model version as decision events carry it (`model_version`: storable text, 1–200 characters),
 * so any version an edge can serve can be named.
 */
export const modelVersionSchema = storableString('model_version', 1, 200);

/** The review ≤ decline check, reported on `/decline` (the field to move). */
const ordered = z.refine<{ review: number; decline: number }>((t) => t.review <= t.decline, {
  message: 'decline must be ≥ review',
  path: ['decline'],
  // Only once both are numbers in range: a string review has no order to check.
  when: (p) => p.issues.length === 0,
});

/** `{ review, decline }`: 0 ≤ review ≤ decline ≤ 1 (score ≥ decline → decline, ≥ review → review). */
export const thresholdsSchema = z
  .strictObject(
    { review: threshold('review'), decline: threshold('decline') },
    'thresholds must be a JSON object { review, decline }',
  )
  .check(ordered);

/** `POST /api/thresholds/preview`'s body. */
export const thresholdsPreviewRequestSchema = z
  .strictObject(
    {
      review: threshold('review'),
      decline: threshold('decline'),
      /** The window on `scored_at`, as the transactions list; default: the last 30 days. */
      from: z.optional(timestampSchema),
      to: z.optional(timestampSchema),
      /**
       * Whose decisions to replay; default: the model the edges serve now, else the model of the
       * newest decision in the window.
       */
      model_version: z.optional(modelVersionSchema),
    },
    'the preview request must be a JSON object { review, decline, from?, to?, model_version? }',
  )
  .check(ordered);
export type ThresholdsPreviewRequest = z.infer<typeof thresholdsPreviewRequestSchema>;

/** Score bins of the preview's histogram over [0, 1] (bin i: i/50 ≤ score < (i+1)/50; 1 in the last). */
export const THRESHOLDS_HISTOGRAM_BINS = 50;

/** The decisions of one kind over the window. Amounts in the major unit, summed as stored. */
export interface DecisionTally {
  readonly count: number;
  readonly amount: number;
  /** Of them, labelled fraud now. */
  readonly fraud: number;
  readonly fraud_amount: number;
}

/** What one pair of thresholds decides over the window (rules keep their outcome, see docs/thresholds.md). */
export interface ThresholdsOutcome {
  readonly thresholds: Thresholds;
  readonly approve: DecisionTally;
  readonly review: DecisionTally;
  readonly decline: DecisionTally;
  /** Labelled fraud and reviewed or declined. */
  readonly frauds_caught: number;
  /** Labelled fraud and approved. */
  readonly frauds_missed: number;
  /** Labelled legitimate and reviewed or declined. */
  readonly legitimate_flagged: number;
}

/** `POST /api/thresholds/preview`'s answer. */
export interface ThresholdsPreview {
  readonly window: { readonly from: string; readonly to: string };
  /** The model version whose decisions were replayed; null when none is known (no decision, no edge). */
  readonly model_version: string | null;
  /** Decisions of that version in the window. */
  readonly evaluated: number;
  /**
   * The currencies of those decisions, sorted (null: none given, last). Amounts are summed in
   * their own currency's major unit, unconverted; `currency_note` says so when they are mixed.
   */
  readonly currencies: readonly (string | null)[];
  readonly currency_note: string;
  /**
   * Under the thresholds in force for that version (set through the API, else the model's own as
   * its edges report them); null when neither is known.
   */
  readonly current: ThresholdsOutcome | null;
  readonly proposed: ThresholdsOutcome;
  /** Decisions of the window by score bin and label (now). */
  readonly histogram: {
    readonly bins: number;
    readonly fraud: readonly number[];
    readonly legitimate: readonly number[];
    readonly unlabelled: readonly number[];
  };
  readonly elapsed_ms: number;
}

/** Thresholds set for one model version: `PUT /api/thresholds/{model_version}`'s answer. */
export interface ThresholdsSetting {
  readonly model_version: string;
  readonly review: number;
  readonly decline: number;
  readonly updated_at: string;
  readonly updated_by: string;
}

/**
 * The thresholds a model version decides with, and where they come from: `set` through the API
 * (PUT /api/thresholds/{model_version}), else the `model`'s own metadata (the registry's, as its
 * edges report it, or the deployed model's in edge/model/). The preview's `current` and the
 * backtest's model decisions are both these.
 */
export interface ThresholdsInForce {
  readonly thresholds: Thresholds;
  readonly source: 'set' | 'model';
}

/** A model version an edge reported serving (in its rules sync), with the model's own thresholds. */
export interface ServedModel {
  readonly model_version: string;
  /** The thresholds of the model's metadata. */
  readonly model_thresholds: Thresholds;
  /** What its edges decide with: the thresholds set for it, else the model's own. */
  readonly in_force: Thresholds;
  /** When an edge last reported it. */
  readonly seen_at: string;
}

/** `GET /api/thresholds`. */
export interface ThresholdsList {
  /** Every model version with thresholds set, newest change first. */
  readonly items: readonly ThresholdsSetting[];
  /** The model versions edges reported serving since the backplane started, most recent first. */
  readonly served: readonly ServedModel[];
}
