import { describe, expect, it } from 'vitest';
import type { LiveItem } from '@vigil/core';
import { createFeedStore } from '../stores/feed-store.js';
import { createFeedLoad, syntheticDecision } from './feed-load.js';
import { fakeClock, manualFrames } from '../test/fakes.js';

describe('feed load', () => {
  it('makes valid-looking decisions whose decision matches the score', () => {
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 500; i++) {
      const d = syntheticDecision(i, random, '2024-01-01T00:00:00.000Z');
      const expected = d.score >= 0.8 ? 'decline' : d.score >= 0.5 ? 'review' : 'approve';
      expect(d.decision).toBe(expected);
      expect(d.reasons).toHaveLength(3);
      expect(d.transaction_id).toBe(`perf_${i}`);
    }
  });

  it('delivers n decisions at the asked rate, in frames, through ingest', async () => {
    const clock = fakeClock();
    const batches: (readonly LiveItem[])[] = [];
    const load = createFeedLoad(
      { ingest: (items) => batches.push(items) },
      { now: clock.now, setTimeout: clock.setTimeout, tickMs: 10 },
    );
    const done = load.inject(2000, 2000);
    for (let t = 0; t < 1000; t += 10) clock.advance(10);
    const result = await done;
    expect(result.sent).toBe(2000);
    expect(result.elapsedMs).toBe(1000);
    expect(batches.reduce((n, b) => n + b.length, 0)).toBe(2000);
    expect(result.frames).toBe(100); // 20 decisions per 10 ms frame
    const seqs = batches.flat().map((i) => i.seq);
    expect(new Set(seqs).size).toBe(2000);
  });

  it('can be stopped midway', async () => {
    const clock = fakeClock();
    let n = 0;
    const load = createFeedLoad(
      { ingest: (items) => (n += items.length) },
      { now: clock.now, setTimeout: clock.setTimeout },
    );
    const done = load.inject(10_000, 1000);
    clock.advance(500);
    load.stop();
    clock.advance(10);
    const r = await done;
    expect(r.sent).toBe(n);
    expect(n).toBeGreaterThan(400);
    expect(n).toBeLessThan(600);
  });

  it('feeds the real feed store path', async () => {
    const frames = manualFrames();
    const clock = fakeClock();
    const feed = createFeedStore({
      client: { listTransactions: () => Promise.resolve({ items: [], next_cursor: null }) },
      schedule: frames.schedule,
      setInterval: () => 0,
      clearInterval: () => undefined,
    });
    const load = createFeedLoad(feed, { now: clock.now, setTimeout: clock.setTimeout });
    const done = load.inject(300, 3000);
    clock.advance(100);
    await done;
    frames.frame();
    expect(feed.size()).toBe(300);
    expect(feed.counters().flushes).toBe(1);
  });

  it('measures frame intervals', async () => {
    let t = 0;
    const deltas = [16, 16, 17, 16, 60, 16];
    const load = createFeedLoad(
      { ingest: () => undefined },
      {
        requestFrame: (fn) => {
          const d = deltas.shift() ?? 16;
          t += d;
          queueMicrotask(() => fn(t));
          return 0;
        },
      },
    );
    const r = await load.measureFrames(150);
    expect(r.frames).toBeGreaterThan(5);
    expect(r.maxMs).toBe(60);
    expect(r.longFrames).toBe(1);
    expect(r.p50Ms).toBe(16);
  });
});
