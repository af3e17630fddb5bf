// The durable outbox's drain on Node, over an in-memory store, against a real HTTP server on
// loopback (the Durable Object around it runs in runtime/workers/event-outbox.test.ts).
import type { VigilEvent } from '@vigil/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../app/app-context.js';
import type { FailureReason } from './delivery-metrics.js';
import {
  drainOutbox,
  type DrainOptions,
  type OutboxRow,
  type OutboxStore,
} from './durable-outbox.js';
import { feedbackEvents } from './test-events.js';
import { startTestIngest, type TestIngestServer } from './test-ingest-server.js';
import { createWebCryptoHmac } from './web-crypto-hmac.js';

const SECRET = 'events-secret-0123456789';
const open: TestIngestServer[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

/** The store as an array, with what was settled and failed. */
function memoryStore(events: readonly unknown[]) {
  let rows: OutboxRow[] = events.map((e, i) => ({
    seq: i + 1,
    json: typeof e === 'string' ? e : JSON.stringify(e),
  }));
  const settled = { delivered: 0, invalid: 0, rejected: 0 };
  const failed: Record<FailureReason, number> = { network: 0, timeout: 0, http: 0 };
  const store: OutboxStore = {
    oldest: (limit) => rows.slice(0, limit),
    settle(batch, outcome) {
      const seqs = new Set(batch.map((r) => r.seq));
      rows = rows.filter((r) => !seqs.has(r.seq));
      settled[outcome] += batch.length;
    },
    failed(reason, n) {
      failed[reason] += n;
    },
  };
  return { store, settled, failed, left: () => rows.length };
}

async function setup(secret = SECRET) {
  const ingest = await startTestIngest(SECRET);
  open.push(ingest);
  const logs: LogEntry[] = [];
  const options: DrainOptions = {
    target: { backplaneUrl: ingest.url, secret, hmac: createWebCryptoHmac(), timeoutMs: 2_000 },
    log: (e) => logs.push(e),
  };
  return { ingest, logs, options };
}

const ids = (events: readonly VigilEvent[]) => events.map((e) => e.event_id);

describe('drainOutbox', () => {
  it('delivers everything oldest first in signed batches of at most 500, then is empty', async () => {
    const { ingest, options } = await setup();
    const events = feedbackEvents(0, 1_201);
    const m = memoryStore(events);
    expect(await drainOutbox(m.store, options)).toEqual({ kind: 'empty', delivered: 1_201 });
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
    expect(await drainOutbox(m.store, { ...options, maxBatch: 10 })).toMatchObject({
      kind: 'retry',
      delivered: 0,
      reason: 'http',
      status: 503,
      retryAfterMs: 7_000,
    });
    expect(m.left()).toBe(30);
    expect(m.failed.http).toBe(10);

    await ingest.down();
    expect(await drainOutbox(m.store, options)).toMatchObject({ kind: 'retry', reason: 'network' });
    expect(m.left()).toBe(30);
    expect(m.failed.network).toBe(30);

    await ingest.up();
    ingest.answer = (n) => (n === 2 ? { status: 500 } : { status: 202 });
    // Batch 1 (request 1) goes, batch 2 (request 2) fails: what went is gone, the rest is kept.
    expect(await drainOutbox(m.store, { ...options, maxBatch: 10 })).toMatchObject({
      kind: 'retry',
      delivered: 10,
      status: 500,
    });
    expect(m.left()).toBe(20);
  });

  it('holds events on 401, 403 and 404 (misconfiguration), never dropping them', async () => {
    const { ingest, options } = await setup('another-secret-0123456789');
    const m = memoryStore(feedbackEvents(0, 5));
    const out = await drainOutbox(m.store, options);
    expect(out).toMatchObject({ kind: 'retry', reason: 'http', status: 401 });
    expect(String((out as { error: unknown }).error)).toMatch(/VIGIL_EVENTS_SECRET/);
    expect(ingest.requests).toHaveLength(1);
    const right = await setup();
    right.ingest.answer = () => ({ status: 404 });
    expect(await drainOutbox(m.store, right.options)).toMatchObject({ status: 404 });
    right.ingest.answer = () => ({ status: 403 });
    expect(await drainOutbox(m.store, right.options)).toMatchObject({ status: 403 });
    expect(m.left()).toBe(5);
    expect(m.settled).toEqual({ delivered: 0, invalid: 0, rejected: 0 });
  });

  it('drops the invalid events of a poison batch, resends the rest, and never blocks', async () => {
    const { ingest, logs, options } = await setup();
    const good = feedbackEvents(0, 4);
    const bad = { ...feedbackEvent0(), label: 'maybe' };
    const m = memoryStore([good[0], bad, '{"not json', good[1], good[2], good[3]]);
    // The backplane refuses any batch with an invalid event (as its schemas do), accepts the rest.
    ingest.answer = (_n, body) => (body.includes('maybe') ? { status: 400 } : { status: 202 });
    expect(await drainOutbox(m.store, { ...options, maxBatch: 3 })).toEqual({
      kind: 'empty',
      delivered: 4,
    });
    expect(m.settled).toEqual({ delivered: 4, invalid: 2, rejected: 0 });
    expect(ids(ingest.accepted())).toEqual(ids(good));
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', dropped: 2 }));

    // A batch of valid events still refused: dropped as rejected, and the next batch goes.
    const n = memoryStore(feedbackEvents(10, 4));
    const before = ingest.requests.length;
    ingest.answer = (k) => (k === before ? { status: 422 } : { status: 202 });
    expect(await drainOutbox(n.store, { ...options, maxBatch: 2 })).toEqual({
      kind: 'empty',
      delivered: 2,
    });
    expect(n.settled).toEqual({ delivered: 2, invalid: 0, rejected: 2 });
  });

  it('stops after its time budget with events left', async () => {
    const { options } = await setup();
    const m = memoryStore(feedbackEvents(0, 25));
    expect(await drainOutbox(m.store, { ...options, maxBatch: 10, budgetMs: 0 })).toEqual({
      kind: 'more',
      delivered: 10,
    });
    expect(m.left()).toBe(15);
  });
});

function feedbackEvent0(): VigilEvent {
  return feedbackEvents(100, 1)[0]!;
}
