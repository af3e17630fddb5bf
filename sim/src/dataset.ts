/**
 * The simulated dataset in columnar form (one typed array per field), the API-shaped row view of
 * one transaction and the summary printed by the CLI. Columns, not row objects: training reads
 * ~1.75M rows and per-row objects would cost seconds and hundreds of MB.
 */

export const SECONDS_PER_DAY = 86_400;

/** Transactions in time order, one typed array per field; row i is transaction `tx_i`. */
export interface SimulatedDataset {
  readonly length: number;
  /** Epoch seconds of the first day's 00:00:00Z. */
  readonly startEpochSec: number;
  /** Epoch seconds of each transaction (UTC). */
  readonly timeSec: Float64Array;
  /** Customer index. */
  readonly customer: Int32Array;
  /** Terminal index. */
  readonly terminal: Int32Array;
  /** Amount in major units, rounded to cents. */
  readonly amount: Float64Array;
  /** 0 or 1. */
  readonly isFraud: Uint8Array;
  /** 0 (genuine) or the scenario 1..3 that labelled it last. */
  readonly scenario: Uint8Array;
}

export type FraudScenario = 0 | 1 | 2 | 3;

/** One transaction as the scoring API sees it, plus the simulator's labels. */
export interface SimulatedRecord {
  transaction_id: string;
  timestamp: string;
  customer_id: string;
  terminal_id: string;
  amount: number;
  currency: 'EUR';
  is_fraud: 0 | 1;
  fraud_scenario: FraudScenario;
}

export interface DatasetSummary {
  transactions: number;
  frauds: number;
  /** frauds ÷ transactions (a fraction, not a percentage); 0 for an empty dataset. */
  fraud_rate: number;
  scenarios: { s1: number; s2: number; s3: number };
  /** Distinct customers / terminals that have at least one transaction. */
  customers: number;
  terminals: number;
  /** Days from `start` to the last transaction's day, inclusive. */
  days: number;
  /** YYYY-MM-DD of startEpochSec. */
  start: string;
  first_timestamp: string | null;
  last_timestamp: string | null;
  per_day: { transactions: number[]; frauds: number[] };
}

const PAD2: readonly string[] = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/**
 * A formatter of epoch seconds as RFC 3339 'YYYY-MM-DDTHH:MM:SSZ' (fractions truncated). It caches
 * the date part of the last day seen, so formatting a time-sorted column costs no Date per row.
 */
export function createTimestampFormatter(): (epochSec: number) => string {
  let cachedDay = Number.NaN;
  let prefix = '';
  return (epochSec) => {
    const s = Math.floor(epochSec);
    const day = Math.floor(s / SECONDS_PER_DAY);
    if (day !== cachedDay) {
      cachedDay = day;
      prefix = new Date(day * SECONDS_PER_DAY * 1000).toISOString().slice(0, 11);
    }
    let rest = s - day * SECONDS_PER_DAY;
    const h = Math.floor(rest / 3600);
    rest -= h * 3600;
    const m = Math.floor(rest / 60);
    return `${prefix}${PAD2[h]!}:${PAD2[m]!}:${PAD2[rest - m * 60]!}Z`;
  };
}

/** Epoch seconds as RFC 3339 'YYYY-MM-DDTHH:MM:SSZ'. */
export const formatTimestamp = (epochSec: number): string => createTimestampFormatter()(epochSec);

/** The API-shaped row i of a dataset. */
export function toRecord(ds: SimulatedDataset, i: number): SimulatedRecord {
  if (!Number.isInteger(i) || i < 0 || i >= ds.length) {
    throw new RangeError(`row ${i} is out of range 0..${ds.length - 1}`);
  }
  return {
    transaction_id: `tx_${i}`,
    timestamp: formatTimestamp(ds.timeSec[i]!),
    customer_id: `c_${ds.customer[i]!}`,
    terminal_id: `t_${ds.terminal[i]!}`,
    amount: ds.amount[i]!,
    currency: 'EUR',
    is_fraud: ds.isFraud[i] ? 1 : 0,
    fraud_scenario: ds.scenario[i]! as FraudScenario,
  };
}

function countDistinct(ids: Int32Array, n: number): number {
  let max = -1;
  for (let i = 0; i < n; i++) if (ids[i]! > max) max = ids[i]!;
  const seen = new Uint8Array(max + 1);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    if (seen[id] === 0) {
      seen[id] = 1;
      count++;
    }
  }
  return count;
}

/** Counts, fraud rate, scenario labels and per-day volumes of a dataset. */
export function summarize(ds: SimulatedDataset): DatasetSummary {
  const n = ds.length;
  let frauds = 0;
  let first = Infinity;
  let last = -Infinity;
  const scenarios = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    frauds += ds.isFraud[i]!;
    const s = ds.scenario[i]!;
    if (s <= 3) scenarios[s]!++;
    const t = ds.timeSec[i]!;
    if (t < first) first = t;
    if (t > last) last = t;
  }
  const days = n === 0 ? 0 : Math.floor((last - ds.startEpochSec) / SECONDS_PER_DAY) + 1;
  const perDayTx = new Array<number>(days).fill(0);
  const perDayFraud = new Array<number>(days).fill(0);
  for (let i = 0; i < n; i++) {
    const d = Math.floor((ds.timeSec[i]! - ds.startEpochSec) / SECONDS_PER_DAY);
    if (d < 0) continue; // only possible for a hand-built dataset whose start is too late
    perDayTx[d]!++;
    perDayFraud[d]! += ds.isFraud[i]!;
  }
  return {
    transactions: n,
    frauds,
    fraud_rate: n === 0 ? 0 : frauds / n,
    scenarios: { s1: scenarios[1]!, s2: scenarios[2]!, s3: scenarios[3]! },
    customers: countDistinct(ds.customer, n),
    terminals: countDistinct(ds.terminal, n),
    days,
    start: new Date(ds.startEpochSec * 1000).toISOString().slice(0, 10),
    first_timestamp: n === 0 ? null : formatTimestamp(first),
    last_timestamp: n === 0 ? null : formatTimestamp(last),
    per_day: { transactions: perDayTx, frauds: perDayFraud },
  };
}
