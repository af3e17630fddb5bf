import { F, N_FEATURES } from './feature-names.js';
import { labelAt, maxAt, OP_LABEL, OP_MAX, OP_RING_ADD, ringAdd } from './state-ops.js';
import {
  CUSTOMER_DAYS,
  CUSTOMER_FRAUD_FIELD,
  CUSTOMER_HEADER,
  CUSTOMER_SLOT,
  LABEL_DELAY_DAYS,
  TERMINAL_DAYS,
  TERMINAL_HEADER,
  TERMINAL_SLOT,
  customerSlot,
  mod,
  terminalSlot,
  type CustomerState,
  type TerminalState,
} from './state-layout.js';

const DAY_S = 86_400;
/** Cap of `seconds_since_prev_tx`, and its value when the customer has no earlier event. */
export const MAX_GAP_S = 30 * DAY_S;

/** What the engine reads of a transaction: event time and amount. */
export interface EngineEvent {
  /** Event time, epoch seconds (UTC). Windows follow it, never the wall clock. */
  readonly timeSec: number;
  /** Amount in the currency's major unit. */
  readonly amount: number;
}

/** UTC day number of an event time. */
export function dayOf(timeSec: number): number {
  return Math.floor(timeSec / DAY_S);
}

/**
 * Compute the feature vector of `tx` from the states as they were before it, into
 * `out[offset … offset + N_FEATURES)`. Reads only; call `updateCustomer` / `updateTerminal`
 * afterwards (or use `step`) to fold the transaction in.
 *
 * Customer windows of n days are the transaction's own UTC day and the n − 1 before it, including
 * the transaction itself. Terminal windows of n days end LABEL_DELAY_DAYS before the
 * transaction's day, so they hold only transactions whose labels have had time to arrive.
 */
