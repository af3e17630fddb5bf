// The one drain (and its delivery policy) over the memory store, against a real HTTP server on
// loopback that checks every signature; the runtimes around it are tested in outbox-event-sink
// (Node) and runtime/workers/event-outbox (the Durable Object).
import type { VigilEvent } from '@vigil/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../app/app-context.js';
import type { FailureReason } from './delivery-metrics.js';
import { throttleLog } from './log-throttle.js';
import { MemoryOutboxStore } from './memory-outbox-store.js';
import { drainOutbox, nextDrain, OUTBOX_BACKOFF, type DrainOptions } from './outbox.js';
import { feedbackEvents } from './test-events.js';
import { startTestIngest, type TestIngestServer } from './test-ingest-server.js';
import { createWebCryptoHmac } from './web-crypto-hmac.js';

const SECRET = 'events-secret-0123456789';
const open: TestIngestServer[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

/** A memory store holding `events` (a string is stored as it is: not JSON, say), with counts. */
function memoryStore(events: readonly unknown[]) {
  const store = new MemoryOutboxStore(1_000_000);
  for (const e of events) {
    if (typeof e === 'string') {
      // What a corrupt row would be: stored behind the port's back.
      (store as unknown as { rows: unknown[] }).rows.push({
        seq: -1 - store.depth(),
        json: e,
        at: 0,
      });
    } else store.append([e as VigilEvent]);
  }
  const settled = { delivered: 0, invalid: 0, rejected: 0 };
  const failed: Record<FailureReason, number> = { network: 0, timeout: 0, http: 0 };
  const observer: DrainOptions['observer'] = {
    delivered: (rows) => (settled.delivered += rows.length),
    failed: (reason, n) => (failed[reason] += n),
    setAside: (reason, n) => (settled[reason] += n),
  };
  return { store, observer, settled, failed, left: () => store.depth() };
}

async function setup(secret = SECRET) {
  const ingest = await startTestIngest(SECRET);
  open.push(ingest);
  const logs: LogEntry[] = [];
  const options = {
    target: { backplaneUrl: ingest.url, secret, hmac: createWebCryptoHmac(), timeoutMs: 2_000 },
    log: throttleLog((e) => logs.push(e), 0),
  };
  return { ingest, logs, options };
}

const ids = (events: readonly VigilEvent[]) => events.map((e) => e.event_id);

describe('drainOutbox', () => {
  it('delivers everything oldest first in signed batches of at most 500, then is empty', async () => {
    const { ingest, options } = await setup();
    const events = feedbackEvents(0, 1_201);
    const m = memoryStore(events);
    expect(await drainOutbox(m.store, { ...options, observer: m.observer })).toEqual({
      kind: 'empty',
      delivered: 1_201,
    });
    expect(ingest.requests.map((r) => r.events.length)).toEqual([500, 500, 201]);
    expect(ingest.requests.every((r) => r.signature.ok)).toBe(true);
    expect(ids(ingest.accepted())).toEqual(ids(events));
    expect(m.left()).toBe(0);
    expect(m.settled.delivered).toBe(1_201);
  });

  it('keeps the events and reports a retry when the backplane is down or failing', async () => {
    const { ingest, options } = await setup();
    const m = memoryStore(feedbackEvents(0, 30));
    ingest.answer = () => ({ status: 503, headers: { 'retry-after': '7' } });
    expect(
      await drainOutbox(m.store, { ...options, observer: m.observer, maxBatch: 10 }),
    ).toMatchObject({
      kind: 'retry',
      delivered: 0,
      status: 503,
      retryAfterMs: 7_000,
    });
    expect(m.left()).toBe(30);
    expect(m.failed.http).toBe(10);

    await ingest.down();
    expect(await drainOutbox(m.store, { ...options, observer: m.observer })).toMatchObject({
      kind: 'retry',
      status: null,
    });
    expect(m.left()).toBe(30);
    expect(m.failed.network).toBe(30);

    await ingest.up();
    ingest.answer = (n) => (n === 2 ? { status: 500 } : { status: 202 });
    // Batch 1 (request 1) goes, batch 2 (request 2) fails: what went is gone, the rest is kept.
    expect(
      await drainOutbox(m.store, { ...options, observer: m.observer, maxBatch: 10 }),
    ).toMatchObject({
      kind: 'retry',
      delivered: 10,
      status: 500,
    });
    expect(m.left()).toBe(20);
  });

  it('holds events on 401, 403 and 404 (misconfiguration), never dropping them', async () => {
    const { ingest, logs, options } = await setup('another-secret-0123456789');
    const m = memoryStore(feedbackEvents(0, 5));
    const out = await drainOutbox(m.store, { ...options, observer: m.observer });
    expect(out).toMatchObject({ kind: 'retry', status: 401 });
    expect(logText(logs)).toMatch(/VIGIL_EVENTS_SECRET/);
    expect(ingest.requests).toHaveLength(1);
    expect(m.failed.http).toBe(5);
    const right = await setup();
    right.ingest.answer = () => ({ status: 404 });
    expect(await drainOutbox(m.store, { ...right.options, observer: m.observer })).toMatchObject({
      status: 404,
    });
    right.ingest.answer = () => ({ status: 403 });
    expect(await drainOutbox(m.store, { ...right.options, observer: m.observer })).toMatchObject({
      status: 403,
    });
    expect(m.left()).toBe(5);
    expect(m.settled).toEqual({ delivered: 0, invalid: 0, rejected: 0 });
  });

  it('sets aside only the events refused on their own, delivering the rest of their batch', async () => {
    const { ingest, logs, options } = await setup();
    const good = feedbackEvents(0, 4);
    const bad = { ...feedbackEvent0(), label: 'maybe' };
    const m = memoryStore([good[0], bad, '{"not json', good[1], good[2], good[3]]);
    // The backplane refuses any batch with an invalid event (as its schemas do), accepts the rest.
    ingest.answer = (_n, body) =>
      body.includes('maybe') || body.includes('{"not json') ? { status: 400 } : { status: 202 };
    expect(await drainOutbox(m.store, { ...options, observer: m.observer, maxBatch: 3 })).toEqual({
      kind: 'empty',
      delivered: 4,
    });
    expect(m.settled).toEqual({ delivered: 4, invalid: 2, rejected: 0 });
    expect(ids(ingest.accepted())).toEqual(ids(good));
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'error', reason: 'invalid', event: bad.event_id }),
    );

    // A valid event the backplane still refuses (a 422, a 413 alone) is set aside as rejected;
    // its batch's other events go, and so does the next batch.
    const n = memoryStore(feedbackEvents(10, 4));
    const refused = feedbackEvents(11, 1)[0]!.event_id;
    ingest.answer = (_k, body) =>
      body.includes(refused) ? { status: body.length > 400 ? 413 : 422 } : { status: 202 };
    expect(await drainOutbox(n.store, { ...options, observer: n.observer, maxBatch: 3 })).toEqual({
      kind: 'empty',
      delivered: 3,
    });
    expect(n.settled).toEqual({ delivered: 3, invalid: 0, rejected: 1 });
    expect(n.left()).toBe(0);
  });

  it('stops after its time budget with events left', async () => {
    const { options } = await setup();
    const m = memoryStore(feedbackEvents(0, 25));
    expect(
      await drainOutbox(m.store, { ...options, observer: m.observer, maxBatch: 10, budgetMs: 0 }),
    ).toEqual({
      kind: 'more',
      delivered: 10,
    });
    expect(m.left()).toBe(15);
  });
});

