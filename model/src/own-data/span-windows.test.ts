import { describe, expect, it } from 'vitest';
import { minimumSpanDays, spanWindows } from './span-windows.js';

const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / 1000;

describe('spanWindows', () => {
  it('cuts 60 / 20 / 20 % of the data’s days, a label delay’s gap after training and validation', () => {
    const w = spanWindows(day('2021-01-01') + 3600, day('2021-04-10') + 80_000, 7);
    expect(w.days).toBe(100);
    expect(w.train).toEqual({ start: '2021-01-01', end: '2021-02-22' });
    expect(w.validation).toEqual({ start: '2021-03-02', end: '2021-03-14' });
    expect(w.test).toEqual({ start: '2021-03-22', end: '2021-04-10' });
  });

  it('refuses a span too short for the delay, saying the minimum', () => {
    const min = minimumSpanDays(7);
    expect(() => spanWindows(day('2021-01-01'), day('2021-01-01') + (min - 2) * 86_400, 7)).toThrow(
      new RegExp(`spans ${min - 1} day\\(s\\).*at least ${min} days`),
    );
    expect(() =>
      spanWindows(day('2021-01-01'), day('2021-01-01') + (min - 1) * 86_400, 7),
    ).not.toThrow();
    expect(minimumSpanDays(0)).toBeGreaterThanOrEqual(3);
  });
});
