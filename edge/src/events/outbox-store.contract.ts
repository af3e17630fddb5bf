/**
 * The OutboxStore contract (outbox.ts's port) as a test suite, run against every store: memory
 * (memory-outbox-store.test.ts), LMDB on Node (runtime/node/lmdb-outbox-store.test.ts) and the
 * EventOutbox Durable Object in workerd (runtime/workers/event-outbox.test.ts). The drain relies
 * on exactly this: order kept across appends, rows as they were appended, and a row gone only
 * once settled.
 */
import type { VigilEvent } from '@vigil/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxStore } from './outbox.js';
import { feedbackEvents } from './test-events.js';

const ids = (events: readonly VigilEvent[]) => events.map((e) => e.event_id);
const rowIds = (rows: readonly { json: string }[]) =>
  rows.map((r) => (JSON.parse(r.json) as VigilEvent).event_id);

/** `make` returns an empty store; `dispose` lets one go (default: nothing to do). */
export function describeOutboxStoreContract<S extends OutboxStore>(
  name: string,
  make: () => Promise<S>,
  dispose: (store: S) => Promise<void> = async () => {},
): void {
  describe(`OutboxStore contract: ${name}`, () => {
    const open: S[] = [];
    async function store(): Promise<S> {
      const s = await make();
      open.push(s);
      return s;
    }
    afterEach(async () => {
      for (const s of open.splice(0)) await dispose(s);
    });

    it('starts empty', async () => {
      const s = await store();
      expect(await s.depth()).toBe(0);
      expect(await s.oldest(10)).toEqual([]);
    });

    it('hands back what was appended, oldest first, as its JSON, across appends', async () => {
      const s = await store();
      const events = feedbackEvents(0, 1_200);
      const before = Date.now();
      for (const part of [events.slice(0, 1), events.slice(1, 700), events.slice(700)]) {
        expect(await s.append(part)).toMatchObject({ stored: part.length, refused: 0 });
      }
      expect(await s.depth()).toBe(1_200);
      const first = await s.oldest(500);
      expect(rowIds(first)).toEqual(ids(events.slice(0, 500)));
      expect(JSON.parse(first[0]!.json)).toEqual(events[0]);
      expect(first[0]!.at).toBeGreaterThanOrEqual(before);
      expect(first[0]!.at).toBeLessThanOrEqual(Date.now());
      const seqs = first.map((r) => r.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(new Set(seqs).size).toBe(500);
      // Reading takes nothing away.
      expect(rowIds(await s.oldest(2))).toEqual(ids(events.slice(0, 2)));
      expect(await s.depth()).toBe(1_200);
    });

    it('hands back every row depth counts, even before the append has settled', async () => {
      // The drain reschedules itself while depth > 0: a store whose reads lag its count would
      // make it spin (LMDB's puts are visible only once committed).
      const s = await store();
      const events = feedbackEvents(300, 600);
      const appended = s.append(events);
      expect(rowIds(await s.oldest(1_000))).toEqual(ids(events));
      expect(await s.depth()).toBe(600);
      await appended;
    });

    it('removes exactly the rows settled, ignores rows already gone, appends after the rest', async () => {
      const s = await store();
      const events = feedbackEvents(100, 10);
      await s.append(events);
      const rows = await s.oldest(10);
      // A row from the middle (a poison event set aside), then the first three (a delivery).
      await s.settle([rows[5]!]);
      await s.settle(rows.slice(0, 3));
      await s.settle(rows.slice(0, 3));
      expect(await s.depth()).toBe(6);
      const more = feedbackEvents(200, 2);
      await s.append(more);
      const left = await s.oldest(100);
      expect(rowIds(left)).toEqual([
        ...ids(events.slice(3, 5)),
        ...ids(events.slice(6)),
        ...ids(more),
      ]);
      await s.settle(left);
      expect(await s.depth()).toBe(0);
      expect(await s.oldest(10)).toEqual([]);
    });
  });
}
