import { describe, expect, it } from 'vitest';
import { PAGES, pageFromHash, pageHref } from './page-route.js';

describe('page routes', () => {
  it('round-trips every page through its link', () => {
    for (const p of PAGES) expect(pageFromHash(pageHref(p))).toBe(p);
  });

  it('shows the overview for its drawer links and anything unknown', () => {
    expect(pageFromHash('#tx=tx_1')).toBe('overview');
    expect(pageFromHash('')).toBe('overview');
    expect(pageFromHash('#/rulesx')).toBe('overview');
    expect(pageFromHash('#/lists/')).toBe('lists');
  });
});
