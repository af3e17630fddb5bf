// The Worker's per-request delivery, here on Node against a real HTTP server (the workerd run is
// in runtime/workers/worker-backplane.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../app/app-context.js';
import type { VigilEvent } from '@vigil/core';
import { DeliveryMetrics } from './delivery-metrics.js';
import {
  RequestEventSink,
  type DurableHandoff,
  type HandoffResult,
  type RequestEventSinkOptions,
} from './request-event-sink.js';
import { feedbackEvents } from './test-events.js';
import { startTestIngest } from './test-ingest-server.js';
import { createWebCryptoHmac } from './web-crypto-hmac.js';

const SECRET = 'events-secret-0123456789';
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function setup(over: Partial<RequestEventSinkOptions> = {}) {
  const ingest = await startTestIngest(SECRET);
  open.push(ingest);
  const metrics = new DeliveryMetrics();
  const logs: LogEntry[] = [];
  const sink = new RequestEventSink({
    target: { backplaneUrl: ingest.url, secret: SECRET, hmac: createWebCryptoHmac() },
    backoff: { baseMs: 20, capMs: 50, maxRetryAfterMs: 5_000 },
    metrics,
    log: (e) => logs.push(e),
    ...over,
  });
  // What a Worker's ctx.waitUntil would keep alive.
  const background: Promise<unknown>[] = [];
  const emit = (n: number, from = 0) =>
    sink.emit(feedbackEvents(from, n), { background: (w) => background.push(w) });
  return { ingest, metrics, logs, emit, background };
}

describe('RequestEventSink', () => {
  it('sends each emit as one signed batch under the request’s waitUntil, after it returns', async () => {
    const { ingest, metrics, emit, background } = await setup();
    emit(3);
    emit(2, 3);
    expect(background).toHaveLength(2);
    expect(ingest.requests).toHaveLength(0); // nothing sent while the request is still answering
    await Promise.all(background);
    expect(ingest.requests.map((r) => r.events.length).sort()).toEqual([2, 3]);
    expect(ingest.requests.every((r) => r.signature.ok)).toBe(true);
    expect(metrics.sent.get()).toBe(5);
    expect(metrics.depth.get()).toBe(0);
  });

  it('retries a few times, honouring Retry-After, then drops and logs', async () => {
    const { ingest, metrics, logs, emit, background } = await setup({ attempts: 3 });
    ingest.answer = (n) =>
      n === 0 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 500 };
    emit(2);
    await Promise.all(background);
    expect(ingest.requests).toHaveLength(3);
    expect(ingest.requests[1]!.at - ingest.requests[0]!.at).toBeGreaterThanOrEqual(990);
    expect(metrics.failed.get({ reason: 'http' })).toBe(6);
    expect(metrics.dropped.get({ reason: 'retries_exhausted' })).toBe(2);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', dropped: 2 }));
  });

  it('stops within its time budget and drops a poison batch at once', async () => {
    const budgeted = await setup({ attempts: 10, budgetMs: 500 });
    budgeted.ingest.answer = () => ({ status: 503, headers: { 'retry-after': '2' } });
    budgeted.emit(1);
    await Promise.all(budgeted.background);
    expect(budgeted.ingest.requests).toHaveLength(1);
    expect(budgeted.metrics.dropped.get({ reason: 'retries_exhausted' })).toBe(1);

    const poisoned = await setup();
    poisoned.ingest.answer = () => ({ status: 422 });
    poisoned.emit(4);
    await Promise.all(poisoned.background);
    expect(poisoned.ingest.requests).toHaveLength(1);
    expect(poisoned.metrics.dropped.get({ reason: 'rejected' })).toBe(4);
  });
});

/** A stand-in durable outbox: records handoffs; answers as the test says. */
function fakeOutbox(answer: (events: readonly VigilEvent[]) => HandoffResult | Error) {
  const handed: string[][] = [];
  let resumes = 0;
  let calls = 0;
  const handoff: DurableHandoff = {
    append(events) {
      calls++;
      const a = answer(events);
      if (a instanceof Error) return Promise.reject(a);
      handed.push(events.map((e) => e.event_id));
      return Promise.resolve(a);
    },
    resume() {
      resumes++;
      return Promise.resolve();
    },
  };
  return { handoff, handed, resumes: () => resumes, calls: () => calls };
}

