import type { CustomerState, TerminalState } from '../features/state-layout.js';
import type { ListChange, ListKind } from '../rules/rules-contract.js';
import type { VelocityStateKind } from '../rules/velocity-names.js';

/** What a feature store needs of a transaction being scored. */
export interface StoreTransaction {
  readonly transactionId: string;
  readonly customerId: string;
  readonly terminalId: string;
  /** Event time, epoch seconds. */
  readonly timeSec: number;
  readonly amount: number;
  /** Optional API fields the velocity counters and list checks key on (absent: not counted). */
  readonly deviceId?: string | undefined;
  readonly ip?: string | undefined;
  readonly country?: string | undefined;
}

/**
 * Outcome of the store's one atomic step for a transaction:
 * - `fresh`: first sight. The store has folded the transaction into both states and recorded it
 *   (for feedback and idempotency); `customer` and `terminal` are the states *before* it, from
 *   which the caller computes the features.
 * - `replay`: seen before with the same payload; `answer` is the first answer, exactly as saved by
 *   `saveAnswer`.
 * - `pending`: seen before with the same payload, but its answer is not saved yet (a concurrent
 *   duplicate, or a duplicate earlier in the same call).
 * - `conflict`: the id was seen before — recorded, or earlier in the same call — with a different
 *   payload. The payload is what determines the features and the score: `customerId`,
 *   `terminalId`, `timeSec` (the instant, so two spellings of one time are one payload) and
 *   `amount`, compared with `===`. The API's optional fields (currency, channel, country,
 *   device_id, ip) are not part of it: no feature reads them, so they cannot change the answer.
 *   A record that carries no payload (written by an earlier store layout) cannot tell, and
 *   replays as before. A call with any conflict applies nothing at all: no item is folded or
 *   recorded, every other item is `skipped`.
 * - `skipped`: not applied because another item of the same call is a `conflict`.
 */
export type StepOutcome =
  | {
      readonly kind: 'fresh';
      readonly customer: CustomerState;
      readonly terminal: TerminalState;
      /**
       * Core's velocity counters (VELOCITY_NAMES order), counting this transaction
       * (core/src/features/velocity-state.ts: windows, saturation, absent fields); 0 for the
       * counters of a state the step was not asked to keep (`StepOptions.velocity`).
       */
      readonly velocity: Float64Array;
      /**
       * Names of the lists one of this transaction's values (customer_id, terminal_id, device_id,
       * ip, country: each list's kind) is on, unexpired at the store's wall clock — of the kinds
       * the step was asked to read (`StepOptions.listKinds`; every kind when not given).
       */
      readonly lists: readonly string[];
    }
  | { readonly kind: 'replay'; readonly answer: string }
  | { readonly kind: 'pending' }
  | { readonly kind: 'conflict' }
  | { readonly kind: 'skipped' };

/** What a step reads beside the states. */
export interface StepOptions {
  /**
   * The list kinds to read membership of (the ruleset's `listKinds`): a kind left out costs no
   * read, and its lists are never named in `lists`. Default: every kind.
   */
  readonly listKinds?: readonly ListKind[];
  /**
   * The velocity states to keep (the ruleset's `velocityStates`): a state left out is neither read
   * nor written, and its counters are 0. Default: every state. So velocity counters are kept only
   * while a rule (active or shadow) reads them: a new velocity rule counts from its publication
   * on — publish it in shadow first and wait a day before making it active.
   */
  readonly velocity?: readonly VelocityStateKind[];
}

/** Outcome of a label for a recorded transaction. */
export type LabelOutcome = 'applied' | 'unchanged';

/** A label for a recorded transaction: a verdict, with its time. */
export interface StoreLabel {
  readonly transactionId: string;
  readonly label: 'fraud' | 'legitimate';
  /**
   * The verdict's time, epoch microseconds as PostgreSQL holds it (core's verdictTimeUs of the
   * feedback's `timestamp`): which verdict is in force is decided by it, not by arrival order.
   */
  readonly timeUs: number;
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
   * round trip for the whole list on remote stores. All payloads are checked first: if any item
   * reuses an id with another payload (`conflict`), nothing is applied.
   */
  step(txs: readonly StoreTransaction[], options?: StepOptions): Promise<StepOutcome[]>;
  /**
   * Save the answers returned for fresh transactions (opaque strings, the serialised responses),
   * so that replays return them. Adapters may defer the write to their next round trip.
   */
  saveAnswers(
    answers: readonly { readonly transactionId: string; readonly answer: string }[],
  ): Promise<void>;
  /**
   * Apply labels atomically, in order: a fraud label counts at the transaction's terminal and on
   * its card on the transaction's own day; `legitimate` in force after `fraud` withdraws the fraud.
   * Which verdict is in force is core's verdictSupersedes (verdict-order.ts): the latest by
   * (time, then PostgreSQL's tie-break), whatever the arrival order; a verdict that does not take
   * over is `unchanged` (so is the same label again, whose later time is kept). Each record keeps
   * the label and time of the verdict in force. Any unknown transaction → nothing is applied.
   */
  label(labels: readonly StoreLabel[]): Promise<LabelBatchOutcome>;
  /**
   * Apply list membership changes (from the backplane's sync), in order. Idempotent. Read by the
   * next `step` in the same atomic call as the states: list checks add no round trip.
   */
  applyListChanges(changes: readonly ListChange[], cursor?: string): Promise<void>;
  /**
   * The sync cursor of the last list changes this store holds (given with them to
   * `applyListChanges`), or null when it holds none: kept with the lists, so edges that share a
   * store (Redis, the Worker's Durable Object) continue from where the store is, and a store that
   * lost its lists (a memory store restarted) is synced from the start.
   */
  listCursor(): Promise<string | null>;
  /** Flush deferred writes and release connections. */
  close(): Promise<void>;
}
