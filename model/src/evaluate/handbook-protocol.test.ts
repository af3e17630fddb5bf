import { describe, expect, it } from 'vitest';
import {
  cardPrecisionAtK,
  dayIndex,
  handbookTestSet,
  cardLabelEvidence,
  informationCeilingScores,
} from './handbook-protocol.js';

const DAY = 86_400;

/** A stream from rows of [time in days, terminal, card, fraud, scenario]. */
function knowable(rows: readonly (readonly [number, number, number, number, number])[]) {
  return {
    length: rows.length,
    timeSec: Float64Array.from(rows.map(([d]) => d * DAY)),
    terminal: Int32Array.from(rows.map(([, t]) => t)),
    customer: Int32Array.from(rows.map(([, , c]) => c)),
    isFraud: Uint8Array.from(rows.map(([, , , f]) => f)),
    scenario: Uint8Array.from(rows.map(([, , , , s]) => s)),
  };
}

describe('handbook protocol', () => {
  it('computes card precision per day, max per card, without cards found earlier', () => {
    // Day 0: cards 1 (fraud, 0.9), 2 (legit, 0.8), 3 (fraud, 0.1). Day 1: card 1 again (found), card 4.
    const customer = [1, 1, 2, 3, 1, 4];
    const day = [0, 0, 0, 0, 1, 1];
    const label = [0, 1, 0, 1, 1, 0];
    const score = [0.9, 0.2, 0.8, 0.1, 0.99, 0.5];
    // k = 2: day 0 top cards {1 (fraud), 2} → 0.5; day 1 card 1 removed, top {4} → 0/2.
    expect(cardPrecisionAtK(customer, day, label, score, 2)).toBeCloseTo(0.25);
    // k = 3: day 0 {1, 2, 3} → 2/3; day 1 → 0.
    expect(cardPrecisionAtK(customer, day, label, score, 3)).toBeCloseTo(1 / 3);
  });

  it('removes the training week and lagged frauds from the test week', () => {
    const start = dayIndex('2018-07-25');
    const rows: [number, number, number][] = [
      // [day offset from training start, customer, fraud]
      [0, 1, 1], // known from the training week
      [6, 2, 1], // day 6: known from test day 0 on
      [7, 3, 1], // day 7: known from test day 1 on
      [14, 1, 0], // test day 0, card 1 known → removed
      [14, 2, 0], // test day 0, card 2 known (day 6) → removed
      [14, 3, 0], // test day 0, card 3 not yet known → kept
      [15, 3, 0], // test day 1, card 3 known → removed
      [15, 4, 1], // test day 1 → kept
    ];
    const ds = {
      length: rows.length,
      timeSec: Float64Array.from(rows.map(([d]) => (start + d) * DAY + 3600)),
      customer: Int32Array.from(rows.map(([, c]) => c)),
      isFraud: Uint8Array.from(rows.map(([, , f]) => f)),
    };
    const t = handbookTestSet(ds, '2018-07-25');
    expect(Array.from(t.rows)).toEqual([5, 7]);
    expect(Array.from(t.day)).toEqual([0, 1]);
  });

  it('ranks first only the frauds that what is known at scoring time reveals', () => {
    // Terminal 7: a fraud on day 0 (labelled on day 7), then scenario-2 frauds on days 3 and 8.
    // Terminal 8: scenario-2 frauds with no earlier fraud there; card 5's first fraud (day 0.6,
    // terminal 9) is labelled on day 7.6 — it says nothing about terminal 8. A scenario-3 fraud and
    // a legitimate row.
    const rows: [number, number, number, number, number][] = [
      // [time in days, terminal, card, fraud, scenario]
      [0.5, 7, 1, 1, 2],
      [0.6, 9, 5, 1, 2],
      [3.5, 7, 2, 1, 2], // day 3: the day-0 label is not back yet → unknowable
      [8.5, 7, 3, 1, 2], // day 8: the terminal's day-0 label came back on day 7 → revealable
      [8.5, 8, 4, 1, 2], // nothing known at terminal 8 nor about card 4 → unknowable
      [8.55, 8, 5, 1, 2], // nothing at terminal 8; card 5's known fraud was elsewhere → unknowable
      [8.6, 9, 6, 1, 3], // a stolen card's five-fold amount → revealable
      [8.7, 9, 6, 0, 0],
      [50.5, 7, 7, 1, 2], // day 50: the day-0 fraud has left the 30-day window → unknowable
    ];
    const ds = knowable(rows);
    const all = Int32Array.from(rows.keys());
    expect(Array.from(informationCeilingScores(ds, all))).toEqual([0, 0, 0, 1, 0, 0, 1, 0.5, 0]);
  });

  it('splits scenario-2 rates at unknown terminals by whether the card has a known fraud', () => {
    const rows: [number, number, number, number, number][] = [
      // [time in days, terminal, card, fraud, scenario]
      [0.5, 9, 5, 1, 2], // card 5's fraud at terminal 9, labelled on day 7.5
      [0.6, 7, 1, 1, 2], // terminal 7's fraud, labelled on day 7.6
      [8.1, 7, 5, 1, 2], // terminal 7 known → not counted
      [8.2, 8, 5, 1, 2], // terminal 8 unknown, card 5 labelled → cardLabelled fraud
      [8.3, 8, 5, 0, 0], // cardLabelled row
      [8.4, 8, 2, 0, 0], // cardClean row
      [8.5, 8, 3, 1, 3], // a scenario-3 fraud: left out
      [8.6, 10, 4, 1, 2], // cardClean fraud
    ];
    const ds = knowable(rows);
    expect(cardLabelEvidence(ds, 8 * DAY, 9 * DAY)).toEqual({
      cardLabelled: { rows: 2, s2Frauds: 1 },
      cardClean: { rows: 2, s2Frauds: 1 },
      atCardsFraudTerminal: 0,
    });
  });
});
