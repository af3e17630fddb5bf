import { describe, expect, it } from 'vitest';
import { RateMeter } from './rate-meter.js';

describe('RateMeter', () => {
  it('averages complete seconds over the window, ignoring the current one', () => {
    const m = new RateMeter(5);
    for (let s = 0; s < 10; s++) m.add(100, s * 1000 + 500);
    m.add(999, 10_200); // the current, partial second
    expect(m.rate(10_300)).toBe(100);
  });

  it('does not dilute a fresh start over seconds before the first event', () => {
    const m = new RateMeter(5);
    m.add(2000, 50_100);
    m.add(2000, 51_100);
    expect(m.rate(52_000)).toBe(2000);
    expect(m.rate(50_500)).toBe(0); // no complete second yet
  });

  it('falls to zero when events stop, and resets', () => {
    const m = new RateMeter(3);
    m.add(30, 1000);
    m.add(30, 2000);
    m.add(30, 3000);
    expect(m.rate(4000)).toBe(30);
    expect(m.rate(9000)).toBe(0);
    m.reset();
    expect(m.rate(9000)).toBe(0);
  });
});
