import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsciiWriter } from './ascii-writer.js';
import { roundCents } from './transactions.js';

const written = (write: (w: AsciiWriter) => void): string => {
  const w = new AsciiWriter(64);
  write(w);
  return Buffer.from(w.bytes.subarray(0, w.length)).toString('latin1');
};

describe('AsciiWriter', () => {
  it('writes non-negative integers like String()', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(written((w) => w.uint(n))).toBe(String(n));
      }),
    );
  });

  it('writes cents-rounded amounts exactly as JSON.stringify does', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 2e12, noNaN: true }), (x) => {
        const amount = roundCents(x);
        expect(written((w) => w.number(amount))).toBe(JSON.stringify(amount));
      }),
      { numRuns: 20_000 },
    );
    for (const a of [0, 0.01, 0.1, 0.5, 1, 10, 60.7, 60.72, 220.01, 999999999999.99]) {
      expect(written((w) => w.number(a))).toBe(JSON.stringify(a));
    }
  });

  it('falls back to JSON.stringify for other numbers', () => {
    for (const x of [0.001, 1 / 3, 1e21, 1e-7, -4.5]) {
      expect(written((w) => w.number(x))).toBe(JSON.stringify(x));
    }
  });

  it('writes two-digit fields and text', () => {
    expect(written((w) => [0, 9, 10, 59].forEach((n) => w.twoDigits(n)))).toBe('00091059');
    expect(written((w) => w.text('{"a":'))).toBe('{"a":');
  });
});
