import fc from 'fast-check';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { oddTimestamp } from '../testing/odd-inputs.js';
import { eventTimeSchema, offsetMinutes, storedEventTimeSchema, toUtc } from './event-time.js';

const parse = (s: unknown) => z.safeParse(eventTimeSchema, s);
const stored = (s: unknown) => z.safeParse(storedEventTimeSchema, s);

describe('toUtc', () => {
  it.each([
    ['2026-12-01T10:00:00+16:00', '2026-11-30T18:00:00Z'],
    ['2026-12-01T10:00:00-23:59', '2026-12-02T09:59:00Z'],
    ['2026-12-01T10:00:00.123456789+05:30', '2026-12-01T04:30:00.123456789Z'],
    ['2026-12-01T10:00:00.1-00:00', '2026-12-01T10:00:00.1Z'],
    ['2024-03-01T00:30:00.000+01:00', '2024-02-29T23:30:00.000Z'],
    ['1970-01-01T00:00:00+00:00', '1970-01-01T00:00:00Z'],
  ])('%s → %s', (input, utc) => {
    expect(toUtc(input)).toBe(utc);
  });

  it('leaves a string already in Z byte-identical, and non-date-times unchanged', () => {
    for (const s of ['2026-12-01T10:00:00.120000000Z', '2026-12-01T10:00:00Z', 'soon', ''])
      expect(toUtc(s)).toBe(s);
    // Out of 0000–9999 in UTC: unchanged, for the range checks to refuse.
    expect(toUtc('9999-12-31T23:00:00-05:00')).toBe('9999-12-31T23:00:00-05:00');
  });

  it('keeps the instant and the fraction digits of any generated time', () => {
    fc.assert(
      fc.property(oddTimestamp(Date.now()), (s) => {
        const u = toUtc(s);
        expect(u.endsWith('Z')).toBe(true);
        expect(Date.parse(u)).toBe(Date.parse(s));
        expect(/\.\d+/.exec(u)?.[0]).toBe(/\.\d+/.exec(s)?.[0]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('offsetMinutes', () => {
  it('reads the displacement east of UTC', () => {
    expect(offsetMinutes('2026-12-01T10:00:00Z')).toBe(0);
    expect(offsetMinutes('2026-12-01T10:00:00-23:59')).toBe(-(23 * 60 + 59));
    expect(offsetMinutes('2026-12-01T10:00:00.5+05:30')).toBe(330);
    expect(offsetMinutes('yesterday')).toBeUndefined();
  });
});

describe('eventTimeSchema (the API)', () => {
  it('hands on every offset in UTC', () => {
    expect(parse('2026-12-01T10:00:00+16:00')).toMatchObject({
      success: true,
      data: '2026-11-30T18:00:00Z',
    });
  });

  it.each([
    ['0000-01-01T00:00:00Z', 'before 1970'],
    ['1969-12-31T23:59:59.999Z', 'before 1970'],
    ['9999-12-31T23:59:59Z', 'a day ahead'],
    ['2016-12-31T23:59:60Z', 'RFC 3339'],
    ['2026-12-01T10:00:00.1234567891Z', 'at most 9 fractional-second digits'],
    ['2026-12-01T10:00:00+24:00', 'RFC 3339'],
    ['2026-12-01T10:00Z', 'RFC 3339'],
    ['2026-12-01 10:00:00Z', 'RFC 3339'],
  ])('refuses %s (%s)', (input, message) => {
    const r = parse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message).join(' ')).toContain(message);
  });
});

describe('storedEventTimeSchema (the events)', () => {
  it('takes UTC and offsets PostgreSQL reads, unchanged', () => {
    for (const s of ['2026-12-01T10:00:00.123456789Z', '2026-12-01T10:00:00-15:59'])
      expect(stored(s)).toMatchObject({ success: true, data: s });
  });

  it('refuses offsets beyond ±15:59 and the API’s out-of-range times', () => {
    for (const s of [
      '2026-12-01T10:00:00+16:00',
      '2026-12-01T10:00:00-23:59',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
    ])
      expect(stored(s).success).toBe(false);
  });
});
