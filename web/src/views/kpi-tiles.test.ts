/** The latency tile's value: the unit once, and no break inside a figure. */
import { describe, expect, it } from 'vitest';
import { latencyPair } from './kpi-tiles.js';

describe('latencyPair', () => {
  it('says the unit once and binds it to its figure', () => {
    expect(latencyPair(4, 17)).toBe('4.00 / 17\u00a0ms');
  });

  it('keeps a coarse clock’s "< 1 ms" whole', () => {
    expect(latencyPair(0, 0)).toBe('<\u00a01 / <\u00a01\u00a0ms');
  });
});
