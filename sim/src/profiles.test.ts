import { describe, expect, it } from 'vitest';
import {
  findAvailableTerminals,
  generateCustomerProfiles,
  generateTerminalProfiles,
} from './profiles.js';

describe('profiles', () => {
  it('draws customers within the handbook ranges, std = mean / 2', () => {
    const c = generateCustomerProfiles(2_000, 0);
    for (let i = 0; i < c.count; i++) {
      expect(c.x[i]).toBeGreaterThanOrEqual(0);
      expect(c.x[i]).toBeLessThan(100);
      expect(c.y[i]).toBeGreaterThanOrEqual(0);
      expect(c.y[i]).toBeLessThan(100);
      expect(c.meanAmount[i]).toBeGreaterThanOrEqual(5);
      expect(c.meanAmount[i]).toBeLessThan(100);
      expect(c.stdAmount[i]).toBe(c.meanAmount[i]! / 2);
      expect(c.meanTxPerDay[i]).toBeGreaterThanOrEqual(0);
      expect(c.meanTxPerDay[i]).toBeLessThan(4);
    }
  });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateTerminalProfiles(100, 3).x).toEqual(generateTerminalProfiles(100, 3).x);
    expect(generateTerminalProfiles(100, 3).x).not.toEqual(generateTerminalProfiles(100, 4).x);
    expect(generateCustomerProfiles(100, 3).x).not.toEqual(generateTerminalProfiles(100, 3).x);
  });
});

describe('findAvailableTerminals', () => {
  it.each([0.7, 5, 13, 150])('matches a brute-force scan for r = %f', (r) => {
    const customers = generateCustomerProfiles(300, 11);
    const terminals = generateTerminalProfiles(2_000, 11);
    const { offsets, ids } = findAvailableTerminals(customers, terminals, r);
    for (let c = 0; c < customers.count; c++) {
      const expected: number[] = [];
      for (let t = 0; t < terminals.count; t++) {
        const dx = terminals.x[t]! - customers.x[c]!;
        const dy = terminals.y[t]! - customers.y[c]!;
        if (Math.sqrt(dx * dx + dy * dy) < r) expected.push(t);
      }
      expect(Array.from(ids.subarray(offsets[c], offsets[c + 1]))).toEqual(expected);
    }
  });

  it('gives about π r² × density terminals per customer at the default scale', () => {
    const customers = generateCustomerProfiles(5_000, 0);
    const terminals = generateTerminalProfiles(10_000, 0);
    const { offsets } = findAvailableTerminals(customers, terminals, 5);
    const mean = offsets[customers.count]! / customers.count;
    // π·25 ≈ 78.5 away from the edges; the border trims a few percent.
    expect(mean).toBeGreaterThan(70);
    expect(mean).toBeLessThan(80);
  });

  it('rejects a non-positive radius', () => {
    const c = generateCustomerProfiles(1, 0);
    const t = generateTerminalProfiles(1, 0);
    expect(() => findAvailableTerminals(c, t, 0)).toThrow(RangeError);
  });
});
