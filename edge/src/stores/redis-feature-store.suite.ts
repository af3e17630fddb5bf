/**
 * What both Redis stores promise beyond the FeatureStore contract: one round trip per scored
 * transaction with answers riding along, the EVALSHA → EVAL fallback, idle and close flushes,
 * the documented key layout and TTLs, and timeouts that keep the buffered answers. Run by
 * redis-tcp-feature-store.test.ts and upstash-feature-store.test.ts against a real Redis.
 */
import { randomUUID } from 'node:crypto';
import {
  applyCustomerLabel,
  applyLabel,
  labelOps,
  CUSTOMER_STATE_BYTES,
  ENTITY_VELOCITY_BYTES,
  TERMINAL_STATE_BYTES,
  newCustomerState,
  newTerminalState,
  updateCustomer,
  updateTerminal,
  type StoreTransaction,
} from '@vigil/core';
import { createClient, RESP_TYPES } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FeatureStoreError } from './feature-store-error.js';
import type { RedisFeatureStoreOptions, RemoteFeatureStore } from './redis-feature-store.js';
import { bytesOfState } from './script-codec.js';
import { verdict, VERDICT_T0_US } from './test-verdict.js';

/** Builds a store of the adapter under test; `timeoutMs` overrides its generous test default. */
export type MakeRemoteStore = (
  options: RedisFeatureStoreOptions & { prefix: string; timeoutMs?: number },
) => Promise<RemoteFeatureStore>;

