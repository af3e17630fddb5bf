import { describe, expect, it } from 'vitest';
import { cardPrecisionAtK, dayIndex, handbookTestSet } from './handbook-protocol.js';

const DAY = 86_400;

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
});
