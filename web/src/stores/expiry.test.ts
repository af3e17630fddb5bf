import { describe, expect, it } from 'vitest';
import { expiresAt, isExpiryChoice } from './expiry.js';

const now = new Date('2026-05-01T10:00:00.000Z');

describe('expiresAt', () => {
  it('sends no expiry for never', () => {
    expect(expiresAt('never', '', now)).toEqual({ ok: true, expiresAt: undefined });
  });

  it('counts days from now', () => {
    expect(expiresAt('1d', '', now)).toEqual({ ok: true, expiresAt: '2026-05-02T10:00:00.000Z' });
    expect(expiresAt('90d', '', now)).toEqual({ ok: true, expiresAt: '2026-07-30T10:00:00.000Z' });
  });

  it('keeps an item through the end of the chosen day (UTC)', () => {
    expect(expiresAt('date', '2026-05-01', now)).toEqual({
      ok: true,
      expiresAt: '2026-05-01T23:59:59.999Z',
    });
  });

  it('refuses a missing, impossible or past date', () => {
    expect(expiresAt('date', '', now).ok).toBe(false);
    expect(expiresAt('date', '2026-02-31', now)).toEqual({
      ok: false,
      message: '2026-02-31 is not a date.',
    });
    expect(expiresAt('date', '2026-04-30', now)).toEqual({
      ok: false,
      message: 'The date must be in the future.',
    });
  });

  it('knows its choices', () => {
    expect(isExpiryChoice('30d')).toBe(true);
    expect(isExpiryChoice('2d')).toBe(false);
  });
});
