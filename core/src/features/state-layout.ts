/**
 * Compact per-customer and per-terminal state: one Float64Array each, a ring of day buckets tagged
 * with their day number, so memory is fixed whatever the history length. A bucket whose tag is not
 * the day asked for is empty (it was never written, or it has been recycled for a later day).
 *
 * Float64 keeps amount sums exact to the cent far beyond any realistic card volume and lets the
 * whole state move as one buffer (Redis value, Durable Object storage, structured clone).
 */

/** Days of customer history: the longest customer window. */
export const CUSTOMER_DAYS = 30;
/** Customer header: [time of the latest event seen (epoch s; -Infinity when none)]. */
export const CUSTOMER_HEADER = 1;
/**
 * Per customer day bucket: [day, count, sum of amounts, sum of squared amounts, max amount, known
 * frauds].
 */
export const CUSTOMER_SLOT = 6;
/** Field of a customer bucket holding the day's confirmed frauds (applyCustomerLabel). */
export const CUSTOMER_FRAUD_FIELD = 5;
export const CUSTOMER_STATE_LENGTH = CUSTOMER_HEADER + CUSTOMER_DAYS * CUSTOMER_SLOT;
/** Bytes of one customer's state (1,448). */
export const CUSTOMER_STATE_BYTES = CUSTOMER_STATE_LENGTH * 8;

/** Labels arrive 7 days after a transaction: terminal windows end this many days back. */
export const LABEL_DELAY_DAYS = 7;
/** Days of terminal history: the 30-day window ending 7 days back, plus the 7 days since. */
export const TERMINAL_DAYS = 30 + LABEL_DELAY_DAYS;
/** Terminal header: none today; kept as a constant so the layout can grow without guesswork. */
export const TERMINAL_HEADER = 0;
/** Per terminal day bucket: [day, transactions, known frauds]. */
export const TERMINAL_SLOT = 3;
export const TERMINAL_STATE_LENGTH = TERMINAL_HEADER + TERMINAL_DAYS * TERMINAL_SLOT;
/** Bytes of one terminal's state (888). */
export const TERMINAL_STATE_BYTES = TERMINAL_STATE_LENGTH * 8;

/** Tag of a bucket that has never been written. */
export const EMPTY_DAY = -1e9;

/** A customer's state: see the layout constants above. */
export type CustomerState = Float64Array;
/** A terminal's state: see the layout constants above. */
export type TerminalState = Float64Array;

/** A fresh customer state with every bucket empty. */
export function newCustomerState(): CustomerState {
  const s = new Float64Array(CUSTOMER_STATE_LENGTH);
  s[0] = Number.NEGATIVE_INFINITY;
  for (let d = 0; d < CUSTOMER_DAYS; d++) s[CUSTOMER_HEADER + d * CUSTOMER_SLOT] = EMPTY_DAY;
  return s;
}

/** A fresh terminal state with every bucket empty. */
export function newTerminalState(): TerminalState {
  const s = new Float64Array(TERMINAL_STATE_LENGTH);
  for (let d = 0; d < TERMINAL_DAYS; d++) s[TERMINAL_HEADER + d * TERMINAL_SLOT] = EMPTY_DAY;
  return s;
}

/** Offset of the bucket that holds `day` (it holds it only if its tag equals `day`). */
export function customerSlot(day: number): number {
  return CUSTOMER_HEADER + mod(day, CUSTOMER_DAYS) * CUSTOMER_SLOT;
}

export function terminalSlot(day: number): number {
  return TERMINAL_HEADER + mod(day, TERMINAL_DAYS) * TERMINAL_SLOT;
}

/** Non-negative remainder (day numbers before 1970 are negative). */
export function mod(a: number, n: number): number {
  const r = a % n;
  return r < 0 ? r + n : r;
}
