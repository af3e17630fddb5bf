import { describe, expect, it } from 'vitest';
import {
  decisionUnder,
  LABEL_FRAUD,
  LABEL_LEGITIMATE,
  LABEL_NONE,
  ruleBits,
  RULE_MATCHED_ALLOW,
  RULE_MATCHED_BLOCK,
  RULE_MATCHED_REVIEW,
  scoreBin,
  ThresholdsPreviewTally,
} from './thresholds-preview.js';

const t = { review: 0.3, decline: 0.7 };

describe('decisionUnder', () => {
  it('decides by the thresholds when no rule matched', () => {
    expect(decisionUnder(t, 0.29, 0)).toBe('approve');
    expect(decisionUnder(t, 0.3, 0)).toBe('review');
    expect(decisionUnder(t, 0.7, 0)).toBe('decline');
  });

  it('keeps what the rules decided, whatever the thresholds', () => {
    expect(decisionUnder(t, 0.99, RULE_MATCHED_ALLOW | RULE_MATCHED_BLOCK)).toBe('approve');
    expect(decisionUnder(t, 0.01, RULE_MATCHED_BLOCK)).toBe('decline');
    expect(decisionUnder(t, 0.01, RULE_MATCHED_REVIEW)).toBe('review');
    // A review rule never makes a decline milder.
    expect(decisionUnder(t, 0.9, RULE_MATCHED_REVIEW)).toBe('decline');
  });

  it('reads the stored rule hits into bits', () => {
    expect(ruleBits(null)).toBe(0);
    expect(
      ruleBits([
        { action: 'review' },
        { action: 'block' },
        { action: 'review' },
        { action: 'other' },
      ]),
    ).toBe(RULE_MATCHED_BLOCK | RULE_MATCHED_REVIEW);
  });
});

describe('ThresholdsPreviewTally', () => {
  it('counts, sums and bins every row under both pairs of thresholds', () => {
    const p = new ThresholdsPreviewTally({ review: 0.5, decline: 0.9 }, t);
    p.add({ score: 0.4, amount: 10, currency: 'EUR', label: LABEL_FRAUD, rules: 0 }); // current review, proposed approve
    p.add({ score: 0.95, amount: 20, currency: 'USD', label: LABEL_LEGITIMATE, rules: 0 }); // decline, decline
    p.add({
      score: 0.1,
      amount: 5.5,
      currency: null,
      label: LABEL_NONE,
      rules: RULE_MATCHED_BLOCK,
    }); // decline, decline
    p.add({ score: 1, amount: 0, currency: 'EUR', label: LABEL_FRAUD, rules: RULE_MATCHED_ALLOW }); // approve, approve
    expect(p.evaluated).toBe(4);
    // The amounts' units, each once: named sorted, none given last.
    expect(p.currencies).toEqual(['EUR', 'USD', null]);
    expect(p.current).toEqual({
      thresholds: t,
      approve: { count: 1, amount: 0, fraud: 1, fraud_amount: 0 },
      review: { count: 1, amount: 10, fraud: 1, fraud_amount: 10 },
      decline: { count: 2, amount: 25.5, fraud: 0, fraud_amount: 0 },
      frauds_caught: 1,
      frauds_missed: 1,
      legitimate_flagged: 1,
    });
    expect(p.proposed).toEqual({
      thresholds: { review: 0.5, decline: 0.9 },
      approve: { count: 2, amount: 10, fraud: 2, fraud_amount: 10 },
      review: { count: 0, amount: 0, fraud: 0, fraud_amount: 0 },
      decline: { count: 2, amount: 25.5, fraud: 0, fraud_amount: 0 },
      frauds_caught: 0,
      frauds_missed: 2,
      legitimate_flagged: 1,
    });
    const h = p.histogram;
    expect(h.bins).toBe(50);
    expect(h.fraud[20]).toBe(1);
    expect(h.fraud[49]).toBe(1);
    expect(h.legitimate[47]).toBe(1);
    expect(h.unlabelled[5]).toBe(1);
    expect([...h.fraud, ...h.legitimate, ...h.unlabelled].reduce((a, b) => a + b)).toBe(4);
  });

  it('answers zeros for no rows, and no current outcome when none is known', () => {
    const p = new ThresholdsPreviewTally(t, null);
    expect(p.current).toBeNull();
    expect(p.proposed.approve).toEqual({ count: 0, amount: 0, fraud: 0, fraud_amount: 0 });
    expect(p.histogram.fraud).toEqual(new Array(50).fill(0));
  });

  it('bins the edges of [0, 1]', () => {
    expect(scoreBin(0)).toBe(0);
    expect(scoreBin(0.0199)).toBe(0);
    expect(scoreBin(0.02)).toBe(1);
    expect(scoreBin(1)).toBe(49);
  });
});
