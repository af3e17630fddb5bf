// The way to the spill, against a spill in memory that records its appends.
import type { VigilEvent } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import type { OutboxSpill } from './outbox-spill.port.js';
import { SPILL_WRITE_MAX, SpillOverflow } from './spill-overflow.js';
import { feedbackEvents } from './test-events.js';

function fakeSpill(room = Infinity, fail = false) {
  const appends: VigilEvent[][] = [];
  let release: () => void = () => undefined;
  const spill: OutboxSpill = {
    where: '/fake',
    maxBytes: 1_000,
    unread: 0,
    bytes: 0,
    append: async (events) => {
      appends.push([...events]);
      await new Promise<void>((resolve) => (release = resolve));
      if (fail) throw new Error('EIO');
      return Math.min(events.length, room);
    },
    read: () => Promise.resolve({ events: [], segment: 0, lost: 0 }),
    settle: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return { spill, appends, release: () => release() };
}

function overflowOf(spill: OutboxSpill) {
  const drops: { reason: string; n: number; msg: string }[] = [];
  let written = 0;
  const overflow = new SpillOverflow(spill, 60_000, 'http://backplane', {
    written: () => written++,
    dropped: (reason, n, msg) => drops.push({ reason, n, msg }),
  });
  return { overflow, drops, written: () => written };
}

const ids = (events: readonly VigilEvent[]) => events.map((e) => e.event_id);

describe('SpillOverflow', () => {
  it('gathers what arrives into one append, in order', async () => {
    const fake = fakeSpill();
    const { overflow, written } = overflowOf(fake.spill);
    const events = feedbackEvents(0, 9);
    overflow.push(events.slice(0, 4));
    overflow.push(events, 4);
    expect(fake.appends).toHaveLength(0); // not before flushMs
    expect(overflow.size).toBe(9);
    const flushed = overflow.flush();
    expect(fake.appends.map(ids)).toEqual([ids(events)]);
    fake.release();
    await flushed;
    expect(overflow.size).toBe(0);
    expect(written()).toBe(1);
  });

  it('starts an append at once when a full one waits, and gives nothing back meanwhile', async () => {
    const fake = fakeSpill();
    const { overflow } = overflowOf(fake.spill);
    overflow.push(feedbackEvents(0, SPILL_WRITE_MAX + 3));
    expect(fake.appends.map((a) => a.length)).toEqual([SPILL_WRITE_MAX]);
    expect(overflow.landing).not.toBeNull();
    expect(overflow.take(10)).toEqual([]);
    fake.release();
    await overflow.landing;
    expect(ids(overflow.take(10))).toEqual(ids(feedbackEvents(SPILL_WRITE_MAX, 3)));
    expect(overflow.size).toBe(0);
  });

  it('counts what the spill has no room for as outbox_full, naming the bound', async () => {
    const fake = fakeSpill(2);
    const { overflow, drops } = overflowOf(fake.spill);
    overflow.push(feedbackEvents(0, 5));
    const flushed = overflow.flush();
    fake.release();
    await flushed;
    expect(drops.map((d) => [d.reason, d.n])).toEqual([['outbox_full', 3]]);
    expect(drops[0]!.msg).toMatch(/disk spill full \(VIGIL_OUTBOX_SPILL_MAX_BYTES=1000\)/);
  });

  it('counts an append that fails as outbox_unavailable', async () => {
    const fake = fakeSpill(Infinity, true);
    const { overflow, drops } = overflowOf(fake.spill);
    overflow.push(feedbackEvents(0, 4));
    const flushed = overflow.flush();
    fake.release();
    await flushed;
    expect(drops.map((d) => [d.reason, d.n])).toEqual([['outbox_unavailable', 4]]);
    expect(overflow.size).toBe(0);
  });
});
