import { describe, expect, it } from 'vitest';
import { chooseThresholds, confusion } from './thresholds.js';

describe('thresholds', () => {
  it('sets review at the alert budget and decline at the precision target', () => {
    // 100 rows: the top 3 are fraud, the 4th legit, then one fraud, the rest legit.
    const scores = Array.from({ length: 100 }, (_, i) => 1 - i / 100);
    const labels = scores.map((_, i) => (i < 3 || i === 4 ? 1 : 0));
    const t = chooseThresholds(scores, labels, { alertRate: 0.05, declinePrecision: 0.8 });
    expect(t.review).toBeCloseTo(scores[4]!); // top 5 flagged
    expect(t.decline).toBeCloseTo(scores[4]!); // top 5 hold 4 frauds: 80 %
    const strict = chooseThresholds(scores, labels, { alertRate: 0.05, declinePrecision: 0.95 });
    expect(strict.decline).toBeCloseTo(scores[2]!);
    const c = confusion(scores, labels, strict);
    expect(c.decline).toEqual({ fraud: 3, legit: 0 });
    expect(c.review).toEqual({ fraud: 1, legit: 1 });
    expect(c.approve.legit).toBe(95);
  });

  it('never puts review above decline and handles ties as one threshold', () => {
    const t = chooseThresholds([0.9, 0.9, 0.1, 0.1], [1, 0, 0, 0], {
      alertRate: 0.75,
      declinePrecision: 0.6,
    });
    expect(t.decline).toBe(1); // 0.9 catches both tied rows: 50 % < 60 %
    expect(t.review).toBeLessThanOrEqual(t.decline);
  });
});

describe('thresholds with a review budget', () => {
  it('declines by precision and reviews the budget’s share of what is left', () => {
    // 100 rows: the top 10 are fraud, then legit with a fraud every 4th row.
    const scores = Array.from({ length: 100 }, (_, i) => 1 - i / 100);
    const labels = scores.map((_, i) => (i < 10 || i % 4 === 0 ? 1 : 0));
    const policy = { alertRate: 0.05, declinePrecision: 0.9 } as const;
    const alerts = chooseThresholds(scores, labels, policy);
    // An alert budget of 5 rows caps review at the decline threshold: declines use it up.
    expect(alerts.review).toBe(alerts.decline);
    const reviews = chooseThresholds(scores, labels, { ...policy, budget: 'reviews' });
    expect(reviews.decline).toBe(alerts.decline);
    const c = confusion(scores, labels, reviews);
    expect(c.review.fraud + c.review.legit).toBe(5);
    expect(c.decline.fraud / (c.decline.fraud + c.decline.legit)).toBeGreaterThanOrEqual(0.9);
  });
});