const storeAll = (events: readonly VigilEvent[]): HandoffResult => ({
  stored: events.length,
  duplicates: 0,
  refused: 0,
  invalid: 0,
});

describe('RequestEventSink with a durable outbox', () => {
  it('hands a batch over after two failed direct attempts, then skips the backplane for a while', async () => {
    const outbox = fakeOutbox(storeAll);
    const { ingest, metrics, logs, emit, background } = await setup({
      handoff: outbox.handoff,
      pauseMs: 60_000,
    });
    ingest.answer = () => ({ status: 503 });
    emit(3);
    await Promise.all(background);
    expect(ingest.requests).toHaveLength(2);
    expect(outbox.handed).toEqual([feedbackEvents(0, 3).map((e) => e.event_id)]);
    expect(metrics.handedOff.get()).toBe(3);
    expect(metrics.failed.get({ reason: 'http' })).toBe(6);
    expect(metrics.dropped.get({ reason: 'retries_exhausted' })).toBe(0);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn' }));
    // Paused: the next batch goes straight to the outbox.
    emit(2, 3);
    await Promise.all(background);
    expect(ingest.requests).toHaveLength(2);
    expect(outbox.handed).toHaveLength(2);
  });

  it('tells the outbox to deliver once a direct delivery works again', async () => {
    const outbox = fakeOutbox(storeAll);
    const { ingest, metrics, emit, background } = await setup({
      handoff: outbox.handoff,
      pauseMs: 0,
    });
    await ingest.down();
    emit(1);
    await Promise.all(background);
    expect(outbox.handed).toHaveLength(1);
    expect(metrics.failed.get({ reason: 'network' })).toBe(2);
    await ingest.up();
    emit(1, 1);
    emit(1, 2);
    await Promise.all(background);
    expect(metrics.sent.get()).toBe(2);
    expect(outbox.resumes()).toBe(1);
  });

  it('hands any refusal (401, 422) to the outbox at once: its drain decides what is poison', async () => {
    const outbox = fakeOutbox(storeAll);
    const { ingest, metrics, emit, background } = await setup({
      handoff: outbox.handoff,
      pauseMs: 0,
    });
    ingest.answer = (n) => ({ status: n === 0 ? 401 : 422 });
    emit(2);
    await Promise.all(background);
    emit(4, 2);
    await Promise.all(background);
    expect(outbox.handed.map((ids) => ids.length)).toEqual([2, 4]);
    expect(ingest.requests.map((r) => r.status)).toEqual([401, 422]);
    expect(metrics.dropped.get({ reason: 'rejected' })).toBe(0);
  });

  it('counts what the outbox refuses, and retries an outbox that fails before giving up', async () => {
    const full = fakeOutbox((events) => ({
      ...storeAll(events),
      stored: 1,
      refused: events.length - 1,
    }));
    const a = await setup({ handoff: full.handoff });
    await a.ingest.down();
    a.emit(5);
    await Promise.all(a.background);
    expect(a.metrics.handedOff.get()).toBe(1);
    expect(a.metrics.dropped.get({ reason: 'outbox_full' })).toBe(4);
    expect(a.logs).toContainEqual(
      expect.objectContaining({ level: 'error', reason: 'outbox_full', dropped: 4 }),
    );

    let failures = 2;
    const flaky = fakeOutbox((events) =>
      failures-- > 0 ? new Error('overloaded') : storeAll(events),
    );
    const b = await setup({ handoff: flaky.handoff });
    await b.ingest.down();
    b.emit(3);
    await Promise.all(b.background);
    expect(flaky.calls()).toBe(3);
    expect(b.metrics.handedOff.get()).toBe(3);

    const broken = fakeOutbox(() => new Error('gone'));
    const c = await setup({ handoff: broken.handoff });
    await c.ingest.down();
    c.emit(3);
    await Promise.all(c.background);
    expect(broken.calls()).toBe(4);
    expect(c.metrics.dropped.get({ reason: 'outbox_unavailable' })).toBe(3);
    expect(c.logs).toContainEqual(
      expect.objectContaining({ level: 'error', reason: 'outbox_unavailable', dropped: 3 }),
    );
  });
});
