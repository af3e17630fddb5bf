import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  envBearerKeys,
  envInteger,
  envList,
  envSecret,
  envUrl,
  envValue,
  type Env,
  type ParseUrl,
} from './env-reader.js';

// WHATWG URL, as every runtime has it (core itself takes the parser as a parameter).
const parseUrl: ParseUrl = (s) => new URL(s);

/** The ConfigError `read` throws. */
function refusal(read: () => unknown): ConfigError {
  try {
    read();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('no ConfigError');
}

describe('envValue', () => {
  it('trims, and counts an empty or blank value as unset', () => {
    const env: Env = { A: '  x  ', B: '', C: '   ' };
    expect(envValue(env, 'A')).toBe('x');
    expect(envValue(env, 'B')).toBeUndefined();
    expect(envValue(env, 'C')).toBeUndefined();
    expect(envValue(env, 'D')).toBeUndefined();
  });
});

describe('envInteger', () => {
  it('reads decimal digits within the bounds, else the fallback when unset', () => {
    expect(envInteger({ N: ' 42 ' }, 'N', 7, 0, 100)).toBe(42);
    expect(envInteger({ N: '0' }, 'N', 7, 0, 100)).toBe(0);
    expect(envInteger({ N: '' }, 'N', 7, 0, 100)).toBe(7);
    expect(envInteger({}, 'N', 7, 0, 100)).toBe(7);
  });

  it.each(['101', '-1', '1.5', '1e2', '0x10', 'ten'])(
    "refuses '%s', naming the variable and the bounds",
    (raw) => {
      const e = refusal(() => envInteger({ N: raw }, 'N', 7, 0, 100));
      expect(e.variable).toBe('N');
      expect(e.code).toBe('CONFIG_INVALID');
      expect(e.message).toBe(`N must be an integer from 0 to 100, got '${raw}'`);
    },
  );

  it('refuses an integer a double cannot hold exactly, whatever the bounds', () => {
    const max = Number.MAX_SAFE_INTEGER;
    expect(envInteger({ N: String(max) }, 'N', 0, 0, max)).toBe(max);
    expect(refusal(() => envInteger({ N: '9007199254740993' }, 'N', 0, 0, max)).variable).toBe('N');
  });
});

describe('envList', () => {
  it('splits on commas, trims, and drops blank entries', () => {
    expect(envList({ L: ' a , b,,c ,' }, 'L')).toEqual(['a', 'b', 'c']);
    expect(envList({}, 'L')).toEqual([]);
  });
});

describe('envUrl', () => {
  const http = ['http:', 'https:'];
  it('returns the URL as written when its scheme is allowed, null when unset', () => {
    expect(envUrl({ U: 'https://a.example.com/x/' }, 'U', http, parseUrl)).toBe(
      'https://a.example.com/x/',
    );
    expect(envUrl({}, 'U', http, parseUrl)).toBeNull();
  });

  it('refuses what is not a URL, and another scheme', () => {
    expect(refusal(() => envUrl({ U: 'not a url' }, 'U', http, parseUrl)).message).toBe(
      'U is not a URL',
    );
    expect(refusal(() => envUrl({ U: 'ftp://a.example.com' }, 'U', http, parseUrl)).message).toBe(
      'U must be a http: or https: URL, got ftp:',
    );
  });
});

describe('envSecret', () => {
  it('takes 16 characters or more, and never echoes a shorter one', () => {
    expect(envSecret({ S: '0123456789abcdef' }, 'S')).toBe('0123456789abcdef');
    expect(envSecret({}, 'S')).toBeNull();
    const e = refusal(() => envSecret({ S: 'short-secret' }, 'S'));
    expect(e.message).toBe('S must be at least 16 characters');
    expect(e.message).not.toContain('short-secret');
  });
});

describe('envBearerKeys', () => {
  it('reads a list of b64token keys of 16 characters or more', () => {
    expect(envBearerKeys({ K: 'k_0123456789abcdef, abc/DEF+ghi.jkl~-_==' }, 'K')).toEqual([
      'k_0123456789abcdef',
      'abc/DEF+ghi.jkl~-_==',
    ]);
    expect(envBearerKeys({}, 'K')).toEqual([]);
  });

  it('names the bad key by position, never by value', () => {
    const chars = refusal(() => envBearerKeys({ K: 'k_0123456789abcdef,bad key 0123456789' }, 'K'));
    expect(chars.message).toBe('K key #2 has characters a bearer token cannot');
    const short = refusal(() => envBearerKeys({ K: 'k_short' }, 'K'));
    expect(short.message).toBe('K key #1 is shorter than 16 characters');
    expect(short.message).not.toContain('k_short');
  });
});
