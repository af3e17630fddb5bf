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

/** What the information-ceiling oracle reads of a stream. */
export interface KnowableInput {
  readonly length: number;
  readonly timeSec: Float64Array;
  readonly terminal: Int32Array;
  readonly customer: Int32Array;
  readonly isFraud: Uint8Array;
  /** The simulator's scenario of each fraud: 1 amount, 2 compromised terminal, 3 stolen card. */
  readonly scenario: Uint8Array;
}

/**
 * Oracle scores for "the best any model could do with the information it has": 1 for a fraud that
 * something known at scoring time can reveal, 0.5 for a legitimate row, 0 for a fraud nothing can
 * reveal. Scored with `cardPrecisionAtK`, this is the CP@100 of a model that ranks every
 * revealable fraud first and cannot tell the rest from legitimate payments.
 *
 * Revealable: scenario 1 (amount over the handbook's 220) and scenario 3 (a card paying five times
 * its habit) show in the transaction itself — counted generously, even on a card with no history.
 * A scenario-2 fraud (a compromised terminal; amounts unchanged) shows only once a fraud at its
 * terminal has had its label fed back (`delayDays` after that fraud) and is still inside the
 * terminal's delayed windows (the 30 days ending `delayDays` back), or once its card has a fraud
 * whose label is back and within the card's 30-day window. Until then nothing about it
 * differs from a legitimate payment: ranking it high would be luck, not detection. A model can
 * beat this ceiling only by such luck: the unknowable frauds are ~0.2 % of a day's cards, so the
 * expected gain is about one card a week.
 */
export function informationCeilingScores(
  ds: KnowableInput,
  rows: Int32Array,
  delayDays = 7,
  windowDays = 30,
): Float64Array {
  // Fraud times by terminal and by card, in time order (the stream is).
  const byTerminal = new Map<number, number[]>();
  const byCard = new Map<number, number[]>();
  const push = (m: Map<number, number[]>, k: number, t: number) => {
    let list = m.get(k);
    if (!list) m.set(k, (list = []));
    list.push(t);
  };
  for (let i = 0; i < ds.length; i++) {
    if (ds.isFraud[i] !== 1) continue;
    push(byTerminal, ds.terminal[i]!, ds.timeSec[i]!);
    push(byCard, ds.customer[i]!, ds.timeSec[i]!);
  }
  /** A fraud in `list` whose label is back at time t and whose day is on or after `oldestDay`. */
  const known = (list: number[] | undefined, t: number, oldestDay: number) =>
    (list ?? []).some((tf) => tf + delayDays * DAY <= t && Math.floor(tf / DAY) >= oldestDay);
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    if (ds.isFraud[r] !== 1) {
      out[k] = 0.5;
      continue;
    }
    if (ds.scenario[r] !== 2) {
      out[k] = 1;
      continue;
    }
    const t = ds.timeSec[r]!;
    const day = Math.floor(t / DAY);
    const revealed =
      known(byTerminal.get(ds.terminal[r]!), t, day - delayDays - windowDays + 1) ||
      known(byCard.get(ds.customer[r]!), t, day - windowDays + 1);
    out[k] = revealed ? 1 : 0;
  }
  return out;
}
