import { describe, expect, it } from 'vitest';
import { byPrecedence, decidingRule } from './drawer-rules.js';

const review = { id: 'night', action: 'review' as const };
const block = { id: 'listed', action: 'block' as const };
const allow = { id: 'vip', action: 'allow' as const };

describe('the rule that decided', () => {
  it('puts allow before block before review', () => {
    expect(byPrecedence([review, block, allow]).map((r) => r.id)).toEqual([
      'vip',
      'listed',
      'night',
    ]);
  });

  it('is an allow or a block whenever one matched', () => {
    expect(decidingRule({ rules: [review, allow], decision: 'approve' })).toBe(allow);
    expect(decidingRule({ rules: [review, block], decision: 'decline' })).toBe(block);
  });

  it('is a review rule only when the decision is review', () => {
    expect(decidingRule({ rules: [review], decision: 'review' })).toBe(review);
    expect(decidingRule({ rules: [review], decision: 'decline' })).toBeNull();
    expect(decidingRule({ rules: [], decision: 'approve' })).toBeNull();
  });
});