export function computeFeatures(
  customer: CustomerState,
  terminal: TerminalState,
  tx: EngineEvent,
  out: Float32Array,
  offset = 0,
): void {
  const t = tx.timeSec;
  const amount = tx.amount;
  const day = dayOf(t);
  const secOfDay = t - day * DAY_S;
  // 1970-01-01 was a Thursday: (day + 4) % 7 gives 0 = Sunday … 6 = Saturday.
  const weekday = (((day + 4) % 7) + 7) % 7;
  const hour = Math.floor(secOfDay / 3600);

  // Customer day buckets, before this transaction: counts and sums over 1, 7 and 30 days. The
  // ring index walks backwards from today's slot instead of recomputing a modulo per bucket.
  let n1 = 0;
  let s1 = 0;
  let n7 = 0;
  let s7 = 0;
  let n30 = 0;
  let s30 = 0;
  let q30 = 0;
  let max30 = 0;
  let kf30 = 0;
  let newestFraudBack = -1;
  let slot = mod(day, CUSTOMER_DAYS);
  for (let back = 0; back < CUSTOMER_DAYS; back++) {
    const o = CUSTOMER_HEADER + slot * CUSTOMER_SLOT;
    slot = slot === 0 ? CUSTOMER_DAYS - 1 : slot - 1;
    if (customer[o] !== day - back) continue;
    const c = customer[o + 1]!;
    const s = customer[o + 2]!;
    if (back === 0) {
      n1 += c;
      s1 += s;
    }
    if (back < 7) {
      n7 += c;
      s7 += s;
    }
    n30 += c;
    s30 += s;
    q30 += customer[o + 3]!;
    const m = customer[o + 4]!;
    if (m > max30) max30 = m;
    const kf = customer[o + CUSTOMER_FRAUD_FIELD]!;
    if (kf > 0) {
      kf30 += kf;
      if (newestFraudBack < 0) newestFraudBack = back;
    }
  }

  // Terminal buckets: windows [day − 7 − n + 1, day − 7] and today's traffic.
  let tn1 = 0;
  let tf1 = 0;
  let tn7 = 0;
  let tf7 = 0;
  let tn30 = 0;
  let tf30 = 0;
  // Oldest day in the window with a known fraud: how long this terminal's fraud episode has run.
  let oldestFraudBack = -1;
  const firstDay = day - LABEL_DELAY_DAYS;
  slot = mod(firstDay, TERMINAL_DAYS);
  for (let k = 0; k < 30; k++) {
    const o = TERMINAL_HEADER + slot * TERMINAL_SLOT;
    slot = slot === 0 ? TERMINAL_DAYS - 1 : slot - 1;
    if (terminal[o] !== firstDay - k) continue;
    const c = terminal[o + 1]!;
    const f = terminal[o + 2]!;
    if (k === 0) {
      tn1 += c;
      tf1 += f;
    }
    if (k < 7) {
      tn7 += c;
      tf7 += f;
    }
    tn30 += c;
    tf30 += f;
    if (f > 0) oldestFraudBack = k;
  }
  const to = terminalSlot(day);
  const today = terminal[to] === day ? terminal[to + 1]! : 0;

  // Customer history before this transaction: mean, spread and maximum over 30 days.
  const prevMean = n30 > 0 ? s30 / n30 : 0;
  const prevVar = n30 > 1 ? Math.max(0, (q30 - n30 * prevMean * prevMean) / (n30 - 1)) : 0;
  const last = customer[0]!;
  const gap =
    last === Number.NEGATIVE_INFINITY ? MAX_GAP_S : Math.min(MAX_GAP_S, Math.max(0, t - last));

  const o = offset;
  out[o + F.amount] = amount;
  out[o + F.tx_during_weekend] = weekday === 0 || weekday === 6 ? 1 : 0;
  out[o + F.tx_during_night] = hour <= 6 ? 1 : 0;
  // The handbook's customer windows include the current transaction.
  out[o + F.customer_nb_tx_1d] = n1 + 1;
  out[o + F.customer_nb_tx_7d] = n7 + 1;
  out[o + F.customer_nb_tx_30d] = n30 + 1;
  out[o + F.customer_avg_amount_1d] = (s1 + amount) / (n1 + 1);
  out[o + F.customer_avg_amount_7d] = (s7 + amount) / (n7 + 1);
  out[o + F.customer_avg_amount_30d] = (s30 + amount) / (n30 + 1);
  out[o + F.terminal_nb_tx_1d_delay7] = tn1;
  out[o + F.terminal_nb_tx_7d_delay7] = tn7;
  out[o + F.terminal_nb_tx_30d_delay7] = tn30;
  out[o + F.terminal_risk_1d_delay7] = tn1 > 0 ? tf1 / tn1 : 0;
  out[o + F.terminal_risk_7d_delay7] = tn7 > 0 ? tf7 / tn7 : 0;
  out[o + F.terminal_risk_30d_delay7] = tn30 > 0 ? tf30 / tn30 : 0;
  // Against the customer's own history (excluding this transaction). With no history the ratios
  // are 1 and the z-score 0: "nothing unusual known", and customer_nb_tx_30d = 1 tells the trees
  // the difference.
  out[o + F.amount_to_mean_30d] = n30 > 0 ? amount / Math.max(prevMean, 1) : 1;
  out[o + F.amount_zscore_30d] =
    n30 > 1 ? (amount - prevMean) / Math.max(Math.sqrt(prevVar), 1) : 0;
  out[o + F.amount_to_max_30d] = n30 > 0 ? amount / Math.max(max30, 1) : 1;
  out[o + F.seconds_since_prev_tx] = gap;
  out[o + F.terminal_nb_tx_today] = today + 1;
  out[o + F.hour_of_day] = hour;
  out[o + F.terminal_fraud_age_days] = oldestFraudBack < 0 ? 0 : LABEL_DELAY_DAYS + oldestFraudBack;
  // The card's confirmed frauds: how many in its 30-day window, and how recent the newest (1 =
  // today; 0 = none known).
  out[o + F.customer_known_frauds_30d] = kf30;
  out[o + F.customer_fraud_recency_days] = newestFraudBack < 0 ? 0 : 1 + newestFraudBack;
}

/**
 * Apply a change of a transaction's fraud label to its customer (the card), like applyLabel does
 * to its terminal: the fraud counts on the transaction's own day in the card's buckets, so a card
 * with confirmed fraud reads as such in every later transaction whose 30-day window holds that day
 * (`customer_known_frauds_30d`, `customer_fraud_recency_days`). A bucket the ring has recycled
 * (a label more than 30 days late) changes nothing.
 */
export function applyCustomerLabel(
  customer: CustomerState,
  txTimeSec: number,
  delta: 1 | -1,
): void {
  const day = dayOf(txTimeSec);
  labelAt(customer, customerSlot(day), day, CUSTOMER_FRAUD_FIELD, 1, delta);
}

