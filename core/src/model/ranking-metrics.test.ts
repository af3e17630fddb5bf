import { describe, expect, it } from 'vitest';
import { averagePrecision, cardPrecisionAtK, rocAuc } from './ranking-metrics.js';

describe('ranking metrics', () => {
  it('AUC counts ordered pairs, ties ½; NaN with one class', () => {
    // Pairs (pos, neg): (0.9,0.1) 1, (0.9,0.5) 1, (0.5,0.1) 1, (0.5,0.5) ½ → 3.5 / 4.
    expect(rocAuc([1, 1, 0, 0], [0.9, 0.5, 0.5, 0.1])).toBeCloseTo(0.875, 12);
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeNaN();
  });

  it('AP sums precision at each recall step, tied scores as one threshold', () => {
    // Thresholds 0.9: tp 1 fp 0 → P 1; 0.5: tp 2 fp 1 → P 2/3; 0.1: no new tp.
    expect(averagePrecision([1, 1, 0, 0], [0.9, 0.5, 0.5, 0.1])).toBeCloseTo(
      (1 * 1 + 1 * (2 / 3)) / 2,
      12,
    );
    expect(averagePrecision([0, 0], [0.2, 0.3])).toBeNaN();
  });

  it('CP@k ranks cards by their best score per day and skips cards found earlier', () => {
    const customer = [1, 2, 3, 1, 2];
    const day = [0, 0, 0, 1, 1];
    const label = [1, 0, 0, 1, 1];
    const score = [0.9, 0.8, 0.1, 0.9, 0.2];
    // Day 0, top 2: cards 1 (fraud) and 2 → 1/2. Day 1: card 1 was found, card 2 (fraud) → 1/2.
    expect(cardPrecisionAtK(customer, day, label, score, 2)).toBeCloseTo(0.5, 12);
  });
});
