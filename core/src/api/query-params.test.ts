import { describe, expect, it } from 'vitest';
import { singleQueryParams } from './query-params.js';

const q = (s: string) => singleQueryParams(new URLSearchParams(s));

describe('singleQueryParams', () => {
  it('gives each parameter once, in a record without a prototype', () => {
    const r = q('a=1&b=&constructor=x');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect({ ...r.value }).toEqual({ a: '1', b: '', constructor: 'x' });
    expect(Object.getPrototypeOf(r.value)).toBeNull();
  });

  it('refuses a repeated parameter once, naming it by JSON Pointer', () => {
    expect(q('a=1&a=2&a=3&b/c=1&b/c=2')).toEqual({
      ok: false,
      issues: [
        { path: '/a', message: 'a may be given once' },
        { path: '/b~1c', message: 'b/c may be given once' },
      ],
    });
  });

  it('refuses __proto__, encoded or not', () => {
    for (const s of ['__proto__=1', '%5F%5Fproto%5F%5F=1', 'x=1&__proto__=1&__proto__=2'])
      expect(q(s)).toEqual({
        ok: false,
        issues: [{ path: '/__proto__', message: '__proto__ is not a parameter' }],
      });
  });
});
