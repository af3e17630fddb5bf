/**
 * The embedded feature store: states, transaction records and saved answers in Maps, for
 * `npm run start:edge`, tests and single-process deployments. It runs core's state operations
 * directly, so it yields exactly the states the Redis stores (which run the same ops in Lua) do.
 *
 * Retention is bounded by event time, not by count: whenever the newest event day seen advances,
 * records (with their answers and labels) older than `retentionDays` behind it are dropped, and so
 * are customer and terminal states whose newest activity is older than that. Dropping a state is
 * exact, not an approximation, for any transaction up to `retentionDays − 37` days behind the
 * newest one: no feature window reaches back further than 37 days (30-day terminal windows ending
 * 7 days back; the customer gap is capped at 30 days), so a state that old reads as empty anyway.
 * Consequences, documented in edge/README.md: a transaction id is idempotent for `retentionDays`
 * of event time, a label for an older transaction is answered as unknown, and a far-future
 * timestamp expires everything older (event time, not the wall clock, drives the store).
 */
import {
  applyCustomerLabel,
  applyLabel,
  CUSTOMER_STATE_LENGTH,
  dayOf,
  newCustomerState,
  newTerminalState,
  TERMINAL_DAYS,
  TERMINAL_HEADER,
  TERMINAL_SLOT,
  TERMINAL_STATE_LENGTH,
  updateCustomer,
  updateTerminal,
  type CustomerState,
  type FeatureStore,
  type LabelBatchOutcome,
  type LabelOutcome,
  type StepOutcome,
  type StoreLabel,
  type StoreTransaction,
  type TerminalState,
  samePayload,
} from '@vigil/core';

/** Default retention: the 37-day feature reach plus 8 days for late events and late feedback. */
export const DEFAULT_RETENTION_DAYS = 45;

const DAY_S = 86_400;
const NO_LABEL = 0;
const FRAUD = 1;
const LEGITIMATE = 2;
type LabelState = typeof NO_LABEL | typeof FRAUD | typeof LEGITIMATE;

/** What the store remembers of a scored transaction. */
class TxRecord {
  label: LabelState = NO_LABEL;
  answer: string | undefined = undefined;
  constructor(
    readonly customerId: string,
    readonly terminalId: string,
    readonly timeSec: number,
    readonly amount: number,
    readonly day: number,
  ) {}
}

export interface MemoryFeatureStoreOptions {
  /** Days of event time kept behind the newest event seen (≥ 38; default 45). */
  readonly retentionDays?: number;
}

/** Sizes, for tests and diagnostics. */
export interface MemoryStoreStats {
  readonly customers: number;
  readonly terminals: number;
  readonly records: number;
}

/** Newest day a terminal state holds (its ring's largest day tag). */
function newestTerminalDay(t: TerminalState): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (let d = 0; d < TERMINAL_DAYS; d++) {
    const tag = t[TERMINAL_HEADER + d * TERMINAL_SLOT]!;
    if (tag > newest) newest = tag;
  }
  return newest;
}

/** The in-memory FeatureStore. Every method is synchronous inside, hence atomic. */
export class MemoryFeatureStore implements FeatureStore {
  private readonly customers = new Map<string, CustomerState>();
  private readonly terminals = new Map<string, TerminalState>();
  private readonly records = new Map<string, TxRecord>();
  /** Record ids by event day, so that expiry visits only what expires. */
  private readonly byDay = new Map<number, string[]>();
  private readonly retentionDays: number;
  private newestDay = Number.NEGATIVE_INFINITY;
  /** Reused engine event: the fold reads only timeSec and amount. */
  private readonly event = { timeSec: 0, amount: 0 };

  constructor(options: MemoryFeatureStoreOptions = {}) {
    const r = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
    if (!Number.isInteger(r) || r <= TERMINAL_DAYS) {
      throw new RangeError(`memory store: retentionDays must be an integer > ${TERMINAL_DAYS}`);
    }
    this.retentionDays = r;
  }

