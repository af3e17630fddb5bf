// The Worker's per-request delivery, here on Node against a real HTTP server (the workerd run is
// in runtime/workers/worker-backplane.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../app/app-context.js';
import { DeliveryMetrics } from './delivery-metrics.js';
import { RequestEventSink, type RequestEventSinkOptions } from './request-event-sink.js';
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
