import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { oddTransaction } from '../testing/odd-inputs.js';
import { storedTransactionSchema } from './transaction.js';
import { epochSeconds, looksLikeCardNumber, validateTransaction } from './transaction.js';
import * as z from 'zod/mini';

const good = {
  transaction_id: 'tx_000123',
  timestamp: '2018-08-08T10:12:03Z',
  customer_id: 'c_4711',
  terminal_id: 't_0815',
  amount: 57.16,
  currency: 'EUR',
};

describe('transaction schema', () => {
  it('accepts the documented example and every optional field', () => {
    expect(validateTransaction(good).ok).toBe(true);
    const full = {
      ...good,
      channel: 'ecommerce',
      country: 'DE',
      device_id: 'd-1',
      ip: '2001:db8::1',
    };
    expect(validateTransaction(full)).toEqual({ ok: true, value: full });
    expect(validateTransaction({ ...good, amount: 0 }).ok).toBe(true);
    expect(validateTransaction({ ...good, timestamp: '2018-08-08T12:12:03.250+02:00' }).ok).toBe(
      true,
    );
  });

  it('hands the ip on canonical, as the events store it: one address, one value', () => {
    for (const [ip, canonical] of [
      ['2001:DB8::1', '2001:db8::1'],
      ['2001:0db8:0000::1', '2001:db8::1'],
      ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
      ['::ffff:10.0.0.1', '10.0.0.1'],
      ['10.0.0.1', '10.0.0.1'],
    ]) {
      const r = validateTransaction({ ...good, ip });
      expect(r.ok && r.value.ip, ip).toBe(canonical);
      if (!r.ok) continue;
      // The decision event's transaction (UTC time, canonical ip) is storable as it is.
      const stored = z.safeParse(storedTransactionSchema, r.value);
      expect(stored.success && stored.data.ip, ip).toBe(canonical);
    }
    const bad = validateTransaction({ ...good, ip: '2001:db8::1::2' });
    expect(!bad.ok && bad.issues.map((i) => i.path)).toEqual(['/ip']);
  });

  it('names every bad field by JSON Pointer, under a prefix', () => {
    const r = validateTransaction({ ...good, amount: -1, currency: 'euro', extra: true }, [
      'transactions',
      4,
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path).sort()).toEqual([
      '/transactions/4/amount',
      '/transactions/4/currency',
      '/transactions/4/extra',
    ]);
  });

  it.each([
    ['transaction_id', 'a b'],
    ['transaction_id', 'x'.repeat(129)],
    ['timestamp', '2018-08-08 10:12:03'],
    ['timestamp', '2018-08-08T10:12:03'],
    ['amount', 1e9 + 1],
    ['amount', '5'],
    ['customer_id', '4111 1111 1111 1111'],
    ['terminal_id', ''],
    ['ip', '300.1.1.1'],
    ['country', 'de'],
  ])('rejects %s = %j', (field, value) => {
    const r = validateTransaction({ ...good, [field]: value });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.some((i) => i.path === `/${field}`)).toBe(true);
  });

  it('takes event times from 1970 to a day ahead of the clock, with one issue for each bad one', () => {
    const at = (timestamp: string) => validateTransaction({ ...good, timestamp });
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    expect(at('1970-01-01T00:00:00Z').ok).toBe(true);
    expect(at(soon).ok).toBe(true);
    for (const [timestamp, words] of [
      ['0020-08-08T10:12:03Z', 'before 1970-01-01'],
      ['1969-12-31T23:59:59Z', 'before 1970-01-01'],
      [new Date(Date.now() + 2 * 86_400_000).toISOString(), 'a day ahead'],
      ['9999-12-31T23:59:59Z', 'a day ahead'],
    ] as const) {
      const r = at(timestamp);
      expect(r.ok, timestamp).toBe(false);
      if (!r.ok) {
        expect(r.issues).toHaveLength(1);
        expect(r.issues[0]!.path).toBe('/timestamp');
        expect(r.issues[0]!.message).toContain(words);
      }
    }
    // A malformed time gets the format's issue alone.
    const bad = at('yesterday');
    expect(!bad.ok && bad.issues.map((i) => i.path)).toEqual(['/timestamp']);
  });

  it('reports each missing required field', () => {
    const r = validateTransaction({});
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues.map((i) => i.path).sort()).toEqual(
        ['/amount', '/customer_id', '/terminal_id', '/timestamp', '/transaction_id'].sort(),
      );
    }
  });

  it('refuses a card number as transaction_id, as for every other id', () => {
    for (const pan of ['4111111111111111', '4111-1111-1111-1111', '378282246310005']) {
      const r = validateTransaction({ ...good, transaction_id: pan });
      expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(['/transaction_id']);
      if (!r.ok) expect(r.issues[0]!.message).toContain('card number');
    }
    // Luhn-invalid digits are an ordinary id.
    expect(validateTransaction({ ...good, transaction_id: '4111111111111112' }).ok).toBe(true);
  });

  it('hands the event time on in UTC whatever its offset, and a Z time byte-identical', () => {
    const r = validateTransaction({ ...good, timestamp: '2018-08-08T10:12:03.5+16:00' });
    expect(r.ok && r.value.timestamp).toBe('2018-08-07T18:12:03.5Z');
    const z = '2018-08-08T10:12:03.000000100Z';
    const same = validateTransaction({ ...good, timestamp: z });
    expect(same.ok && same.value.timestamp).toBe(z);
  });

  it('accepts every generated odd transaction, its time in UTC and its instant kept', () => {
    fc.assert(
      fc.property(oddTransaction(Date.now()), (tx) => {
        const r = validateTransaction(tx);
        expect(r.ok ? [] : r.issues).toEqual([]);
        if (!r.ok) return;
        expect(r.value.timestamp.endsWith('Z')).toBe(true);
        expect(Date.parse(r.value.timestamp)).toBe(Date.parse(tx.timestamp));
        expect(Object.is(r.value.amount, tx.amount)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('detects card numbers by length and Luhn', () => {
    expect(looksLikeCardNumber('4111111111111111')).toBe(true);
    expect(looksLikeCardNumber('4111111111111112')).toBe(false);
    expect(looksLikeCardNumber('c_4111111111111111')).toBe(false);
  });

  it('reads event time with its zone', () => {
    expect(epochSeconds('2018-08-08T12:00:00+02:00')).toBe(epochSeconds('2018-08-08T10:00:00Z'));
  });
});