  step(txs: readonly StoreTransaction[]): Promise<StepOutcome[]> {
    const refused = this.conflicts(txs);
    if (refused) return Promise.resolve(refused);
    const out: StepOutcome[] = new Array<StepOutcome>(txs.length);
    // The states handed out, as views of one slab per kind: two allocations per call, not 2n.
    const cBefore = new Float64Array(txs.length * CUSTOMER_STATE_LENGTH);
    const tBefore = new Float64Array(txs.length * TERMINAL_STATE_LENGTH);
    let newest = this.newestDay;
    for (let i = 0; i < txs.length; i++) {
      const tx = txs[i]!;
      const seen = this.records.get(tx.transactionId);
      if (seen) {
        out[i] = seen.answer === undefined ? PENDING : { kind: 'replay', answer: seen.answer };
        continue;
      }
      let customer = this.customers.get(tx.customerId);
      if (!customer) this.customers.set(tx.customerId, (customer = newCustomerState()));
      let terminal = this.terminals.get(tx.terminalId);
      if (!terminal) this.terminals.set(tx.terminalId, (terminal = newTerminalState()));
      // The port hands out the states before the transaction; the live ones are folded in place.
      const c = cBefore.subarray(i * CUSTOMER_STATE_LENGTH, (i + 1) * CUSTOMER_STATE_LENGTH);
      const t = tBefore.subarray(i * TERMINAL_STATE_LENGTH, (i + 1) * TERMINAL_STATE_LENGTH);
      c.set(customer);
      t.set(terminal);
      out[i] = { kind: 'fresh', customer: c, terminal: t };
      this.event.timeSec = tx.timeSec;
      this.event.amount = tx.amount;
      updateCustomer(customer, this.event);
      updateTerminal(terminal, this.event);
      const day = dayOf(tx.timeSec);
      this.records.set(
        tx.transactionId,
        new TxRecord(tx.customerId, tx.terminalId, tx.timeSec, tx.amount, day),
      );
      let ids = this.byDay.get(day);
      if (!ids) this.byDay.set(day, (ids = []));
      ids.push(tx.transactionId);
      if (day > newest) newest = day;
    }
    if (newest > this.newestDay) {
      this.newestDay = newest;
      this.expire();
    }
    return Promise.resolve(out);
  }

  /**
   * The outcomes of a call that reuses an id with another payload — against its record, or
   * against its first occurrence in this call — or undefined if none does. Checked before
   * anything is folded, so a refused call changes nothing.
   */
  private conflicts(txs: readonly StoreTransaction[]): StepOutcome[] | undefined {
    let out: StepOutcome[] | undefined;
    // First occurrences of ids not recorded yet: only a batch can repeat one.
    const first = txs.length > 1 ? new Map<string, StoreTransaction>() : undefined;
    for (let i = 0; i < txs.length; i++) {
      const tx = txs[i]!;
      const seen = this.records.get(tx.transactionId);
      let same = true;
      if (seen) same = samePayload(seen, tx);
      else if (first) {
        const f = first.get(tx.transactionId);
        if (f) same = samePayload(f, tx);
        else first.set(tx.transactionId, tx);
      }
      if (!same) (out ??= new Array<StepOutcome>(txs.length).fill(SKIPPED))[i] = CONFLICT;
    }
    return out;
  }

  saveAnswers(
    answers: readonly { readonly transactionId: string; readonly answer: string }[],
  ): Promise<void> {
    for (const { transactionId, answer } of answers) {
      const r = this.records.get(transactionId);
      // The first answer stands; an expired record has nothing left to answer for.
      if (r && r.answer === undefined) r.answer = answer;
    }
    return Promise.resolve();
  }

  label(labels: readonly StoreLabel[]): Promise<LabelBatchOutcome> {
    const unknown: number[] = [];
    for (let i = 0; i < labels.length; i++) {
      if (!this.records.has(labels[i]!.transactionId)) unknown.push(i);
    }
    if (unknown.length > 0) return Promise.resolve({ ok: false, unknown });
    const outcomes: LabelOutcome[] = [];
    for (const l of labels) {
      const r = this.records.get(l.transactionId)!;
      const next = l.label === 'fraud' ? FRAUD : LEGITIMATE;
      if (r.label === next) {
        outcomes.push('unchanged');
        continue;
      }
      // Only a change into or out of `fraud` moves the fraud counts of the terminal and the card.
      const delta = next === FRAUD ? 1 : r.label === FRAUD ? -1 : 0;
      if (delta !== 0) {
        const terminal = this.terminals.get(r.terminalId);
        if (terminal) applyLabel(terminal, r.timeSec, delta);
        const customer = this.customers.get(r.customerId);
        if (customer) applyCustomerLabel(customer, r.timeSec, delta);
      }
      r.label = next;
      outcomes.push('applied');
    }
    return Promise.resolve({ ok: true, outcomes });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Current sizes. */
  stats(): MemoryStoreStats {
    return {
      customers: this.customers.size,
      terminals: this.terminals.size,
      records: this.records.size,
    };
  }

  /** Drop records and states older than the retention behind the newest event day. */
  private expire(): void {
    const cutoff = this.newestDay - this.retentionDays;
    for (const [day, ids] of this.byDay) {
      if (day >= cutoff) continue;
      for (const id of ids) {
        // The id may have expired before and come back on a later day: keep that record.
        if (this.records.get(id)?.day === day) this.records.delete(id);
      }
      this.byDay.delete(day);
    }
    const cutoffSec = cutoff * DAY_S;
    for (const [id, c] of this.customers) if (c[0]! < cutoffSec) this.customers.delete(id);
    for (const [id, t] of this.terminals)
      if (newestTerminalDay(t) < cutoff) this.terminals.delete(id);
  }
}

const PENDING: StepOutcome = { kind: 'pending' };
const CONFLICT: StepOutcome = { kind: 'conflict' };
const SKIPPED: StepOutcome = { kind: 'skipped' };

/** The embedded default FeatureStore. */
export function createMemoryFeatureStore(options?: MemoryFeatureStoreOptions): MemoryFeatureStore {
  return new MemoryFeatureStore(options);
}
