// The disk spill on its own, in real temporary directories.
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VigilEvent } from '@vigil/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { feedbackEvents } from '../../events/test-events.js';
import { DirLockedError } from './dir-lock.js';
import {
  openFileOutboxSpill,
  OutboxDirError,
  type FileOutboxSpill,
  type FileOutboxSpillOptions,
} from './file-outbox-spill.js';
import { deadPid } from './test-dead-pid.js';

let dir: string;
const open: FileOutboxSpill[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-spill-'));
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close([], []).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function spillIn(over: Partial<FileOutboxSpillOptions> = {}): Promise<FileOutboxSpill> {
  const s = await openFileOutboxSpill({ dir, maxBytes: 1 << 30, ...over });
  open.push(s);
  return s;
}

const ids = (events: readonly VigilEvent[]) => events.map((e) => e.event_id);
const files = async () => (await readdir(dir)).filter((f) => f !== 'lock').sort();

/** Read everything back, `max` at a time, settling each read at once (as delivered). */
async function drain(spill: FileOutboxSpill, max = 7): Promise<VigilEvent[]> {
  const out: VigilEvent[] = [];
  while (spill.unread > 0) {
    const r = await spill.read(max);
    out.push(...r.events);
    await spill.settle(r.segment, r.events.length);
  }
  return out;
}

/** What a kill -9 leaves: the files, and a lock whose process is gone. */
async function crash(): Promise<void> {
  open.splice(0);
  await writeFile(join(dir, 'lock'), `${await deadPid()}\n`);
}

describe('FileOutboxSpill', () => {
  it('appends NDJSON segments and reads them back in order, deleting each once settled', async () => {
    const events = feedbackEvents(0, 60);
    const spill = await spillIn({ segmentBytes: 2_000 });
    // ~190 bytes an event: each append of 15 fills its segment past 2,000 bytes.
    for (let i = 0; i < 60; i += 15) expect(await spill.append(events.slice(i, i + 15))).toBe(15);
    expect(spill.unread).toBe(60);
    const names = await files();
    expect(names).toEqual([1, 2, 3, 4].map((n) => `segment-${n}.ndjson`));
    const lines = (await readFile(join(dir, names[0]!), 'utf8')).split('\n');
    expect(lines.at(-1)).toBe('');
    expect(JSON.parse(lines[0]!)).toEqual(events[0]);
    expect(spill.bytes).toBeGreaterThan(0);

    expect(ids(await drain(spill))).toEqual(ids(events));
    expect(spill.unread).toBe(0);
    expect(spill.bytes).toBe(0);
    expect(await files()).toEqual([]);
  });

  it('keeps a segment until every event read from it is settled', async () => {
    const spill = await spillIn();
    await spill.append(feedbackEvents(0, 10));
    const r = await spill.read(10);
    expect(r.events).toHaveLength(10);
    expect(spill.unread).toBe(0);
    await spill.settle(r.segment, 9);
    expect(await files()).toEqual(['segment-1.ndjson']);
    await spill.settle(r.segment, 1);
    expect(await files()).toEqual([]);
  });

  it('after a crash, delivers again what was read back but not settled', async () => {
    const events = feedbackEvents(0, 10);
    const first = await spillIn();
    await first.append(events);
    expect((await first.read(4)).events).toHaveLength(4);
    await crash();
    const second = await spillIn();
    expect(second.unread).toBe(10);
    expect(ids(await drain(second))).toEqual(ids(events));
  });

  it('skips a torn last line and lines that are not events, counting them as lost', async () => {
    const events = feedbackEvents(0, 3);
    const spill = await spillIn();
    await spill.append(events);
    await crash();
    const file = join(dir, 'segment-1.ndjson');
    await appendFile(file, '{"not":"an event"}\nnot json\n');
    await appendFile(file, JSON.stringify(feedbackEvents(3, 1)[0]).slice(0, 40));
    const again = await spillIn();
    expect(again.unread).toBe(5);
    const r = await again.read(100);
    expect(ids(r.events)).toEqual(ids(events));
    expect(r.lost).toBe(3);
    expect(again.unread).toBe(0);
    await again.settle(r.segment, r.events.length);
    expect(await files()).toEqual([]);
  });

  it('counts a file deleted behind its back as lost, and goes on with the next', async () => {
    const events = feedbackEvents(0, 6);
    const spill = await spillIn({ segmentBytes: 1 });
    await spill.append(events.slice(0, 4));
    await spill.append(events.slice(4));
    await rm(join(dir, 'segment-1.ndjson'));
    expect(await spill.read(10)).toMatchObject({ events: [], lost: 4 });
    expect(spill.unread).toBe(2);
    expect(ids(await drain(spill))).toEqual(ids(events.slice(4)));
  });

  it('writes no more than maxBytes: the events past it are refused, the oldest kept', async () => {
    const events = feedbackEvents(0, 20);
    const line = Buffer.byteLength(`${JSON.stringify(events[0])}\n`);
    const spill = await spillIn({ maxBytes: line * 5 + 10 });
    expect(await spill.append(events.slice(0, 3))).toBe(3);
    expect(await spill.append(events.slice(3))).toBe(2);
    expect(await spill.append(events.slice(5))).toBe(0);
    expect(spill.bytes).toBeLessThanOrEqual(line * 5 + 10);
    expect(ids(await drain(spill))).toEqual(ids(events.slice(0, 5)));
    expect(await spill.append(events.slice(5, 8))).toBe(3);
  });

  it('close() puts the undelivered head first, without repeating what a kept file holds', async () => {
    const events = feedbackEvents(0, 30);
    const spill = await spillIn({ segmentBytes: 1_500 });
    await spill.append(events.slice(10));
    // In memory at close: events 0–9 (never spilled), then what was read from the first segment.
    const r = await spill.read(3);
    expect(await files()).toContain(`segment-${r.segment}.ndjson`);
    const head = [...events.slice(0, 10), ...r.events];
    const origins = [
      ...Array<number>(10).fill(0),
      ...Array<number>(r.events.length).fill(r.segment),
    ];
    await spill.close(head, origins);
    open.splice(0);
    expect(await readdir(dir)).not.toContain('lock');
    const headFile = (await files()).find((f) => f.startsWith('head-'));
    expect(headFile).toBe('head-1.ndjson');
    expect((await readFile(join(dir, headFile!), 'utf8')).trim().split('\n')).toHaveLength(10);

    const next = await spillIn();
    expect(next.unread).toBe(30);
    expect(ids(await drain(next))).toEqual(ids(events));
    expect(await files()).toEqual([]);
  });

  it('a later head comes before an earlier one', async () => {
    const events = feedbackEvents(0, 9);
    const first = await spillIn();
    await first.append(events.slice(6));
    await first.close(events.slice(3, 6), [0, 0, 0]);
    open.splice(0);
    const second = await spillIn();
    await second.close(events.slice(0, 3), [0, 0, 0]);
    open.splice(0);
    expect(await files()).toEqual(['head-1.ndjson', 'head-2.ndjson', 'segment-1.ndjson']);
    expect(ids(await drain(await spillIn()))).toEqual(ids(events));
  });

  it('takes a head whose close was cut short as it is', async () => {
    const events = feedbackEvents(0, 4);
    await writeFile(
      join(dir, 'head-1.ndjson.tmp'),
      events.map((e) => `${JSON.stringify(e)}\n`).join('') + '{"torn',
    );
    const spill = await spillIn();
    const r = await spill.read(10);
    expect(ids(r.events)).toEqual(ids(events));
    expect(r.lost).toBe(1);
  });

  it('refuses a directory another spill holds, naming VIGIL_OUTBOX_DIR', async () => {
    await spillIn();
    const error = await openFileOutboxSpill({ dir, maxBytes: 1 << 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DirLockedError);
    expect((error as Error).message).toMatch(/^VIGIL_OUTBOX_DIR=.* is in use by process/);
  });

  it('takes over a directory whose owner is gone', async () => {
    const events = feedbackEvents(0, 2);
    await (await spillIn()).append(events);
    await crash();
    expect(ids(await drain(await spillIn()))).toEqual(ids(events));
  });

  it('fails naming VIGIL_OUTBOX_DIR when the path cannot be a directory', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    const error = await openFileOutboxSpill({ dir: join(file, 'outbox'), maxBytes: 1 << 20 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OutboxDirError);
    expect((error as Error).message).toMatch(/^VIGIL_OUTBOX_DIR=.*a-file\/outbox cannot hold/);
  });
});
