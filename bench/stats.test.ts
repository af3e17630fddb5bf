import { describe, expect, it } from 'vitest';
import { fill, percentile, summarize, table } from './stats.js';

describe('bench stats', () => {
  it('takes nearest-rank percentiles', () => {
    const s = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(s, 50)).toBe(50);
    expect(percentile(s, 99)).toBe(99);
    expect(percentile(s, 100)).toBe(100);
    expect(summarize(Float64Array.from([3, 1, 2])).p50).toBe(2);
  });
  it('renders a markdown table', () => {
    expect(table(['a', 'b'], [['1', '2']])).toBe('| a | b |\n| --- | --- |\n| 1 | 2 |');
  });
  it('fills named slots in static text, refusing a slot without a value', () => {
    expect(fill('{n} of {m}: {n}', { n: '3', m: '4' })).toBe('3 of 4: 3');
    expect(() => fill('{n} of {missing}', { n: '3' })).toThrow(/missing/);
  });
});
