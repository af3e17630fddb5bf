// The Node outbox with its disk spill, against a real HTTP server on loopback
// (events/test-ingest-server.ts, which checks every signature) and real temporary directories.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VigilEvent } from '@vigil/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../app/app-context.js';
import { DeliveryMetrics } from '../../events/delivery-metrics.js';
import { OutboxEventSink, type OutboxEventSinkOptions } from '../../events/outbox-event-sink.js';
import type { OutboxSpill } from '../../events/outbox-spill.port.js';
import { feedbackEvents } from '../../events/test-events.js';
import { startTestIngest, type TestIngestServer } from '../../events/test-ingest-server.js';
import { createWebCryptoHmac } from '../../events/web-crypto-hmac.js';
import { openFileOutboxSpill, type FileOutboxSpillOptions } from './file-outbox-spill.js';

const SECRET = 'events-secret-0123456789';
const FAST = { baseMs: 20, capMs: 100, maxRetryAfterMs: 60_000 };
const DROPS = ['outbox_full', 'outbox_unavailable', 'rejected', 'invalid', 'shutdown'];

let dir: string;
let ingest: TestIngestServer;
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-outbox-'));
  ingest = await startTestIngest(SECRET);
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await ingest.close();
  await rm(dir, { recursive: true, force: true });
});

/** A sink with a spill in `dir`; `appended` counts the events the spill was given. */
async function sinkWithSpill(
  over: Partial<OutboxEventSinkOptions> = {},
  spillOver: Partial<FileOutboxSpillOptions> = {},
) {
  const file = await openFileOutboxSpill({
    dir,
    maxBytes: 1 << 30,
    segmentBytes: 4_096,
    ...spillOver,
  });
  const appended = { events: 0 };
  const spill: OutboxSpill = {
    where: file.where,
    maxBytes: file.maxBytes,
    get unread() {
      return file.unread;
    },
    get bytes() {
      return file.bytes;
    },
    append: (events) => {
      appended.events += events.length;
      return file.append(events);
    },
    read: (max) => file.read(max),
    settle: (segment, count) => file.settle(segment, count),
    close: (head, origins) => file.close(head, origins),
  };
  const metrics = new DeliveryMetrics();
  const logs: LogEntry[] = [];
  const sink = new OutboxEventSink({
    target: {
      backplaneUrl: ingest.url,
      secret: SECRET,
      hmac: createWebCryptoHmac(),
      timeoutMs: 2_000,
    },
    capacity: 10,
    maxBatch: 5,
    flushMs: 10,
    backoff: FAST,
    metrics,
    log: (e) => logs.push(e),
    spill,
    ...over,
  });
  let closed = false;
  const close = async (graceMs = 1_000) => {
    if (closed) return;
    closed = true;
    await sink.close(graceMs);
  };
  closers.push(() => close());
  return { sink, spill: file, metrics, logs, appended, close };
}

const ids = (events: readonly VigilEvent[]) => events.map((e) => e.event_id);
const accepted = () => ids(ingest.accepted());
const spillFiles = async () => (await readdir(dir)).filter((f) => f.endsWith('.ndjson'));
const dropped = (m: DeliveryMetrics) => DROPS.map((reason) => m.dropped.get({ reason }));

