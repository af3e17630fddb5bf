import { describe, expect, it } from 'vitest';
import { encodeReply } from './encode.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('encodeReply', () => {
  it('base64-encodes bulk and status strings, except a top-level "OK" status', () => {
    expect(encodeReply(Buffer.from('bar'), true)).toBe('YmFy');
    expect(encodeReply('OK', true)).toBe('OK');
    expect(encodeReply('PONG', true)).toBe(b64('PONG'));
    expect(encodeReply(Buffer.from('OK'), true)).toBe(b64('OK'));
    // Inside arrays the SDK base64-decodes every string, so "OK" must be encoded there.
    expect(encodeReply(['OK', Buffer.from('x')], true)).toEqual([b64('OK'), b64('x')]);
  });

  it('leaves integers and nulls alone at every depth', () => {
    expect(encodeReply([1, null, [2, [null, Buffer.from('é')]]], true)).toEqual([
      1,
      null,
      [2, [null, b64('é')]],
    ]);
    expect(encodeReply(null, true)).toBeNull();
    expect(encodeReply(0, false)).toBe(0);
  });

  it('decodes bytes as UTF-8 without the header', () => {
    expect(encodeReply([Buffer.from('日本'), 'OK', Buffer.from([0xff])], false)).toEqual([
      '日本',
      'OK',
      '\ufffd',
    ]);
  });

  it('turns an error nested in an array into its message', () => {
    expect(encodeReply([new Error('ERR inner')], false)).toEqual(['ERR inner']);
  });
});
