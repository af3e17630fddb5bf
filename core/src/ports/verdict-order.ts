import type { StoreLabel } from './feature-store.port.js';

/**
 * Which of a transaction's verdicts is in force, one rule for the edge's feature stores and for
 * PostgreSQL. The backplane keeps as `transactions.label` the verdict with the latest
 * `(ts, event_id)` (backplane/migrations/002_label_order.sql), `ts` being the verdict's
 * `timestamp` as a `timestamptz` holds it and `event_id` core's feedbackEventId,
 * `fb:<transaction>:<label>:<timestamp>`. For one transaction, two verdicts at the same `ts` with
 * different labels are ordered by the label (`legitimate` after `fraud`, whatever the collation:
 * the ids agree up to it); with the same label they differ in nothing a feature reads. So the key
 * here is (time in microseconds as PostgreSQL rounds it, label), and a verdict that arrives after
 * a later one changes nothing — the edge then counts what the dashboard shows.
 */

/** The verdict time of a record written before verdict times were kept: before any verdict. */
export const UNKNOWN_VERDICT_TIME_US = Number.NEGATIVE_INFINITY;

// The parts of an RFC 3339 date-time: everything but the fraction, and the fraction.
const FRACTION = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * A verdict's time as PostgreSQL's timestamptz holds it: epoch microseconds, an integer. Finer
 * fractions are rounded as PostgreSQL rounds them — `rint(strtod(fraction) × 10⁶)`, half to even
 * on the double (datetime.c, ParseFractionalSecond) — so `…00.0000005Z` is 0 µs and `…00.0000015Z`
 * is 2 µs there and here. Written here because no date library rounds as PostgreSQL does. NaN for
 * a string that is not an RFC 3339 date-time (the API's schema refuses those first).
 */
export function verdictTimeUs(timestamp: string): number {
  const m = FRACTION.exec(timestamp);
  if (!m) return Number.NaN;
  const seconds = Date.parse(`${m[1]!}${m[3]!}`) / 1000;
  return seconds * 1_000_000 + (m[2] === undefined ? 0 : roundHalfEven(Number(m[2]) * 1_000_000));
}

/** C's rint in the default rounding mode: to the nearest integer, ties to even. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const rest = x - floor;
  if (rest !== 0.5) return rest < 0.5 ? floor : floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The verdict a record holds: none yet, or its label and time (UNKNOWN_VERDICT_TIME_US if unknown). */
export type VerdictInForce =
  undefined | { readonly label: StoreLabel['label']; readonly timeUs: number };

/**
 * Whether `next` takes over from the verdict in force: a later time, or the same time and a label
 * that PostgreSQL's tie-break puts after it (`legitimate` after `fraud`). An equal verdict does
 * not: repeating a verdict changes nothing. A taking-over verdict with the same label changes no
 * count but its time becomes the one in force, so an older verdict arriving later still loses.
 * The Redis stores' Lua script (edge/src/stores/feature-store-lua.ts) mirrors this.
 */
export function verdictSupersedes(
  current: VerdictInForce,
  next: { readonly label: StoreLabel['label']; readonly timeUs: number },
): boolean {
  if (current === undefined) return true;
  if (next.timeUs !== current.timeUs) return next.timeUs > current.timeUs;
  return labelRank(next.label) > labelRank(current.label);
}

const labelRank = (label: StoreLabel['label']): number => (label === 'legitimate' ? 1 : 0);