const T0 = Date.UTC(2024, 4, 1, 10) / 1000;
const tx = (id: string, over: Partial<StoreTransaction> = {}): StoreTransaction => ({
  transactionId: id,
  customerId: 'c1',
  terminalId: 't1',
  timeSec: T0,
  amount: 42.5,
  ...over,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh key prefix per test: tests never see each other's keys. */
export function testPrefix(): string {
  return `test:${randomUUID()}:`;
}

export function describeRedisFeatureStore(
  name: string,
  redisUrl: () => string,
  make: MakeRemoteStore,
): void {
  describe(`Redis feature store behaviour: ${name}`, () => {
    let admin: ReturnType<typeof createClient>;
    const open: RemoteFeatureStore[] = [];
    async function store(
      options: Partial<Parameters<MakeRemoteStore>[0]> = {},
    ): Promise<RemoteFeatureStore> {
      const s = await make({ prefix: testPrefix(), ...options });
      open.push(s);
      return s;
    }

    beforeAll(async () => {
      admin = createClient({ url: redisUrl() });
      await admin.connect();
    });
    afterEach(async () => {
      await Promise.allSettled(open.splice(0).map((s) => s.close()));
    });
    afterAll(async () => {
      await admin.close();
    });

    it('costs one round trip per scored transaction, the answers riding along', async () => {
      const s = await store();
      await s.step([tx('warm-up')]); // may pay the one-off EVAL
      const before = s.roundTrips;
      for (let i = 0; i < 20; i++) {
        const id = `tx${i}`;
        const [o] = await s.step([tx(id, { timeSec: T0 + i * 60 })]);
        expect(o?.kind).toBe('fresh');
        await s.saveAnswers([{ transactionId: id, answer: `answer ${i}` }]);
        expect(s.bufferedAnswers).toBe(1);
      }
      expect(s.roundTrips - before).toBe(20);
      // The last answer rode along with this call, before its lookup.
      expect(await s.step([tx('tx19', { timeSec: T0 + 19 * 60 })])).toEqual([
        { kind: 'replay', answer: 'answer 19' },
      ]);
      expect(s.bufferedAnswers).toBe(0);
      expect(s.roundTrips - before).toBe(21);
      const labelled = await s.label([verdict('tx3', 'fraud')]);
      expect(labelled).toEqual({ ok: true, outcomes: ['applied'] });
      expect(s.roundTrips - before).toBe(22);
    });

    it('still costs one round trip per scored transaction with lists and velocity', async () => {
      const s = await store();
      await s.applyListChanges([
        { op: 'add', list: 'watch', kind: 'device_id', value: 'dev', expiresAtMs: null },
        { op: 'add', list: 'sanctioned', kind: 'country', value: 'KP', expiresAtMs: null },
      ]);
      await s.step([tx('warm-up')]); // may pay the one-off EVAL
      const before = s.roundTrips;
      for (let i = 0; i < 20; i++) {
        const id = `tx${i}`;
        const [o] = await s.step([
          tx(id, { timeSec: T0 + i * 60, deviceId: 'dev', ip: '192.0.2.1', country: 'KP' }),
        ]);
        expect(o?.kind === 'fresh' && [...o.lists].sort()).toEqual(['sanctioned', 'watch']);
        expect(o?.kind === 'fresh' && o.velocity[0]).toBe(i + 1);
        await s.saveAnswers([{ transactionId: id, answer: `answer ${i}` }]);
      }
      expect(s.roundTrips - before).toBe(20);
      // A batch of 50 is one round trip too.
      const batch = Array.from({ length: 50 }, (_, i) =>
        tx(`b${i}`, { timeSec: T0 + 3_000 + i, deviceId: `dev${i % 7}`, ip: '192.0.2.2' }),
      );
      await s.step(batch);
      expect(s.roundTrips - before).toBe(21);
      // List changes ride along with the buffered answers: one request each.
      await s.applyListChanges([
        { op: 'remove', list: 'watch', kind: 'device_id', value: 'dev', expiresAtMs: null },
      ]);
      expect(s.roundTrips - before).toBe(22);
      expect(s.bufferedAnswers).toBe(0);
    });

    it('keeps velocity states and list hashes under the documented keys, with their TTLs', async () => {
      const prefix = testPrefix();
      const s = await store({ prefix, stateTtlSec: 2_000, velocityTtlSec: 300 });
      const in1h = Date.now() + 3_600_000;
      await s.applyListChanges([
        { op: 'add', list: 'watch', kind: 'ip', value: '192.0.2.9', expiresAtMs: in1h },
        { op: 'add', list: 'soon', kind: 'ip', value: '192.0.2.9', expiresAtMs: in1h - 60_000 },
        { op: 'add', list: 'gone', kind: 'ip', value: '192.0.2.9', expiresAtMs: 5 },
        { op: 'add', list: 'blocked', kind: 'customer_id', value: 'cust', expiresAtMs: null },
      ]);
      // Expired fields are cleaned on write; the hash expires with its last item, or never.
      expect(await admin.hGetAll(`${prefix}l:ip:192.0.2.9`)).toEqual({
        watch: String(in1h),
        soon: String(in1h - 60_000),
      });
      expect(Number(await admin.pExpireTime(`${prefix}l:ip:192.0.2.9`))).toBe(in1h);
      expect(await admin.hGetAll(`${prefix}l:customer_id:cust`)).toEqual({ blocked: '0' });
      expect(Number(await admin.ttl(`${prefix}l:customer_id:cust`))).toBe(-1);
      // Only the hashes of values on a list exist: a check reads a value's own hash.
      expect(await admin.keys(`${prefix}l:*`)).toHaveLength(2);

      await s.step([
        tx('a', { customerId: 'cust', deviceId: 'dev', ip: '192.0.2.9', country: 'FR' }),
      ]);
      const size = async (key: string) => Number(await admin.strLen(key));
      const ttl = async (key: string) => Number(await admin.ttl(key));
      for (const key of [`${prefix}d:dev`, `${prefix}ip:192.0.2.9`, `${prefix}cv:cust`]) {
        expect(await size(key), key).toBe(ENTITY_VELOCITY_BYTES);
      }
      expect(await ttl(`${prefix}d:dev`)).toBeGreaterThan(290);
      expect(await ttl(`${prefix}d:dev`)).toBeLessThanOrEqual(300);
      expect(await ttl(`${prefix}ip:192.0.2.9`)).toBeLessThanOrEqual(300);
      expect(await ttl(`${prefix}cv:cust`)).toBeGreaterThan(1_990);
      // No field, no state: a transaction without device, IP or country writes none.
      await s.step([tx('b', { customerId: 'bare' })]);
      expect(await admin.exists(`${prefix}cv:bare`)).toBe(0);
    });

    it('falls back to EVAL once when Redis has lost the script', async () => {
      const s = await store();
      await s.step([tx('a')]);
      await admin.scriptFlush();
      const before = s.roundTrips;
      expect((await s.step([tx('b')]))[0]?.kind).toBe('fresh');
      expect(s.roundTrips - before).toBe(2); // EVALSHA → NOSCRIPT, then EVAL
      await s.step([tx('c')]);
      expect(s.roundTrips - before).toBe(3);
    });

    it('flushes buffered answers after the idle delay, and on close', async () => {
      const prefix = testPrefix();
      const s = await store({ prefix, idleFlushMs: 30 });
      await s.step([tx('a'), tx('b')]);
      const before = s.roundTrips;
      await s.saveAnswers([{ transactionId: 'a', answer: 'A' }]);
      await sleep(300);
      expect(s.bufferedAnswers).toBe(0);
      expect(s.roundTrips - before).toBe(1);
      await s.saveAnswers([{ transactionId: 'b', answer: 'B' }]);
      await s.close();

      const other = await store({ prefix });
      expect(await other.step([tx('a'), tx('b')])).toEqual([
        { kind: 'replay', answer: 'A' },
        { kind: 'replay', answer: 'B' },
      ]);
    });

    it('keeps states packed under the documented keys, with their TTLs', async () => {
      const prefix = testPrefix();
      const s = await store({ prefix, recordTtlSec: 1_000, stateTtlSec: 2_000 });
      const t = tx('a', { customerId: 'cust', terminalId: 'term' });
      await s.step([t]);
      await s.saveAnswers([{ transactionId: 'a', answer: 'saved' }]);
      await s.flush();

      const expectedCustomer = newCustomerState();
      updateCustomer(expectedCustomer, t);
      const expectedTerminal = newTerminalState();
      updateTerminal(expectedTerminal, t);
      const get = async (key: string): Promise<Buffer | null> => {
        const reply = await admin.sendCommand(['GET', key], {
          typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer },
        });
        return Buffer.isBuffer(reply) ? reply : null;
      };
      const c = await get(`${prefix}c:cust`);
      const term = await get(`${prefix}t:term`);
      expect(c?.byteLength).toBe(CUSTOMER_STATE_BYTES);
      expect(term?.byteLength).toBe(TERMINAL_STATE_BYTES);
      expect(c!.equals(bytesOfState(expectedCustomer))).toBe(true);
      expect(term!.equals(bytesOfState(expectedTerminal))).toBe(true);

      // The record: label, '@' and the payload's time and amount, core's +1 / −1 label programs
      // (OP_LABEL = 3) for the terminal and for the card, the terminal key's length, then the
      // terminal's and the card's keys.
      const tKey = `${prefix}t:term`;
      expect(await admin.get(`${prefix}tx:a`)).toMatch(
        new RegExp(
          `^n;@${T0};42\\.5;3,[^;]*,1;3,[^;]*,-1;3,[^;]*,1;3,[^;]*,-1;${tKey.length};` +
            `${tKey}${prefix}c:cust$`,
        ),
      );
      expect(await admin.get(`${prefix}ans:a`)).toBe('saved');

      const ttl = async (key: string) => Number(await admin.ttl(key));
      expect(await ttl(`${prefix}c:cust`)).toBeGreaterThan(1_990);
      expect(await ttl(`${prefix}t:term`)).toBeGreaterThan(1_990);
      expect(await ttl(`${prefix}tx:a`)).toBeGreaterThan(990);
      expect(await ttl(`${prefix}tx:a`)).toBeLessThanOrEqual(1_000);
      // The answer expires with its record.
      expect(
        Math.abs(
          Number(await admin.pTTL(`${prefix}ans:a`)) - Number(await admin.pTTL(`${prefix}tx:a`)),
        ),
      ).toBeLessThan(1_000);

      // A label keeps the record's lifetime and refreshes the terminal's and the card's.
      await admin.expire(`${prefix}tx:a`, 500);
      await admin.expire(`${prefix}t:term`, 500);
      await admin.expire(`${prefix}c:cust`, 500);
      await s.label([verdict('a', 'fraud', VERDICT_T0_US + 42)]);
      expect(await ttl(`${prefix}tx:a`)).toBeLessThanOrEqual(500);
      expect(await ttl(`${prefix}tx:a`)).toBeGreaterThan(490);
      expect(await ttl(`${prefix}t:term`)).toBeGreaterThan(1_990);
      expect(await ttl(`${prefix}c:cust`)).toBeGreaterThan(1_990);
      // The label in force and its verdict's time (epoch µs) lead the record.
      expect(await admin.get(`${prefix}tx:a`)).toMatch(new RegExp(`^f${VERDICT_T0_US + 42};@`));
    });

    it('reads a record labelled before verdict times were kept: its verdict is the oldest', async () => {
      const prefix = testPrefix();
      const s = await store({ prefix });
      const t = tx('old', { customerId: 'cust', terminalId: 'term' });
      await s.step([t]);
      await s.saveAnswers([{ transactionId: 'old', answer: 'A' }]);
      await s.flush();
      expect(await s.label([verdict('old', 'fraud', VERDICT_T0_US + 9)])).toEqual({
        ok: true,
        outcomes: ['applied'],
      });
      // What a store before verdict times wrote: the label alone, no time after it.
      const current = await admin.get(`${prefix}tx:old`);
      expect(current).toMatch(/^f\d+;@/);
      await admin.set(`${prefix}tx:old`, current!.replace(/^f\d+;/, 'f;'), { EX: 1_000 });
      // Its payload is still read: the same payload replays, another one is refused.
      expect(await s.step([t])).toEqual([{ kind: 'replay', answer: 'A' }]);
      expect(await s.step([{ ...t, amount: t.amount + 1 }])).toEqual([{ kind: 'conflict' }]);
      // Any dated verdict is later than it, even one dated before the fraud was.
      expect(await s.label([verdict('old', 'legitimate', VERDICT_T0_US)])).toEqual({
        ok: true,
        outcomes: ['applied'],
      });
      expect(await admin.get(`${prefix}tx:old`)).toMatch(new RegExp(`^l${VERDICT_T0_US};@`));
      expect(Number(await admin.ttl(`${prefix}tx:old`))).toBeGreaterThan(990);
      const terminal = newTerminalState();
      updateTerminal(terminal, t);
      const [probe] = await s.step([tx('probe', { customerId: 'cust', terminalId: 'term' })]);
      expect(probe?.kind === 'fresh' && Buffer.from(bytesOfState(probe.terminal))).toEqual(
        Buffer.from(bytesOfState(terminal)),
      );
    });

    it('labels a record of the earlier layout (terminal only) after an upgrade', async () => {
      const prefix = testPrefix();
      const s = await store({ prefix });
      const t = tx('old', { customerId: 'cust', terminalId: 'term' });
      await s.step([t]);
      await s.flush();
      // What a store before the card's label wrote: label, terminal ±1 programs, terminal key.
      const tKey = `${prefix}t:term`;
      const plus = Array.from(labelOps(t.timeSec, 1)).join(',');
      const minus = Array.from(labelOps(t.timeSec, -1)).join(',');
      await admin.set(`${prefix}tx:old`, `n;${plus};${minus};${tKey}`);
      const get = async (key: string): Promise<Buffer | null> => {
        const reply = await admin.sendCommand(['GET', key], {
          typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer },
        });
        return Buffer.isBuffer(reply) ? reply : null;
      };
      const customerBefore = await get(`${prefix}c:cust`);
      expect(await s.label([verdict('old', 'fraud')])).toEqual({
        ok: true,
        outcomes: ['applied'],
      });
      const terminal = newTerminalState();
      updateTerminal(terminal, t);
      applyLabel(terminal, t.timeSec, 1);
      expect((await get(tKey))!.equals(bytesOfState(terminal))).toBe(true);
      // The card is left as it was: the old record does not know it.
      expect(customerBefore).not.toBeNull();
      expect((await get(`${prefix}c:cust`))!.equals(customerBefore!)).toBe(true);
    });

    it('replays a record of the layout without a payload as before, and labels it', async () => {
      const prefix = testPrefix();
      const s = await store({ prefix });
      const t = tx('old', { customerId: 'cust', terminalId: 'term' });
      const p = tx('old-pending', { customerId: 'cust', terminalId: 'term', timeSec: T0 + 60 });
      await s.step([t, p]);
      await s.saveAnswers([{ transactionId: 'old', answer: 'A' }]);
      await s.flush();
      // What the store wrote before records carried the payload: the same record without
      // "@TIME;AMOUNT;" after the label.
      for (const id of ['old', 'old-pending']) {
        const current = await admin.get(`${prefix}tx:${id}`);
        expect(current).toMatch(/^n;@[^;]*;[^;]*;3,/);
        await admin.set(`${prefix}tx:${id}`, current!.replace(/^n;@[^;]*;[^;]*;/, 'n;'));
      }
      const get = async (key: string): Promise<Buffer | null> => {
        const reply = await admin.sendCommand(['GET', key], {
          typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer },
        });
        return Buffer.isBuffer(reply) ? reply : null;
      };
      const customerBefore = await get(`${prefix}c:cust`);
      const terminalBefore = await get(`${prefix}t:term`);
      // It cannot tell a retry from a reused id: any payload replays (or is pending), as before.
      const other = { customerId: 'other', terminalId: 'elsewhere', amount: 1, timeSec: T0 + 9 };
      expect(await s.step([t, { ...t, ...other }, p, { ...p, ...other }])).toEqual([
        { kind: 'replay', answer: 'A' },
        { kind: 'replay', answer: 'A' },
        { kind: 'pending' },
        { kind: 'pending' },
      ]);
      expect((await get(`${prefix}c:cust`))!.equals(customerBefore!)).toBe(true);
      expect((await get(`${prefix}t:term`))!.equals(terminalBefore!)).toBe(true);
      expect(await get(`${prefix}c:other`)).toBeNull();
      // Its label programs and keys are read as before: the fraud counts at the terminal and card.
      expect(await s.label([verdict('old', 'fraud')])).toEqual({
        ok: true,
        outcomes: ['applied'],
      });
      const terminal = newTerminalState();
      updateTerminal(terminal, t);
      updateTerminal(terminal, p);
      applyLabel(terminal, t.timeSec, 1);
      const customer = newCustomerState();
      updateCustomer(customer, t);
      updateCustomer(customer, p);
      applyCustomerLabel(customer, t.timeSec, 1);
      expect((await get(`${prefix}t:term`))!.equals(bytesOfState(terminal))).toBe(true);
      expect((await get(`${prefix}c:cust`))!.equals(bytesOfState(customer))).toBe(true);
    });

    it('times out as FEATURE_STORE_TIMEOUT and keeps the buffered answers', async () => {
      const s = await store({ timeoutMs: 50, perItemTimeoutMs: 2 });
      await s.step([tx('a')]);
      await s.saveAnswers([{ transactionId: 'a', answer: 'A' }]);
      // Redis is busy for 300 ms (a spinning script; it ends by itself, whoever else runs): a
      // one-transaction call (50 ms) must give up first…
      const busy = admin.eval(
        `local t0 = redis.call('TIME')
         repeat local t = redis.call('TIME')
         until (t[1] - t0[1]) * 1000000 + (t[2] - t0[2]) > 300000
         return 1`,
      );
      await sleep(20);
      const error: unknown = await s.step([tx('b')]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FeatureStoreError);
      expect((error as FeatureStoreError).code).toBe('FEATURE_STORE_TIMEOUT');
      expect(s.bufferedAnswers).toBe(1);
      // …while a batch of 300 (50 + 2 × 299 ms) waits it out.
      const batch = Array.from({ length: 300 }, (_, i) => tx(`batch${i}`));
      expect((await s.step(batch)).every((o) => o.kind === 'fresh')).toBe(true);
      await busy;
      // The timed-out step ran once Redis was free: its duplicate is pending, never lost.
      expect(await s.step([tx('b')])).toEqual([{ kind: 'pending' }]);
      expect(await s.step([tx('a')])).toEqual([{ kind: 'replay', answer: 'A' }]);
    });

    it('answers degraded-worthy errors after close', async () => {
      const s = await store();
      await s.close();
      await expect(s.step([tx('a')])).rejects.toMatchObject({ code: 'FEATURE_STORE_UNAVAILABLE' });
    });
  });
}
