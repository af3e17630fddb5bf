// The Node sink over the memory store (its LMDB store: runtime/node/lmdb-outbox-store.test.ts)
// against a real HTTP server on loopback (test-ingest-server.ts), which checks
// every signature with core's verifyBody.
import type { LogEntry } from '../app/app-context.js';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryMetrics } from './delivery-metrics.js';
import { OutboxEventSink, type OutboxEventSinkOptions } from './outbox-event-sink.js';
import { feedbackEvents } from './test-events.js';
import { startTestIngest, type TestIngestServer } from './test-ingest-server.js';
import { createWebCryptoHmac } from './web-crypto-hmac.js';

const SECRET = 'events-secret-0123456789';
const open: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function setup(over: Partial<OutboxEventSinkOptions> = {}, secret = SECRET) {
  const ingest = await startTestIngest(SECRET);
  const metrics = new DeliveryMetrics();
  const logs: LogEntry[] = [];
  const sink = new OutboxEventSink({
    target: { backplaneUrl: ingest.url, secret, hmac: createWebCryptoHmac(), timeoutMs: 2_000 },
    capacity: 1_000,
    flushMs: 20,
    metrics,
    log: (e) => logs.push(e),
    ...over,
  });
  open.push(ingest, { close: () => sink.close(1_000) });
  return { ingest, metrics, logs, sink };
}

const ids = (ingest: TestIngestServer) => ingest.accepted().map((e) => e.event_id);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const FAST = { baseMs: 20, capMs: 100, maxRetryAfterMs: 60_000 };

