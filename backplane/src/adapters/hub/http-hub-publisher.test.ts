import type { LiveEvent } from '@vigil/core';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { liveEventOf } from '../../consumer/live-events.js';
import { decisionEvent } from '../../testing/fixtures.js';
import { RecordingHub } from '../../testing/recording-hub.js';
import { HttpHubPublisher, type HttpHubPublisherOptions } from './http-hub-publisher.js';

const SECRET = 'hub-secret-0123456789abcdef';
const log = pino({ level: 'silent' });
const events = (from: number, n: number): LiveEvent[] =>
  Array.from({ length: n }, (_, i) => liveEventOf(decisionEvent(from + i, 'hub')));

let hub: RecordingHub;
let counts: { published: number; failed: number; dropped: number };
const observer = {
  published: (n: number) => (counts.published += n),
  failed: () => counts.failed++,
  dropped: (n: number) => (counts.dropped += n),
};

const publisher = (o: Partial<HttpHubPublisherOptions> = {}) =>
  new HttpHubPublisher({ url: hub.url, secret: SECRET, log, observer, ...o });

beforeEach(async () => {
  hub = await new RecordingHub(SECRET).start();
  counts = { published: 0, failed: 0, dropped: 0 };
});
afterEach(() => hub.close());

describe('HttpHubPublisher', () => {
  it('posts the events with the bearer secret, batched', async () => {
    const p = publisher({ maxBatch: 40, maxInFlight: 1 });
    const outcomes = await Promise.all([p.publish(events(0, 50)), p.publish(events(50, 50))]);
    expect(outcomes).toEqual(['published', 'published']);
    expect(hub.received.map((r) => r.event.event_id)).toEqual(
      events(0, 100).map((e) => e.event_id),
    );
    expect(hub.requests).toBeGreaterThanOrEqual(3);
    expect(counts.published).toBe(100);
    expect(p.depth).toBe(0);
    await p.close();
  });

  it('posts several batches at once', async () => {
    const p = publisher({ maxBatch: 10 });
    expect(await p.publish(events(0, 100))).toBe('published');
    expect(new Set(hub.received.map((r) => r.event.event_id)).size).toBe(100);
    expect(hub.requests).toBe(10);
    await p.close();
  });

  it('retries while the hub fails, then delivers everything', async () => {
    hub.failWith = 503;
    const p = publisher({ maxBackoffMs: 50 });
    const outcome = p.publish(events(0, 10));
    await new Promise((r) => setTimeout(r, 200));
    expect(p.healthy).toBe(false);
    expect(p.depth).toBe(10);
    expect(counts.failed).toBeGreaterThanOrEqual(2);
    hub.failWith = null;
    expect(await outcome).toBe('published');
    expect(p.healthy).toBe(true);
    expect(hub.firstSeen.size).toBe(10);
    await p.close();
  });

  it('keeps at most maxQueue events, dropping the oldest, and never blocks', async () => {
    hub.failWith = 503;
    const p = publisher({ maxQueue: 20, maxBatch: 5, maxInFlight: 1, maxBackoffMs: 20 });
    const first = p.publish(events(0, 15));
    const second = p.publish(events(15, 15));
    expect(await first).toBe('dropped');
    expect(p.depth).toBeLessThanOrEqual(20);
    hub.failWith = null;
    expect(await second).toBe('published');
    expect(counts.dropped).toBe(10);
    await p.close();
  });

  it('drops a batch the hub refuses as malformed instead of retrying it forever', async () => {
    hub.failWith = 400;
    const p = publisher();
    expect(await p.publish(events(0, 3))).toBe('dropped');
    expect(counts.dropped).toBe(3);
    await p.close();
  });

  it('on close, delivers what it can within the grace period and drops the rest', async () => {
    hub.failWith = 503;
    const p = publisher({ maxBackoffMs: 10_000 });
    const outcome = p.publish(events(0, 5));
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await p.close(300);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(await outcome).toBe('dropped');
    expect(await p.publish(events(5, 1))).toBe('dropped');
  });
});
