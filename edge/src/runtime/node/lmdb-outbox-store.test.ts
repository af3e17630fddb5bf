// The Node edge's outbox store in LMDB, in real temporary directories: the port's contract, its
// bound, what a reopen finds (after a close, and after a kill -9), and its directory's lock.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeOutboxStoreContract } from '../../events/outbox-store.contract.js';
import { feedbackEvents } from '../../events/test-events.js';
import { DirLockedError } from '@vigil/node-runtime';
import { LmdbOutboxStore, OutboxDirError } from './lmdb-outbox-store.js';
import { killAfterFirstLine, runChild } from './test-crash-child.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-lmdb-outbox-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describeOutboxStoreContract(
  'lmdb',
  async () => LmdbOutboxStore.open(await tempDir(), 1 << 30),
  (s) => s.close(),
);

describe('LmdbOutboxStore', () => {
  it('under the sink, delivers events emitted as it closes and lets the process end', async () => {
    // Before the fix the child spun at 100 % CPU for ever: depth counted the new events while
    // oldest() could not see them yet, and the closing drain rescheduled itself in microtasks.
    const out = await runChild('./test-lmdb-outbox-close-child.ts', [await tempDir()], 20_000);
    expect(out).toBe('accepted 10\n');
  }, 30_000);

  it('keeps what is unsettled across a close and reopen, in order, and appends after it', async () => {
    const dir = await tempDir();
    let s = await LmdbOutboxStore.open(dir, 1 << 30);
    await s.append(feedbackEvents(0, 5));
    await s.settle(await s.oldest(2));
    const bytes = s.bytes();
    await s.close();
    s = await LmdbOutboxStore.open(dir, 1 << 30);
    try {
      expect(s.depth()).toBe(3);
      expect(s.bytes()).toBe(bytes);
      await s.append(feedbackEvents(5, 1));
      expect(
        (await s.oldest(10)).map(
          (r) => (JSON.parse(r.json) as { transaction_id: string }).transaction_id,
        ),
      ).toEqual(['tx_2', 'tx_3', 'tx_4', 'tx_5']);
    } finally {
      await s.close();
    }
  });

  it('keeps an append that resolved when the process is killed (SIGKILL) right after', async () => {
    const dir = await tempDir();
    expect(await killAfterFirstLine('./test-lmdb-outbox-crash-child.ts', [dir])).toBe(
      'appended 3\n',
    );
    // The dead process's lock is taken over; its events are there, in order.
    const s = await LmdbOutboxStore.open(dir, 1 << 30);
    try {
      expect((await s.oldest(10)).map((r) => r.json)).toEqual(
        feedbackEvents(0, 3).map((e) => JSON.stringify(e)),
      );
    } finally {
      await s.close();
    }
  }, 60_000);

  it('refuses events past VIGIL_OUTBOX_SPILL_MAX_BYTES and takes more once some are settled', async () => {
    const one = JSON.stringify(feedbackEvents(0, 1)[0]).length;
    const s = await LmdbOutboxStore.open(await tempDir(), one * 3);
    try {
      expect(await s.append(feedbackEvents(0, 5))).toEqual({ stored: 3, refused: 2 });
      expect(s.depth()).toBe(3);
      await s.settle(await s.oldest(1));
      expect(await s.append(feedbackEvents(5, 2))).toEqual({ stored: 1, refused: 1 });
    } finally {
      await s.close();
    }
  });

  it('is one process’s: a second open fails naming VIGIL_OUTBOX_DIR; a file is no directory', async () => {
    const dir = await tempDir();
    const s = await LmdbOutboxStore.open(dir, 1 << 30);
    try {
      const second = await LmdbOutboxStore.open(dir, 1 << 30).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(DirLockedError);
      expect(String(second)).toMatch(/VIGIL_OUTBOX_DIR/);
    } finally {
      await s.close();
    }
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    const bad = await LmdbOutboxStore.open(file, 1 << 30).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OutboxDirError);
    expect(String(bad)).toMatch(/VIGIL_OUTBOX_DIR=.*not-a-dir/);
  });
});