describe('OutboxEventSink', () => {
  it('sends signed batches of at most maxBatch, at once when that many wait', async () => {
    const { ingest, sink, metrics } = await setup({ maxBatch: 10, flushMs: 60_000 });
    const events = feedbackEvents(0, 25);
    sink.emit(events);
    // The sink's own count: the server has recorded a batch before its answer reaches the sink.
    await ingest.waitFor(() => metrics.sent.get() === 25);
    expect(ingest.requests.map((r) => r.events.length)).toEqual([10, 10, 5]);
    for (const r of ingest.requests) {
      expect(r.path).toBe('/ingest/events');
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['x-vigil-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(r.signature).toEqual({ ok: true });
      expect(Object.keys(JSON.parse(r.body) as object)).toEqual(['events']);
    }
    expect(ids(ingest)).toEqual(events.map((e) => e.event_id));
    expect(metrics.sent.get()).toBe(25);
    const text: string[] = [];
    metrics.render(text);
    expect(text).toContain('vigil_event_delivery_seconds_count 25');
    expect(text).toContain('vigil_event_outbox_depth 0');
  });

  it('waits flushMs for company before sending a small batch', async () => {
    const { ingest, sink } = await setup({ flushMs: 150 });
    const t0 = Date.now();
    sink.emit(feedbackEvents(0, 2));
    await sleep(30);
    sink.emit(feedbackEvents(2, 1));
    await ingest.waitFor(() => ingest.requests.length === 1);
    expect(ingest.requests[0]!.at - t0).toBeGreaterThanOrEqual(140);
    expect(ingest.requests[0]!.events).toHaveLength(3);
  });

  it('honours Retry-After on a 503 and then delivers', async () => {
    const { ingest, sink, metrics } = await setup({ backoff: FAST });
    ingest.answer = (n) =>
      n === 0 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 202 };
    sink.emit(feedbackEvents(0, 4));
    await ingest.waitFor(() => metrics.sent.get() === 4);
    const [first, second] = ingest.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(990);
    expect(second!.body).toBe(first!.body);
    expect(metrics.failed.get({ reason: 'http' })).toBe(4);
    expect(metrics.sent.get()).toBe(4);
  });

  it('backs off exponentially on 5xx, network errors and 429, within the cap', async () => {
    const backoff = { baseMs: 40, capMs: 200, maxRetryAfterMs: 60_000 };
    // random() = 1: the full wait, so the waits are exactly 40, 80, 160, 200 ms.
    const { ingest, sink, metrics } = await setup({ backoff, random: () => 1 });
    const plan = [500, 'drop', 429, 502] as const;
    ingest.answer = (n) => {
      const p = plan[n];
      if (p === undefined) return { status: 202 };
      return p === 'drop' ? 'drop' : { status: p };
    };
    sink.emit(feedbackEvents(0, 1));
    await ingest.waitFor(() => ingest.accepted().length === 1);
    const gaps = ingest.requests.slice(1).map((r, i) => r.at - ingest.requests[i]!.at);
    [40, 80, 160, 200].forEach((ms, i) => expect(gaps[i]).toBeGreaterThanOrEqual(ms - 5));
    expect(metrics.failed.get({ reason: 'http' })).toBe(3);
    expect(metrics.failed.get({ reason: 'network' })).toBe(1);
  });

  it('sets aside only the event the backplane refuses (400), logging it, and delivers the rest', async () => {
    const { ingest, sink, metrics, logs } = await setup({ backoff: FAST, maxBatch: 3 });
    const poison = feedbackEvents(1, 1)[0]!.event_id;
    ingest.answer = (_, body) =>
      body.includes(poison) ? { status: 400, body: '{"detail":"no"}' } : { status: 202 };
    sink.emit(feedbackEvents(0, 6));
    await ingest.waitFor(() => metrics.sent.get() === 5);
    expect(ids(ingest)).toEqual(
      feedbackEvents(0, 6)
        .map((e) => e.event_id)
        .filter((id) => id !== poison),
    );
    expect(metrics.dropped.get({ reason: 'rejected' })).toBe(1);
    expect(sink.depth).toBe(0);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        status: 400,
        event: poison,
        detail: '{"detail":"no"}',
      }),
    );
  });

  it('sets aside only the invalid events of a refused batch', async () => {
    const { ingest, sink, metrics } = await setup({ backoff: FAST });
    ingest.answer = (_, body) => (body.includes('"bogus"') ? { status: 400 } : { status: 202 });
    const good = feedbackEvents(0, 3);
    const bad = { ...feedbackEvents(3, 1)[0]!, label: 'bogus' } as unknown as (typeof good)[0];
    sink.emit([good[0]!, bad, good[1]!, good[2]!]);
    await ingest.waitFor(() => ingest.accepted().length === 3);
    expect(ids(ingest)).toEqual(good.map((e) => e.event_id));
    expect(metrics.dropped.get({ reason: 'invalid' })).toBe(1);
    expect(metrics.dropped.get({ reason: 'rejected' })).toBe(0);
  });

  it('holds a batch refused for its signature (401), naming the secret, until it is taken', async () => {
    const { ingest, sink, metrics, logs } = await setup({ backoff: FAST });
    // A secret rotated on the backplane first: refused twice, then (the edge updated) taken.
    ingest.answer = (n) => (n < 2 ? { status: 401 } : { status: 202 });
    sink.emit(feedbackEvents(0, 2));
    await ingest.waitFor(() => metrics.sent.get() === 2);
    expect(ingest.requests.map((r) => r.status)).toEqual([401, 401, 202]);
    expect(metrics.failed.get({ reason: 'http' })).toBe(4);
    expect(metrics.dropped.get({ reason: 'rejected' })).toBe(0);
    expect(logs.some((l) => l.msg.includes('VIGIL_EVENTS_SECRET'))).toBe(true);
  });

  it('bounds the memory outbox: new events past its capacity are refused, counted and logged', async () => {
    const { ingest, sink, metrics, logs } = await setup({
      capacity: 10,
      maxBatch: 5,
      backoff: FAST,
    });
    let down = true;
    ingest.answer = () => (down ? { status: 503 } : { status: 202 });
    const events = feedbackEvents(0, 25);
    sink.emit(events.slice(0, 5)); // the first batch is tried and retried
    await ingest.waitFor(() => ingest.requests.length >= 1);
    sink.emit(events.slice(5, 15));
    sink.emit(events.slice(15));
    await ingest.waitFor(() => metrics.dropped.get({ reason: 'outbox_full' }) === 15);
    expect(sink.depth).toBe(10);
    expect(metrics.depth.get()).toBe(10);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'error', reason: 'outbox_full', dropped: 5 }),
    );
    down = false;
    await ingest.waitFor(() => metrics.sent.get() === 10);
    expect(ids(ingest)).toEqual(events.slice(0, 10).map((e) => e.event_id));
    expect(metrics.depth.get()).toBe(0);
  });

  it('flushes what is queued on close', async () => {
    const { ingest, sink } = await setup({ flushMs: 60_000 });
    sink.emit(feedbackEvents(0, 7));
    expect(ingest.requests).toHaveLength(0);
    await sink.close();
    expect(ids(ingest)).toEqual(feedbackEvents(0, 7).map((e) => e.event_id));
  });

  it('gives up on close after the grace period, counting what it could not send', async () => {
    const { ingest, sink, metrics, logs } = await setup({ backoff: FAST });
    ingest.answer = () => ({ status: 503 });
    sink.emit(feedbackEvents(0, 5));
    await ingest.waitFor(() => ingest.requests.length >= 1);
    await sink.close(300);
    expect(metrics.dropped.get({ reason: 'shutdown' })).toBe(5);
    expect(metrics.depth.get()).toBe(0);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', reason: 'shutdown' }));
    sink.emit(feedbackEvents(5, 1));
    expect(metrics.dropped.get({ reason: 'shutdown' })).toBe(6);
  });
});
