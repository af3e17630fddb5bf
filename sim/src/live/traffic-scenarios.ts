/**
 * The simulator's three fraud scenarios (fraud-scenarios.ts: its threshold and amount factor) as
 * short live bursts for the traffic panel (pure plans; the backplane's sender runs them).
 *
 * The model sees a terminal's fraud only through labels with a 7-day delay (terminal windows end
 * 7 days before the transaction's day) and a card's habits only through its 30-day history. A
 * burst stamped "now" on a fresh terminal or card would show neither, so scenarios 2 and 3 first
 * lay down back-dated history — event time drives every window, so this is the same state the
 * handbook's month of data would have built — and scenario 2 labels that history fraud at the
 * edge, as the issuer's chargebacks would have.
 */
import type { TrafficScenario } from '@vigil/core';
import { S1_AMOUNT_THRESHOLD, S3_AMOUNT_FACTOR } from '../fraud-scenarios.js';
import { roundCents } from '../transactions.js';
import type { SimTransaction, TrafficGenerator } from './traffic-pool.js';

export interface Planned {
  readonly tx: SimTransaction;
  readonly isFraud: boolean;
}

export interface ScenarioPlan {
  readonly scenario: TrafficScenario;
  readonly description: string;
  /** Scored first, in order (back-dated). */
  readonly history: readonly Planned[];
  /** Transactions of `history` to label fraud at the edge before the burst. */
  readonly labels: readonly string[];
  /** The attack, stamped now. */
  readonly burst: readonly Planned[];
}

const DAY_MS = 86_400_000;
/** Scenario 1's threshold: every amount above it is fraud. */
export const S1_THRESHOLD = S1_AMOUNT_THRESHOLD;
/** Transactions in one scenario's burst. */
export const BURST = 6;

/** An amount scenario 1 calls fraud. */
function highAmount(gen: TrafficGenerator): number {
  return roundCents(gen.uniform(S1_THRESHOLD + 5, 800));
}

/** A moment on the UTC day `back` days before `nowMs`'s. */
function dayBack(gen: TrafficGenerator, nowMs: number, back: number): number {
  const dayStart = Math.floor(nowMs / DAY_MS) * DAY_MS;
  return dayStart - back * DAY_MS + Math.floor(gen.uniform(0, DAY_MS - 1_000));
}

/** S1: amounts above 220 on any terminal. */
function scenario1(gen: TrafficGenerator, nowMs: number): ScenarioPlan {
  const burst: Planned[] = [];
  for (let i = 0; i < BURST; i++) {
    const c = gen.drawCustomer();
    burst.push({
      tx: gen.make(nowMs, nowMs, c, gen.drawTerminal(c), highAmount(gen)),
      isFraud: true,
    });
  }
  return {
    scenario: 1,
    description: `${BURST} payments above ${S1_THRESHOLD} EUR on random terminals`,
    history: [],
    labels: [],
    burst,
  };
}

/** S2: a compromised terminal: its frauds of 7–13 days ago labelled, then its customers pay again. */
function scenario2(gen: TrafficGenerator, nowMs: number): ScenarioPlan {
  const t = gen.integer(gen.terminals);
  const near = gen.customersOf(t);
  const customer = () => (near.length > 0 ? near[gen.integer(near.length)]! : gen.drawCustomer());
  const history: Planned[] = [];
  for (let back = 7; back <= 13; back++) {
    const c = customer();
    history.push({
      tx: gen.make(nowMs, dayBack(gen, nowMs, back), c, t, gen.drawAmount(c)),
      isFraud: true,
    });
  }
  const burst: Planned[] = [];
  for (let i = 0; i < BURST; i++) {
    const c = customer();
    burst.push({ tx: gen.make(nowMs, nowMs, c, t, gen.drawAmount(c)), isFraud: true });
  }
  return {
    scenario: 2,
    description:
      `terminal t_sim_${t} compromised: ${history.length} frauds of the last 7–13 days ` +
      `labelled, then ${BURST} payments on it now`,
    history,
    labels: history.map((p) => p.tx.transaction_id),
    burst,
  };
}

/** S3: a compromised card: a month of normal history, then a burst where a third are ×5. */
function scenario3(gen: TrafficGenerator, nowMs: number): ScenarioPlan {
  let c = gen.drawCustomer();
  // A card whose ×5 payments are visible at all (a 5 EUR habit ×5 is still a small payment).
  for (let i = 0; i < 50 && gen.meanOf(c) < 20; i++) c = gen.drawCustomer();
  const history: Planned[] = [];
  for (let i = 0; i < 12; i++) {
    const at = nowMs - Math.floor(gen.uniform(1, 25) * DAY_MS);
    history.push({
      tx: gen.make(nowMs, at, c, gen.drawTerminal(c), gen.drawAmount(c)),
      isFraud: false,
    });
  }
  history.sort((a, b) => a.tx.timestamp.localeCompare(b.tx.timestamp));
  const frauds = new Set<number>();
  while (frauds.size < Math.floor(BURST / 3)) frauds.add(gen.integer(BURST));
  const burst: Planned[] = [];
  for (let i = 0; i < BURST; i++) {
    const isFraud = frauds.has(i);
    const amount = isFraud ? roundCents(gen.drawAmount(c) * S3_AMOUNT_FACTOR) : gen.drawAmount(c);
    burst.push({ tx: gen.make(nowMs, nowMs, c, gen.drawTerminal(c), amount), isFraud });
  }
  return {
    scenario: 3,
    description:
      `card c_sim_${c} compromised: ${history.length} normal payments over 25 days, then ` +
      `${BURST} now, ${frauds.size} of them at ${S3_AMOUNT_FACTOR}× its usual amount`,
    history,
    labels: [],
    burst,
  };
}

/** The plan of one scenario at `nowMs`. */
export function planScenario(
  gen: TrafficGenerator,
  scenario: TrafficScenario,
  nowMs: number,
): ScenarioPlan {
  if (scenario === 1) return scenario1(gen, nowMs);
  if (scenario === 2) return scenario2(gen, nowMs);
  return scenario3(gen, nowMs);
}

/** One transaction now: a genuine one, or a scenario-1 fraud. */
export function oneTransaction(
  gen: TrafficGenerator,
  kind: 'normal' | 'fraud',
  nowMs: number,
): Planned {
  if (kind === 'normal') return { tx: gen.genuine(nowMs), isFraud: false };
  const c = gen.drawCustomer();
  return { tx: gen.make(nowMs, nowMs, c, gen.drawTerminal(c), highAmount(gen)), isFraud: true };
}
