import { describe, expect, it } from 'vitest';
import { APPROVAL_REASON_MIN_CONTRIBUTION, reasonsWorthShowing } from './shown-reasons.js';

const weak = { code: 'WEEKEND', feature: 'tx_during_weekend', contribution: 0.02 };
const strong = { code: 'AMOUNT_SPIKE', feature: 'amount_to_mean_30d', contribution: 1.4 };
const rule = { code: 'RULE_ALLOW', rule: 'vip', contribution: 0 };

describe('reasonsWorthShowing', () => {
  it('keeps every reason of a review or a decline', () => {
    expect(reasonsWorthShowing('review', [weak, strong])).toEqual([weak, strong]);
    expect(reasonsWorthShowing('decline', [weak])).toEqual([weak]);
  });

  it("drops an approval's weak feature reasons and keeps its weighty ones and rules", () => {
    expect(reasonsWorthShowing('approve', [weak, strong, rule])).toEqual([strong, rule]);
    expect(reasonsWorthShowing('approve', [weak])).toEqual([]);
  });

  it('keeps a reason exactly at the threshold', () => {
    const edge = { ...weak, contribution: APPROVAL_REASON_MIN_CONTRIBUTION };
    expect(reasonsWorthShowing('approve', [edge])).toEqual([edge]);
  });
});
