import { describe, expect, it } from 'vitest';
import { canonicalIp } from './canonical-ip.js';

describe('canonicalIp', () => {
  it.each([
    // [input, canonical]
    ['2001:db8::1', '2001:db8::1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000::1', '2001:db8::1'],
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    // The longest run of zeros is compressed; of two equal runs, the first; one zero group never.
    ['2001:db8:0:0:1:0:0:0', '2001:db8:0:0:1::'],
    ['2001:0:0:1:0:0:1:1', '2001::1:0:0:1:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::', '::'],
    ['::1', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80::', 'fe80::'],
    ['FE80:0:0:0:0:0:0:0', 'fe80::'],
    // IPv4-mapped → the IPv4 address, in either spelling.
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['::FFFF:10.0.0.1', '10.0.0.1'],
    ['0:0:0:0:0:ffff:a00:1', '10.0.0.1'],
    ['::ffff:0a00:0001', '10.0.0.1'],
    // Other embedded IPv4 tails in hex (RFC 5952 keeps dotted only for mapped addresses).
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    // IPv4 unchanged.
    ['10.0.0.1', '10.0.0.1'],
    ['192.168.1.254', '192.168.1.254'],
    // Not an address: as it is.
    ['not-an-ip', 'not-an-ip'],
    ['1:2:3', '1:2:3'],
    ['1::2::3', '1::2::3'],
    ['12345::1', '12345::1'],
  ])('%s → %s', (input, canonical) => {
    expect(canonicalIp(input)).toBe(canonical);
  });

  it('is idempotent', () => {
    for (const s of ['2001:DB8::1', '::ffff:10.0.0.1', '2001:db8:0:0:1:0:0:0', '::']) {
      expect(canonicalIp(canonicalIp(s))).toBe(canonicalIp(s));
    }
  });
});
