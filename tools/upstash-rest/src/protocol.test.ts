import { describe, expect, it } from 'vitest';
import { parseCommand, parseCommandList, refusalOf } from './protocol.js';

describe('parseCommand', () => {
  it('turns numbers and booleans into the strings Redis receives', () => {
    expect(parseCommand(['SET', 'k', 1.5, 'EX', 10, true])).toEqual({
      ok: true,
      value: ['SET', 'k', '1.5', 'EX', '10', 'true'],
    });
  });

  it('rejects non-arrays, empty arrays, nested values and non-finite numbers', () => {
    for (const body of [
      null,
      {},
      'GET',
      [],
      ['GET', ['k']],
      ['GET', null],
      ['INCRBYFLOAT', 'k', Infinity],
    ]) {
      expect(parseCommand(body).ok).toBe(false);
    }
  });
});

describe('parseCommandList', () => {
  it('accepts an array of commands and names the first bad one', () => {
    expect(parseCommandList([['PING'], ['GET', 'k']])).toEqual({
      ok: true,
      value: [['PING'], ['GET', 'k']],
    });
    expect(parseCommandList([['PING'], 'GET'])).toEqual({
      ok: false,
      error: expect.stringContaining('command 1 must be a non-empty JSON array') as unknown,
    });
  });
});

describe('refusalOf', () => {
  it('refuses blocking and connection-state commands, case-insensitively', () => {
    expect(refusalOf(['blpop', 'q', '0'])).toMatch(/BLPOP/);
    expect(refusalOf(['XREAD', 'block', '0', 'STREAMS', 's', '$'])).toMatch(/Blocking XREAD/);
    expect(refusalOf(['XREAD', 'COUNT', '1', 'STREAMS', 's', '0'])).toBeUndefined();
    expect(refusalOf(['EVALSHA', 'abc', '0'])).toBeUndefined();
  });
});
