// The memory store's journal hook, against a journal kept in this test: what each call hands it,
// that an outcome waits for its write, and that a failed write fails the call and is retried.
import type { StoreTransaction } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import type { FeatureStoreJournal, JournalChanges } from './feature-store-journal.js';
import { MemoryFeatureStore } from './memory-feature-store.js';
import { verdict, VERDICT_T0_US } from './test-verdict.js';

const T0 = Date.UTC(2024, 4, 1, 10) / 1000;
const tx = (id: string, day = 0, amount = 10): StoreTransaction => ({
  transactionId: id,
  customerId: 'c1',
  terminalId: 't1',
  timeSec: T0 + day * 86_400,
  amount,
});

/** Records every write; fails the next `failures` writes. */
class TestJournal implements FeatureStoreJournal {
  readonly writes: JournalChanges[] = [];
  failures = 0;
  write(changes: JournalChanges): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(new Error('disk full'));
    }
    this.writes.push(changes);
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const ids = (c: JournalChanges) => ({
  customers: c.customers.map(([id, v]) => `${id}${v ? '' : '-'}`),
  terminals: c.terminals.map(([id, v]) => `${id}${v ? '' : '-'}`),
  records: c.records.map(([id, v]) => `${id}${v ? '' : '-'}`),
});

describe('MemoryFeatureStore with a journal', () => {
  it('writes what each call changed, and nothing for a call that changed nothing', async () => {
    const journal = new TestJournal();
    const s = new MemoryFeatureStore({ journal, retentionDays: 40 });
    await s.step([tx('a')]);
    await s.saveAnswers([{ transactionId: 'a', answer: 'A' }]);
    await s.step([tx('a')]); // a replay
    await s.label([verdict('a', 'fraud')]);
    await s.step([tx('b', 41)]); // expires a, c1 and t1 stay (b is theirs)
    expect(journal.writes.map(ids)).toEqual([
      { customers: ['c1'], terminals: ['t1'], records: ['a'] },
      { customers: [], terminals: [], records: ['a'] },
      { customers: ['c1'], terminals: ['t1'], records: ['a'] },
      { customers: ['c1'], terminals: ['t1'], records: ['b', 'a-'] },
    ]);
    expect(journal.writes[1]!.records[0]![1]).toMatchObject({ answer: 'A', label: 0 });
    expect(journal.writes[2]!.records[0]![1]).toMatchObject({ answer: 'A', label: 1 });
    expect(journal.writes[2]!.records[0]![1]).toHaveProperty('labelTimeUs', expect.any(Number));
  });

  it('keeps the verdict time through a restore, and reads records journalled without one', async () => {
    const journal = new TestJournal();
    const s = new MemoryFeatureStore({ journal });
    await s.step([tx('a'), tx('b')]);
    await s.label([
      verdict('a', 'fraud', VERDICT_T0_US + 10),
      verdict('b', 'fraud', VERDICT_T0_US + 10),
    ]);
    const last = new Map<string, Record<string, unknown>>();
    for (const w of journal.writes) {
      for (const [id, v] of w.records) last.set(id, { ...v });
    }
    expect(last.get('a')).toMatchObject({ label: 1, labelTimeUs: VERDICT_T0_US + 10 });
    // What a journal before verdict times held: no such field (LMDB) or null (SQLite).
    delete last.get('b')!.labelTimeUs;
    const again = new MemoryFeatureStore();
    expect(again.restore({ customers: [], terminals: [], records: last })).toMatchObject({
      records: 2,
      skipped: 0,
    });
    // A kept time still wins over an older verdict; an unknown one loses to any dated verdict.
    expect(
      await again.label([
        verdict('a', 'legitimate', VERDICT_T0_US),
        verdict('b', 'legitimate', VERDICT_T0_US),
      ]),
    ).toEqual({ ok: true, outcomes: ['unchanged', 'applied'] });
  });

  it('fails a call whose write fails, and writes its changes with the next call', async () => {
    const journal = new TestJournal();
    const s = new MemoryFeatureStore({ journal });
    journal.failures = 1;
    await expect(s.step([tx('a')])).rejects.toThrow('disk full');
    expect(journal.writes).toHaveLength(0);
    await s.step([tx('b')]);
    expect(journal.writes.map(ids)).toEqual([
      { customers: ['c1'], terminals: ['t1'], records: ['a', 'b'] },
    ]);
  });

  it('restores what a journal held, as the store that wrote it', async () => {
    const journal = new TestJournal();
    const s = new MemoryFeatureStore({ journal });
    await s.step([tx('a')]);
    await s.saveAnswers([{ transactionId: 'a', answer: 'A' }]);
    const last = new Map<string, unknown>();
    const states = {
      customers: new Map<string, Uint8Array>(),
      terminals: new Map<string, Uint8Array>(),
    };
    for (const w of journal.writes) {
      for (const [id, v] of w.records) last.set(id, v);
      for (const [id, v] of w.customers)
        states.customers.set(id, new Uint8Array(v!.buffer.slice(0)));
      for (const [id, v] of w.terminals)
        states.terminals.set(id, new Uint8Array(v!.buffer.slice(0)));
    }
    const again = new MemoryFeatureStore();
    expect(
      again.restore({
        customers: [...states.customers, ['bad', new Uint8Array(3)]],
        terminals: states.terminals,
        records: [...last, ['broken', { customerId: 1 }]],
      }),
    ).toEqual({ customers: 1, terminals: 1, records: 1, skipped: 2 });
    expect(await again.step([tx('a')])).toEqual([{ kind: 'replay', answer: 'A' }]);
    expect(await again.step([tx('a', 0, 11)])).toEqual([{ kind: 'conflict' }]);
    expect(await again.step([tx('b')])).toEqual(await s.step([tx('b')]));
  });
});
