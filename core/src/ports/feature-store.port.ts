import type { CustomerState, TerminalState } from '../features/state-layout.js';

/** What a feature store needs of a transaction being scored. */
export interface StoreTransaction {
  readonly transactionId: string;
  readonly customerId: string;
  readonly terminalId: string;
  /** Event time, epoch seconds. */
  readonly timeSec: number;
  readonly amount: number;
}

/**
 * Outcome of the store's one atomic step for a transaction:
 * - `fresh`: first sight. The store has folded the transaction into both states and recorded it
 *   (for feedback and idempotency); `customer` and `terminal` are the states *before* it, from
 *   which the caller computes the features.
 * - `replay`: seen before; `answer` is the first answer, exactly as saved by `saveAnswer`.
 * - `pending`: seen before, but its answer is not saved yet (a concurrent duplicate).
 */
export type StepOutcome =
  | { readonly kind: 'fresh'; readonly customer: CustomerState; readonly terminal: TerminalState }
  | { readonly kind: 'replay'; readonly answer: string }
  | { readonly kind: 'pending' };

/** Outcome of a label for a recorded transaction. */
export type LabelOutcome = 'applied' | 'unchanged';

/** A label for a recorded transaction. */
export interface StoreLabel {
  readonly transactionId: string;
  readonly label: 'fraud' | 'legitimate';
}

/** Labels are all-or-nothing: either every transaction was known and all applied, or none. */
export type LabelBatchOutcome =
  | { readonly ok: true; readonly outcomes: readonly LabelOutcome[] }
  | { readonly ok: false; readonly unknown: readonly number[] };

/**
 * Per-customer and per-terminal state plus the transaction records, behind one port. Adapters:
 * in memory (the embedded default), Redis over Upstash REST, Redis over TCP. All run core's state
 * operations (core/src/features/state-ops.ts), so every adapter yields the same states for the
 * same stream.
 */
export interface FeatureStore {
  /**
   * Atomically and in order, for each transaction: idempotency check, read both states, fold the
   * transaction in, record it. Later items see earlier ones (a batch is processed in order). One
   * round trip for the whole list on remote stores.
   */
  step(txs: readonly StoreTransaction[]): Promise<StepOutcome[]>;
  /**
   * Save the answers returned for fresh transactions (opaque strings, the serialised responses),
   * so that replays return them. Adapters may defer the write to their next round trip.
   */
  saveAnswers(
    answers: readonly { readonly transactionId: string; readonly answer: string }[],
  ): Promise<void>;
  /**
   * Apply labels atomically: a fraud label counts at the transaction's terminal on the
   * transaction's own day; the same label twice changes nothing; `legitimate` after `fraud`
   * withdraws the fraud. Any unknown transaction → nothing is applied.
   */
  label(labels: readonly StoreLabel[]): Promise<LabelBatchOutcome>;
  /** Flush deferred writes and release connections. */
  close(): Promise<void>;
}
