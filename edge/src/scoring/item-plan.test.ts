import { describe, expect, it } from 'vitest';
import { ItemPlan, PLAN } from './item-plan.js';

describe('ItemPlan', () => {
  it('names what each item gets, and answers rows and duplicates only for those kinds', () => {
    const plan = new ItemPlan(4);
    plan.score(0, 0);
    plan.replay(1);
    plan.pending(2);
    plan.duplicate(3, 0);
    expect([0, 1, 2, 3].map((i) => plan.kind(i))).toEqual([
      PLAN.row,
      PLAN.replay,
      PLAN.pending,
      PLAN.duplicate,
    ]);
    expect([0, 1, 2, 3].map((i) => plan.row(i))).toEqual([0, -1, -1, -1]);
    expect([0, 1, 2, 3].map((i) => plan.firstOf(i))).toEqual([-1, -1, -1, 0]);
  });

  it('keeps rows and earlier items apart when an item changes from pending to duplicate', () => {
    const plan = new ItemPlan(3);
    plan.score(0, 0);
    plan.score(1, 1);
    plan.pending(2);
    plan.duplicate(2, 1);
    expect(plan.kind(2)).toBe(PLAN.duplicate);
    expect(plan.firstOf(2)).toBe(1);
    expect(plan.row(2)).toBe(-1);
    expect(plan.row(1)).toBe(1);
  });
});