describe('nextDrain', () => {
  const retry = (delivered: number) =>
    ({ kind: 'retry', delivered, status: 503, retryAfterMs: null, error: null }) as const;
  it('waits for an append when empty, goes on at once with more, backs off on failure', () => {
    expect(nextDrain({ kind: 'empty', delivered: 3 }, 4)).toEqual({ inMs: null, failures: 0 });
    expect(nextDrain({ kind: 'more', delivered: 3 }, 4)).toEqual({ inMs: 0, failures: 0 });
    const top = () => 0.999_999;
    expect(nextDrain(retry(0), 0, OUTBOX_BACKOFF, top).inMs).toBeCloseTo(250, 0);
    expect(nextDrain(retry(0), 3, OUTBOX_BACKOFF, top)).toMatchObject({ failures: 4 });
    expect(nextDrain(retry(0), 3, OUTBOX_BACKOFF, top).inMs).toBeCloseTo(2_000, 0);
    expect(nextDrain(retry(0), 20, OUTBOX_BACKOFF, top).inMs).toBeCloseTo(10_000, 0);
    // Progress restarts the backoff.
    expect(nextDrain(retry(5), 20, OUTBOX_BACKOFF, top)).toMatchObject({ failures: 1 });
    const after = { ...retry(0), retryAfterMs: 7_000 };
    expect(nextDrain(after, 0, OUTBOX_BACKOFF, () => 0).inMs).toBe(7_000);
  });
});

function logText(logs: readonly LogEntry[]): string {
  return logs.map((l) => l.msg).join('\n');
}

function feedbackEvent0(): VigilEvent {
  return feedbackEvents(100, 1)[0]!;
}
