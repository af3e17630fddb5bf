import { describe, expect, it } from 'vitest';
import { UNKNOWN_VERDICT_TIME_US, verdictSupersedes, verdictTimeUs } from './verdict-order.js';

const NOON_US = Date.UTC(2026, 11, 4, 12) * 1000;

describe('verdictTimeUs', () => {
  it('reads whole and microsecond times exactly', () => {
    expect(verdictTimeUs('2026-12-04T12:00:00Z')).toBe(NOON_US);
    expect(verdictTimeUs('2026-12-04T12:00:00.000001Z')).toBe(NOON_US + 1);
    expect(verdictTimeUs('2026-12-04T12:00:00.5Z')).toBe(NOON_US + 500_000);
    expect(verdictTimeUs('2026-12-04T13:00:00+01:00')).toBe(NOON_US);
    expect(verdictTimeUs('1970-01-01T00:00:00Z')).toBe(0);
  });

  it('rounds finer fractions as PostgreSQL does: rint of the double, ties to even', () => {
    // PostgreSQL 15 and PGlite store these as the microseconds on the right (checked against a
    // real server by backplane/src/adapters/postgres/verdict-order.suite.ts).
    const cases: [string, number][] = [
      ['.0000005', 0],
      ['.0000015', 2],
      ['.0000025', 2],
      ['.0000004999', 0],
      ['.0000005001', 1],
      ['.1234565', 123_456],
      ['.1234575', 123_458],
      ['.123456789', 123_457],
      ['.9999995', 1_000_000],
    ];
    for (const [fraction, us] of cases) {
      expect(verdictTimeUs(`2026-12-04T12:00:00${fraction}Z`), fraction).toBe(NOON_US + us);
    }
  });

  it('is NaN for what is not a date-time', () => {
    expect(verdictTimeUs('2026-12-04')).toBeNaN();
    expect(verdictTimeUs('')).toBeNaN();
  });
});

describe('verdictSupersedes', () => {
  const fraud = (timeUs: number) => ({ label: 'fraud' as const, timeUs });
  const legitimate = (timeUs: number) => ({ label: 'legitimate' as const, timeUs });

  it('lets the first verdict in, then only a later one', () => {
    expect(verdictSupersedes(undefined, fraud(5))).toBe(true);
    expect(verdictSupersedes(fraud(5), legitimate(4))).toBe(false);
    expect(verdictSupersedes(fraud(5), legitimate(6))).toBe(true);
    expect(verdictSupersedes(legitimate(6), fraud(5))).toBe(false);
    expect(verdictSupersedes(legitimate(6), fraud(7))).toBe(true);
  });

  it('breaks a tie of times as PostgreSQL does: legitimate after fraud', () => {
    expect(verdictSupersedes(fraud(5), legitimate(5))).toBe(true);
    expect(verdictSupersedes(legitimate(5), fraud(5))).toBe(false);
  });

  it('takes the same label at a later time, not at the same or an earlier one', () => {
    expect(verdictSupersedes(fraud(5), fraud(6))).toBe(true);
    expect(verdictSupersedes(fraud(5), fraud(5))).toBe(false);
    expect(verdictSupersedes(fraud(5), fraud(4))).toBe(false);
  });

  it('puts a verdict of unknown time before every dated one', () => {
    expect(verdictSupersedes(fraud(UNKNOWN_VERDICT_TIME_US), legitimate(0))).toBe(true);
    expect(verdictSupersedes(legitimate(UNKNOWN_VERDICT_TIME_US), fraud(0))).toBe(true);
  });
});
