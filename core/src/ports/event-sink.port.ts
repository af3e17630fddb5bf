import type { Decision } from '../policy/decision.js';
import type { Feedback } from '../schema/feedback.js';
import type { Transaction } from '../schema/transaction.js';

/**
 * What the edge tells the rest of the system. Deliberately minimal: the backplane issue turns these
 * into versioned, schema-validated events with a stable `event_id` (assigned where they are signed
 * and batched, so that retries of one delivery are harmless).
 */
export interface DecisionEvent {
  readonly type: 'decision';
  readonly transaction: Transaction;
  readonly score: number;
  readonly decision: Decision;
  readonly reasons: readonly {
    readonly code: string;
    readonly feature: string;
    readonly contribution: number;
  }[];
  readonly model_version: string;
  readonly degraded: boolean;
  /** Wall-clock time of the decision, RFC 3339 (the transaction's own time is in `transaction`). */
  readonly scored_at: string;
  /** Where the decision was made: 'node' or 'workers'. */
  readonly runtime: string;
}

export interface FeedbackEvent {
  readonly type: 'feedback';
  readonly transaction_id: string;
  readonly label: Feedback['label'];
  /** When the label became known, as the caller sent it. */
  readonly timestamp: string;
  /** Who sent it: 'api' for the scoring API's feedback endpoints. */
  readonly source: string;
}

export type EdgeEvent = DecisionEvent | FeedbackEvent;

/**
 * Where decisions and feedback go after the answer. `emit` must not block or throw: an adapter
 * buffers, batches, signs and retries on its own time, off the latency path.
 */
export interface EventSink {
  emit(events: readonly EdgeEvent[]): void;
}
