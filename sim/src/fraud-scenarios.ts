/**
 * The handbook's three fraud scenarios, applied in order to time-sorted transactions; a later
 * scenario overwrites the label of an earlier one. Scenario 3 also changes amounts.
 */
import { roundCents, type TransactionColumns } from './transactions.js';
import { stream } from './rng.js';

export const S1_AMOUNT_THRESHOLD = 220;
export const S2_TERMINALS_PER_DAY = 2;
export const S2_WINDOW_DAYS = 28;
export const S3_CUSTOMERS_PER_DAY = 3;
export const S3_WINDOW_DAYS = 14;
export const S3_AMOUNT_FACTOR = 5;

/** Labels written in place by {@link applyFraudScenarios}. */
export interface FraudLabels {
  readonly isFraud: Uint8Array;
  readonly scenario: Uint8Array;
}

/** Row indexes grouped by an id column, in CSR form; within a group they stay in time order. */
function groupRows(
  ids: Int32Array,
  n: number,
  groups: number,
): { start: Int32Array; rows: Int32Array } {
  const start = new Int32Array(groups + 1);
  for (let i = 0; i < n; i++) start[ids[i]! + 1]!++;
  for (let g = 0; g < groups; g++) start[g + 1]! += start[g]!;
  const cursor = start.slice(0, groups);
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[cursor[ids[i]!]!++] = i;
  return { start, rows };
}

/** Rows of `group` whose day is in [from, to), in time order. */
function rowsInWindow(
  grouped: { start: Int32Array; rows: Int32Array },
  day: Int32Array,
  group: number,
  from: number,
  to: number,
  out: number[],
): void {
  for (let k = grouped.start[group]!; k < grouped.start[group + 1]!; k++) {
    const i = grouped.rows[k]!;
    const d = day[i]!;
    if (d >= to) break; // rows are time-sorted within a group
    if (d >= from) out.push(i);
  }
}

/**
 * S1: amount > 220. S2: each day, 2 terminals drawn without replacement; their transactions in
 * [day, day + 28) are fraud. S3: each day, 3 customers drawn without replacement; of their
 * transactions in [day, day + 14), ⌊n/3⌋ drawn at random get amount × 5 (in cents) and are fraud.
 * Every day of the simulation draws (the handbook's loop stops one day short, at max(day); the
 * difference is one day of one window each). Mutates `tx.amount` and returns the labels.
 */
export function applyFraudScenarios(
  tx: TransactionColumns,
  customers: number,
  terminals: number,
  days: number,
  seed: number,
): FraudLabels {
  const n = tx.length;
  const isFraud = new Uint8Array(n);
  const scenario = new Uint8Array(n);
  const mark = (i: number, s: number): void => {
    isFraud[i] = 1;
    scenario[i] = s;
  };

  for (let i = 0; i < n; i++) if (tx.amount[i]! > S1_AMOUNT_THRESHOLD) mark(i, 1);

  const rows: number[] = [];
  // Tiny test worlds may have fewer terminals or customers than a day's draw: take them all.
  const nTerminals = Math.min(S2_TERMINALS_PER_DAY, terminals);
  if (nTerminals > 0) {
    const byTerminal = groupRows(tx.terminal, n, terminals);
    for (let d = 0; d < days; d++) {
      const compromised = stream(seed, 'scenario-2', d).sample(terminals, nTerminals);
      rows.length = 0;
      for (const t of compromised) rowsInWindow(byTerminal, tx.day, t, d, d + S2_WINDOW_DAYS, rows);
      for (const i of rows) mark(i, 2);
    }
  }

  const nCustomers = Math.min(S3_CUSTOMERS_PER_DAY, customers);
  if (nCustomers > 0) {
    const byCustomer = groupRows(tx.customer, n, customers);
    for (let d = 0; d < days; d++) {
      const rng = stream(seed, 'scenario-3', d);
      const compromised = rng.sample(customers, nCustomers);
      rows.length = 0;
      for (const c of compromised) rowsInWindow(byCustomer, tx.day, c, d, d + S3_WINDOW_DAYS, rows);
      // Candidates in transaction-id order, as the handbook samples from the frame's index.
      rows.sort((a, b) => a - b);
      for (const k of rng.sample(rows.length, Math.floor(rows.length / 3))) {
        const i = rows[k]!;
        tx.amount[i] = roundCents(tx.amount[i]! * S3_AMOUNT_FACTOR);
        mark(i, 3);
      }
    }
  }
  return { isFraud, scenario };
}
