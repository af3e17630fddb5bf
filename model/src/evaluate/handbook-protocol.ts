/**
 * The Fraud Detection Handbook's evaluation protocol (chapter 3, get_train_test_set and
 * card_precision_top_k), over a time-sorted stream.
 */
const DAY = 86_400;

export interface ProtocolInput {
  readonly length: number;
  readonly timeSec: Float64Array;
  readonly customer: Int32Array;
  readonly isFraud: Uint8Array;
}

/** UTC day index of a date string 'YYYY-MM-DD'. */
export function dayIndex(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`not a date: ${date}`);
  return ms / 1000 / DAY;
}

/** Rows of the test week with the known-compromised cards removed day by day. */
export interface TestSet {
  /** Row indexes into the stream, in time order. */
  readonly rows: Int32Array;
  /** Test day (0-based) of each selected row. */
  readonly day: Int32Array;
}

/**
 * Select the test set: the 7 days starting `trainStart + 14`, minus the cards known to be
 * compromised — the training week's fraudulent customers, plus, for test day k, those of day
 * `trainStart + 7 + k − 1` (the label delay means later frauds are not yet known).
 */
export function handbookTestSet(
  ds: ProtocolInput,
  trainStartDate: string,
  delayDays = 7,
  testDays = 7,
): TestSet {
  const d0 = dayIndex(trainStartDate);
  const known = new Set<number>();
  const fraudCustomersOn = (day: number) => {
    const s = new Set<number>();
    for (let i = 0; i < ds.length; i++) {
      if (ds.isFraud[i] === 1 && Math.floor(ds.timeSec[i]! / DAY) === day) s.add(ds.customer[i]!);
    }
    return s;
  };
  for (let d = d0; d < d0 + 7; d++) for (const c of fraudCustomersOn(d)) known.add(c);
  const rows: number[] = [];
  const days: number[] = [];
  for (let k = 0; k < testDays; k++) {
    for (const c of fraudCustomersOn(d0 + 7 + k - 1)) known.add(c);
    const day = d0 + 7 + delayDays + k;
    for (let i = 0; i < ds.length; i++) {
      if (Math.floor(ds.timeSec[i]! / DAY) === day && !known.has(ds.customer[i]!)) {
        rows.push(i);
        days.push(k);
      }
    }
  }
  return { rows: Int32Array.from(rows), day: Int32Array.from(days) };
}

/**
 * Card Precision@k: per test day, each card's highest score and whether it had a fraud that day;
 * the share of frauds among the top k cards; cards found on earlier days are left out of later
 * ones; averaged over the days.
 */
export function cardPrecisionAtK(
  customer: ArrayLike<number>,
  day: ArrayLike<number>,
  label: ArrayLike<number>,
  score: ArrayLike<number>,
  k = 100,
): number {
  const days = [...new Set(Array.from(day))].sort((a, b) => a - b);
  const detected = new Set<number>();
  let total = 0;
  for (const d of days) {
    const best = new Map<number, { score: number; fraud: number }>();
    for (let i = 0; i < day.length; i++) {
      if (day[i] !== d) continue;
      const c = customer[i]!;
      if (detected.has(c)) continue;
      const b = best.get(c);
      if (!b) best.set(c, { score: score[i]!, fraud: label[i]! });
      else {
        if (score[i]! > b.score) b.score = score[i]!;
        if (label[i]! > b.fraud) b.fraud = label[i]!;
      }
    }
    const ranked = [...best.entries()].sort((a, b) => b[1].score - a[1].score).slice(0, k);
    let hits = 0;
    for (const [c, v] of ranked) {
      if (v.fraud === 1) {
        hits++;
        detected.add(c);
      }
    }
    total += hits / k;
  }
  return days.length ? total / days.length : 0;
}
