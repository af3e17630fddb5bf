// The Node edge's persistent store: the port's contract on real LMDB files, and what a restart
// must keep — states bit for bit, records with their labels and answers, expiry included.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreTransaction } from '@vigil/core';
import { afterAll, describe, expect, it } from 'vitest';
import { describeFeatureStoreContract } from '../../stores/feature-store.contract.js';
import { createMemoryFeatureStore } from '../../stores/memory-feature-store.js';
import { DirLockedError } from '@vigil/node-runtime';
import { openLmdbFeatureStore } from './lmdb-feature-store.js';
import { verdict } from '../../stores/test-verdict.js';
import { killAfterFirstLine } from './test-crash-child.js';

const root = mkdtempSync(join(tmpdir(), 'vigil-lmdb-store-'));
let n = 0;
const nextDir = () => join(root, `s${n++}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeFeatureStoreContract(
  'lmdb',
  async ({ now }) => (await openLmdbFeatureStore({ dir: nextDir(), now })).store,
);

const DAY = 86_400;
const T0 = Date.UTC(2024, 4, 1, 10) / 1000;
const tx = (id: string, day: number, over: Partial<StoreTransaction> = {}): StoreTransaction => ({
  transactionId: id,
  customerId: `c${id.length % 3}`,
  terminalId: `t${id.length % 2}`,
  timeSec: T0 + day * DAY + id.length,
  amount: 10 + id.length,
  ...over,
});

describe('the LMDB feature store across a restart', () => {
  it('keeps states, records, labels and answers: the reopened store answers as one never closed', async () => {
    const dir = nextDir();
    const reference = createMemoryFeatureStore();
    const first = await openLmdbFeatureStore({ dir });
    expect(first.restored).toEqual({ customers: 0, terminals: 0, records: 0, skipped: 0 });
    const stream = ['a', 'bb', 'ccc', 'dddd', 'eeeee'].map((id, i) => tx(id, i));
    for (const s of [first.store, reference]) {
      await s.step(stream);
      await s.saveAnswers(
        stream.map((t) => ({ transactionId: t.transactionId, answer: `A ${t.transactionId}` })),
      );
      expect(await s.label([verdict('bb', 'fraud')])).toEqual({
        ok: true,
        outcomes: ['applied'],
      });
    }
    await first.store.close();

    const second = await openLmdbFeatureStore({ dir });
    expect(second.restored).toEqual({ customers: 3, terminals: 2, records: 5, skipped: 0 });
    const s = second.store;
    try {
      // The saved answer replays; the same id with another amount is refused.
      expect(await s.step([tx('a', 0)])).toEqual([{ kind: 'replay', answer: 'A a' }]);
      expect(await s.step([tx('a', 0, { amount: 999 })])).toEqual([{ kind: 'conflict' }]);
      // The label is known: the same again changes nothing, its withdrawal applies.
      expect(await s.label([verdict('bb', 'fraud')])).toEqual({
        ok: true,
        outcomes: ['unchanged'],
      });
      expect(await s.label([verdict('bb', 'legitimate')])).toEqual({
        ok: true,
        outcomes: ['applied'],
      });
      await reference.label([verdict('bb', 'legitimate')]);
      // The states are the reference's to the bit: a new transaction sees the same ones.
      const next = tx('ffffff', 5);
      const [got] = await s.step([next]);
      const [want] = await reference.step([next]);
      expect(got?.kind).toBe('fresh');
      expect(got).toEqual(want);
    } finally {
      await s.close();
    }
  });

  it('keeps the velocity states: counters go on after a restart as if none happened', async () => {
    const dir = nextDir();
    const reference = createMemoryFeatureStore();
    const first = await openLmdbFeatureStore({ dir });
    const seen = (id: string, i: number, customerId: string) =>
      tx(id, 0, {
        customerId,
        timeSec: T0 + i * 60,
        deviceId: 'dev',
        ip: '192.0.2.1',
        country: 'FR',
      });
    const stream = [seen('v1', 0, 'ca'), seen('v2', 1, 'cb'), seen('v3', 2, 'ca')];
    await first.store.step(stream);
    await reference.step(stream);
    await first.store.close();

    const second = await openLmdbFeatureStore({ dir });
    try {
      const next = seen('v4', 3, 'cc');
      const [got] = await second.store.step([next]);
      const [want] = await reference.step([next]);
      expect(got?.kind === 'fresh' && Array.from(got.velocity)).toEqual([4, 3, 4, 3, 1, 1]);
      expect(got).toEqual(want);
    } finally {
      await second.store.close();
    }
  });

  it('persists expiry: records past the retention stay gone after a restart', async () => {
    const dir = nextDir();
    const first = await openLmdbFeatureStore({ dir, retentionDays: 40 });
    await first.store.step([tx('old', 0)]);
    await first.store.step([tx('new', 41)]);
    expect(first.store.stats().records).toBe(1);
    await first.store.close();
    const second = await openLmdbFeatureStore({ dir, retentionDays: 40 });
    try {
      expect(second.restored.records).toBe(1);
      expect(await second.store.label([verdict('old', 'fraud')])).toEqual({
        ok: false,
        unknown: [0],
      });
    } finally {
      await second.store.close();
    }
  });

  it('forgets no step that resolved when the process is killed (SIGKILL) right after', async () => {
    const dir = nextDir();
    expect(await killAfterFirstLine('./test-lmdb-crash-child.ts', [dir])).toBe('stepped fresh\n');
    // The dead process's lock is taken over; its step is there.
    const after = await openLmdbFeatureStore({ dir });
    try {
      expect(after.restored.records).toBe(1);
      // The child's transaction: recorded (its answer was never saved, so a retry is pending),
      // and its id with another amount refused.
      const crashed = {
        transactionId: 'tx_crash',
        customerId: 'c_crash',
        terminalId: 't_crash',
        timeSec: Date.UTC(2024, 4, 1) / 1000,
        amount: 42,
      };
      expect(await after.store.step([{ ...crashed, amount: 43 }])).toEqual([{ kind: 'conflict' }]);
      expect(await after.store.step([crashed])).toEqual([{ kind: 'pending' }]);
    } finally {
      await after.store.close();
    }
  }, 60_000);

  it('refuses a second process on the same directory, naming the variable', async () => {
    const dir = nextDir();
    const first = await openLmdbFeatureStore({ dir });
    try {
      const second = openLmdbFeatureStore({ dir });
      await expect(second).rejects.toBeInstanceOf(DirLockedError);
      await expect(second).rejects.toThrow(/VIGIL_FEATURE_STORE_DIR/);
    } finally {
      await first.store.close();
    }
  });
});
