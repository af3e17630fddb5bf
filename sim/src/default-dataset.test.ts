/**
 * The default dataset (5,000 customers, 10,000 terminals, 183 days from 2018-04-01) against the
 * statistics the handbook publishes. Our streams differ from numpy's, so the numbers match in
 * distribution, not digit for digit: the tolerances cover seed-to-seed variance.
 */
import { describe, expect, it } from 'vitest';
import { summarize } from './dataset.js';
import { DEFAULT_SIMULATE_OPTIONS, simulate } from './generate.js';

const PUBLISHED = { transactions: 1_754_155, fraudRate: 0.008369, s2: 9_077, s3: 4_631 };

describe.each([0, 1, 2])('default dataset, seed %i', (seed) => {
  it('matches the handbook: volume ±3 %, fraud rate ±0.1 pp, S2 and S3 counts ±10 %', () => {
    // Speed is measured by `npm run bench` (docs/benchmarks.md), never asserted here.
    const ds = simulate({ ...DEFAULT_SIMULATE_OPTIONS, seed });
    const s = summarize(ds);

    expect(s.days).toBe(183);
    expect(s.first_timestamp?.startsWith('2018-04-01T')).toBe(true);
    expect(s.last_timestamp?.startsWith('2018-09-30T')).toBe(true);
    expect(Math.abs(s.transactions / PUBLISHED.transactions - 1)).toBeLessThan(0.03);
    expect(Math.abs(s.fraud_rate - PUBLISHED.fraudRate)).toBeLessThan(0.001);
    expect(Math.abs(s.scenarios.s2 / PUBLISHED.s2 - 1)).toBeLessThan(0.1);
    expect(Math.abs(s.scenarios.s3 / PUBLISHED.s3 - 1)).toBeLessThan(0.1);
    // "About 10,000 transactions and 85 frauds a day."
    expect(s.transactions / s.days).toBeGreaterThan(9_000);
    expect(s.transactions / s.days).toBeLessThan(11_000);
  });
});