describe('OutboxEventSink with a disk spill', () => {
  it('spills what is past capacity and delivers everything once, in order', async () => {
    const { sink, spill, metrics, appended } = await sinkWithSpill({
      capacity: 1_000,
      maxBatch: 500,
    });
    const events = feedbackEvents(0, 6_500);
    sink.emit(events.slice(0, 10));
    sink.emit(events.slice(10)); // a full append's worth past capacity: written at once
    expect(appended.events).toBe(5_000);
    expect(sink.depth).toBe(6_500);
    sink.emit(feedbackEvents(6_500, 3));
    events.push(...feedbackEvents(6_500, 3));
    await ingest.waitFor(() => metrics.sent.get() === 6_503);
    expect(accepted()).toEqual(ids(events));
    expect(dropped(metrics)).toEqual([0, 0, 0, 0, 0]);
    await ingest.waitFor(() => spill.bytes === 0);
    expect(await spillFiles()).toEqual([]);
    expect(metrics.depth.get()).toBe(0);
  });

  it('rides out an outage longer than its capacity: every event, in order, none dropped', async () => {
    const { sink, spill, metrics } = await sinkWithSpill();
    let down = true;
    ingest.answer = () => (down ? { status: 503 } : { status: 202 });
    const events = feedbackEvents(0, 200);
    for (let i = 0; i < 200; i += 20) sink.emit(events.slice(i, i + 20));
    await ingest.waitFor(() => spill.unread >= 150);
    expect(sink.depth).toBe(200);
    expect(metrics.depth.get()).toBe(200);
    expect(metrics.spilled.get()).toBe(spill.unread);
    expect(metrics.spillBytes.get()).toBeGreaterThan(0);
    expect((await spillFiles()).length).toBeGreaterThan(0);
    // Still down after new events arrived behind the spilled ones.
    sink.emit(feedbackEvents(200, 5));
    events.push(...feedbackEvents(200, 5));
    down = false;
    await ingest.waitFor(() => metrics.sent.get() === 205);
    expect(accepted()).toEqual(ids(events));
    expect(dropped(metrics)).toEqual([0, 0, 0, 0, 0]);
    await ingest.waitFor(() => spill.bytes === 0);
    expect(metrics.depth.get()).toBe(0);
    expect(metrics.spilled.get()).toBe(0);
    expect(metrics.spillBytes.get()).toBe(0);
    expect(await spillFiles()).toEqual([]);
  });

  it('close() keeps the backlog on disk; the next sink delivers it first, then new events', async () => {
    ingest.answer = () => ({ status: 503 });
    const first = await sinkWithSpill();
    const old = feedbackEvents(0, 30);
    first.sink.emit(old);
    await ingest.waitFor(() => ingest.requests.length >= 2);
    await first.close(200);
    expect(dropped(first.metrics)).toEqual([0, 0, 0, 0, 0]);
    expect((await spillFiles()).some((f) => f.startsWith('head-'))).toBe(true);
    expect(await readdir(dir)).not.toContain('lock');
    const kept = first.logs.find((l) => l.level === 'warn' && l.msg.includes('kept in'));
    expect(kept?.msg).toMatch(/^event outbox: 30 events undelivered after 200 ms are kept in /);

    ingest.answer = () => ({ status: 202 });
    const second = await sinkWithSpill();
    expect(second.sink.depth).toBe(30);
    const fresh = feedbackEvents(30, 7);
    second.sink.emit(fresh);
    await ingest.waitFor(() => second.metrics.sent.get() === 37);
    expect(accepted()).toEqual(ids([...old, ...fresh]));
    await second.close();
    expect(await readdir(dir)).toEqual([]);
  });

  it('drops, counts and logs what does not fit under the disk bound', async () => {
    const events = feedbackEvents(0, 40);
    const line = Buffer.byteLength(`${JSON.stringify(events[39])}\n`);
    const { sink, metrics, logs } = await sinkWithSpill({}, { maxBytes: line * 12 });
    let down = true;
    ingest.answer = () => (down ? { status: 503 } : { status: 202 });
    sink.emit(events);
    await ingest.waitFor(() => metrics.dropped.get({ reason: 'outbox_full' }) > 0);
    // 10 in memory, 12 on disk, the 18 newest refused.
    expect(metrics.dropped.get({ reason: 'outbox_full' })).toBe(18);
    expect(sink.depth).toBe(22);
    const log = logs.find((l) => l.reason === 'outbox_full');
    expect(log?.msg).toMatch(/disk spill full \(VIGIL_OUTBOX_SPILL_MAX_BYTES=\d+\)/);
    expect(log).toMatchObject({ level: 'error', dropped: 18, where: dir });
    down = false;
    await ingest.waitFor(() => metrics.sent.get() === 22);
    expect(accepted()).toEqual(ids(events.slice(0, 22)));
  });
});
