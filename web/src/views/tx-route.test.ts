import { describe, expect, it } from 'vitest';
import { txFromHash, txHref } from './tx-route.js';

describe('transaction hash route', () => {
  it('round-trips ids, including ones that need escaping', () => {
    for (const id of ['tx_000123', 'a:b.c-d', 'odd id/é']) expect(txFromHash(txHref(id))).toBe(id);
  });

  it('ignores other hashes and malformed escapes', () => {
    expect(txFromHash('')).toBeNull();
    expect(txFromHash('#live-feed')).toBeNull();
    expect(txFromHash('#tx=')).toBeNull();
    expect(txFromHash('#tx=%E0%A4%A')).toBeNull();
  });
});
