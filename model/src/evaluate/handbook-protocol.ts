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

// Card Precision@k lives in core (shared with the backplane's model comparison).
export { cardPrecisionAtK } from '@vigil/core';

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
 * its habit) show in the transaction itself — counted generously, even on a card with no history,
 * so the ceiling errs high. A scenario-2 fraud (a compromised terminal; amounts unchanged) shows
 * only once a fraud at its terminal has had its label fed back (`delayDays` after that fraud) and
 * is still inside the terminal's delayed windows (the 30 days ending `delayDays` back). Until then
 * nothing about it differs from a legitimate payment: ranking it high would be luck, not
 * detection.
 *
 * A card's own confirmed frauds do not reveal a scenario-2 fraud: scenario 2 compromises
 * terminals, not cards, and when the card's earlier fraud was at this same terminal, the
 * terminal's label is back too. `cardLabelEvidence` measures both on the stream (no such fraud
 * at the card's earlier terminal; the same scenario-2 rate at unknown terminals with or without a
 * card label), and model/REPORT.md prints it. A model can beat this ceiling only by luck: the
 * unknowable frauds are ~0.2 % of a day's cards, about one card a week.
 */
export function informationCeilingScores(
  ds: KnowableInput,
  rows: Int32Array,
  delayDays = 7,
  windowDays = 30,
): Float64Array {
  const byTerminal = fraudsBy(ds, ds.terminal, (i) => ds.timeSec[i]!);
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
    const oldestDay = Math.floor(t / DAY) - delayDays - windowDays + 1;
    out[k] = labelBack(byTerminal.get(ds.terminal[r]!), t, oldestDay, delayDays) ? 1 : 0;
  }
  return out;
}

/** Scenario-2 frauds and rows at one kind of terminal-and-card situation. */
export interface RateCell {
  readonly rows: number;
  readonly s2Frauds: number;
}

/** What a card's confirmed frauds tell about a scenario-2 fraud the terminal does not reveal. */
export interface CardLabelEvidence {
  /** Rows at terminals with no fraud label back in their window, on a card with one in its 30 days. */
  readonly cardLabelled: RateCell;
  /** The same terminals, on a card with no fraud label back. */
  readonly cardClean: RateCell;
  /** Of `cardLabelled`'s scenario-2 frauds, those at a terminal where the card's known fraud was. */
  readonly atCardsFraudTerminal: number;
}

/**
 * Evidence for leaving card labels out of the oracle, over rows whose time is in [fromSec, toSec):
 * among rows whose terminal has no fraud label back in its delayed window (scenario-1 and -3
 * frauds left out: their amounts reveal them anyway), the scenario-2 fraud rate on cards with a
 * fraud label back in their own 30-day window against cards without one.
 */
export function cardLabelEvidence(
  ds: KnowableInput,
  fromSec: number,
  toSec: number,
  delayDays = 7,
  windowDays = 30,
): CardLabelEvidence {
  const byTerminal = fraudsBy(ds, ds.terminal, (i) => ds.timeSec[i]!);
  const byCard = fraudsBy(ds, ds.customer, (i) => ({
    t: ds.timeSec[i]!,
    terminal: ds.terminal[i]!,
  }));
  const labelled = { rows: 0, s2Frauds: 0 };
  const clean = { rows: 0, s2Frauds: 0 };
  let atSameTerminal = 0;
  for (let i = 0; i < ds.length; i++) {
    const t = ds.timeSec[i]!;
    if (t < fromSec || t >= toSec) continue;
    const fraud = ds.isFraud[i] === 1;
    if (fraud && ds.scenario[i] !== 2) continue;
    const day = Math.floor(t / DAY);
    if (labelBack(byTerminal.get(ds.terminal[i]!), t, day - delayDays - windowDays + 1, delayDays))
      continue;
    const cardKnown = (byCard.get(ds.customer[i]!) ?? []).filter(
      (f) => f.t + delayDays * DAY <= t && Math.floor(f.t / DAY) >= day - windowDays + 1,
    );
    const cell = cardKnown.length > 0 ? labelled : clean;
    cell.rows++;
    if (!fraud) continue;
    cell.s2Frauds++;
    if (cardKnown.some((f) => f.terminal === ds.terminal[i])) atSameTerminal++;
  }
  return { cardLabelled: labelled, cardClean: clean, atCardsFraudTerminal: atSameTerminal };
}

/** Something of each fraud, grouped by a key column, in time order (the stream is). */
function fraudsBy<T>(ds: KnowableInput, key: Int32Array, of: (row: number) => T): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (let i = 0; i < ds.length; i++) {
    if (ds.isFraud[i] !== 1) continue;
    let list = m.get(key[i]!);
    if (!list) m.set(key[i]!, (list = []));
    list.push(of(i));
  }
  return m;
}

/** A fraud in `list` whose label is back at time t and whose day is on or after `oldestDay`. */
function labelBack(
  list: readonly number[] | undefined,
  t: number,
  oldestDay: number,
  delayDays: number,
): boolean {
  return (list ?? []).some((tf) => tf + delayDays * DAY <= t && Math.floor(tf / DAY) >= oldestDay);
}
