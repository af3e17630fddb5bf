import { dayIndex } from '../evaluate/handbook-protocol.js';

/** An inclusive range of UTC dates, 'YYYY-MM-DD'. */
export interface DateWindow {
  readonly start: string;
  readonly end: string;
}

/**
 * The experiment's calendar on the handbook's default dataset (2018-04-01 + 183 days).
 * - 37 days of warm-up fill the longest windows (30 days, ending 7 days back) before training rows.
 * - Training and validation end on 2018-07-31: every label in them is known by 2018-08-07, the day
 *   before the test week, so nothing from the future leaks in.
 * - The test week and the known-compromised-card rule are the handbook's (training week from
 *   2018-07-25, 7-day delay, test 2018-08-08 … 14).
 */
export const DEFAULT_WINDOWS = {
  train: { start: '2018-05-08', end: '2018-07-17' },
  validation: { start: '2018-07-18', end: '2018-07-31' },
  handbookTrainStart: '2018-07-25',
} as const;

/** Row indexes of a time-sorted stream whose UTC day lies in the window. */
export function rowsIn(timeSec: Float64Array, w: DateWindow): Int32Array {
  const lo = dayIndex(w.start) * 86_400;
  const hi = (dayIndex(w.end) + 1) * 86_400;
  const out: number[] = [];
  for (let i = 0; i < timeSec.length; i++) {
    const t = timeSec[i]!;
    if (t >= lo && t < hi) out.push(i);
  }
  return Int32Array.from(out);
}

/** Gather rows of a row-major matrix. */
export function gatherRows(
  X: Float32Array,
  nFeatures: number,
  rows: ArrayLike<number>,
): Float32Array {
  const out = new Float32Array(rows.length * nFeatures);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    out.set(X.subarray(r * nFeatures, (r + 1) * nFeatures), k * nFeatures);
  }
  return out;
}
