import { describe, expect, it } from 'vitest';
import { matchesAnyKey } from './bearer-auth.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('matchesAnyKey', () => {
  const keys = [enc('first-key-0123456789'), enc('second-key-0123456789xyz')];

  it('accepts each configured key, and nothing else', () => {
    expect(matchesAnyKey('first-key-0123456789', keys)).toBe(true);
    expect(matchesAnyKey('second-key-0123456789xyz', keys)).toBe(true);
    for (const wrong of [
      '',
      'f',
      'first-key-012345678',
      'first-key-01234567890',
      'first-key-0123456788',
    ]) {
      expect(matchesAnyKey(wrong, keys)).toBe(false);
    }
    // A prefix of a key padded with NULs is not the key either.
    expect(matchesAnyKey('first-key-0123456789\u0000', keys)).toBe(false);
  });
});