/**
 * Fold a transaction into its customer's state, in place. Updates commute, so events with equal
 * timestamps give the same state in any order. An event older than the ring (more than 30 days
 * behind the newest bucket in its slot) changes only what it can: it cannot be in any future
 * window.
 */
export function updateCustomer(customer: CustomerState, tx: EngineEvent): void {
  const day = dayOf(tx.timeSec);
  const a = tx.amount;
  ringAdd(customer, customerSlot(day), day, CUSTOMER_SLOT, 1, a, a * a, 0, 4, a);
  maxAt(customer, 0, tx.timeSec);
}

/** Fold a transaction into its terminal's state, in place (commutative, like updateCustomer). */
export function updateTerminal(terminal: TerminalState, tx: EngineEvent): void {
  const day = dayOf(tx.timeSec);
  ringAdd(terminal, terminalSlot(day), day, TERMINAL_SLOT, 1, 0, 0, 0, 0, 0);
}

/**
 * Apply a change of a transaction's fraud label to its terminal: `delta` = +1 when the transaction
 * becomes known as fraud, −1 when a fraud label is withdrawn. The fraud counts on the
 * transaction's own day, so it raises the terminal's risk exactly in the windows that contain that
 * day. Labels for days that have left the ring (or never reached it) change nothing; the count
 * stays within 0 … the day's transactions. Idempotency (the same label twice) is the caller's job:
 * it knows the previous label.
 */
export function applyLabel(terminal: TerminalState, txTimeSec: number, delta: 1 | -1): void {
  const day = dayOf(txTimeSec);
  labelAt(terminal, terminalSlot(day), day, 2, 1, delta);
}

/** The op program of updateCustomer, for stores that fold inside their own transaction. */
export function customerOps(tx: EngineEvent): Float64Array {
  const day = dayOf(tx.timeSec);
  const a = tx.amount;
  return Float64Array.of(
    OP_RING_ADD,
    customerSlot(day),
    day,
    CUSTOMER_SLOT,
    1,
    a,
    a * a,
    0,
    4,
    a,
    OP_MAX,
    0,
    tx.timeSec,
  );
}

/** The op program of updateTerminal. */
export function terminalOps(tx: EngineEvent): Float64Array {
  const day = dayOf(tx.timeSec);
  return Float64Array.of(OP_RING_ADD, terminalSlot(day), day, TERMINAL_SLOT, 1, 0, 0, 0, 0, 0);
}

/** The op program of applyLabel. */
export function labelOps(txTimeSec: number, delta: 1 | -1): Float64Array {
  const day = dayOf(txTimeSec);
  return Float64Array.of(OP_LABEL, terminalSlot(day), day, 2, 1, delta);
}

/** The op program of applyCustomerLabel. */
export function customerLabelOps(txTimeSec: number, delta: 1 | -1): Float64Array {
  const day = dayOf(txTimeSec);
  return Float64Array.of(OP_LABEL, customerSlot(day), day, CUSTOMER_FRAUD_FIELD, 1, delta);
}

/**
 * One transaction through the engine, in place: features into `out`, then both states folded.
 * The hot path for serving, training and backtest alike.
 */
export function stepInPlace(
  customer: CustomerState,
  terminal: TerminalState,
  tx: EngineEvent,
  out: Float32Array,
  offset = 0,
): void {
  computeFeatures(customer, terminal, tx, out, offset);
  updateCustomer(customer, tx);
  updateTerminal(terminal, tx);
}

/** Result of the pure `step`. */
export interface StepResult {
  readonly features: Float32Array;
  readonly customer: CustomerState;
  readonly terminal: TerminalState;
}

/** Pure form of `stepInPlace`: the inputs are left untouched; new states are returned. */
export function step(
  customer: CustomerState,
  terminal: TerminalState,
  tx: EngineEvent,
): StepResult {
  const c = customer.slice();
  const t = terminal.slice();
  const features = new Float32Array(N_FEATURES);
  stepInPlace(c, t, tx, features);
  return { features, customer: c, terminal: t };
}

/** Pure form of `applyLabel`. */
export function withLabel(
  terminal: TerminalState,
  txTimeSec: number,
  delta: 1 | -1,
): TerminalState {
  const t = terminal.slice();
  applyLabel(t, txTimeSec, delta);
  return t;
}
