import type { VigilEvent } from '@vigil/core';
import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { LogUnavailableError } from '../adapters/event-log.port.js';
import { MemoryEventLog } from '../adapters/memory-log/memory-event-log.js';
import { BackplaneMetrics } from '../http/backplane-metrics.js';
import { createBackplaneApp } from '../http/create-app.js';
import { nodeHmacSha256 } from '../http/node-hmac.js';
import type { EventProducer } from '../ports.js';
import { decisionEvent, feedbackEvent, signedHeaders } from '../testing/fixtures.js';
import { createEventProducer } from './event-producer.js';

const SECRET = 'test-events-secret-0123456789';
const TOPICS = { decisions: 'd.v1', feedback: 'f.v1' };

let sent: VigilEvent[][];
let failWith: Error | null;
let metrics: BackplaneMetrics;

const producer: EventProducer = {
  send(events) {
    if (failWith) return Promise.reject(failWith);
    sent.push([...events]);
    return Promise.resolve();
  },
};

function app(maxBodyBytes = 1_048_576, p: EventProducer = producer) {
  return createBackplaneApp({
    log: pino({ level: 'silent' }),
    metrics,
    ingest: { producer: p, secret: SECRET, hmac: nodeHmacSha256, maxBodyBytes, metrics },
    api: null,
    health: () => ({ ready: true }),
    metricsKeys: [],
    webDist: null,
  });
}

async function post(body: string, headers: Record<string, string>, a = app()) {
  const res = await a.request('/ingest/events', { method: 'POST', body, headers });
  const text = await res.text();
  return { res, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

async function signed(body: string, a = app()) {
  return post(body, await signedHeaders(SECRET, body), a);
}

beforeEach(() => {
  sent = [];
  failWith = null;
  metrics = new BackplaneMetrics({ processMetrics: false });
});

describe('POST /ingest/events', () => {
  it('accepts a signed, valid batch once the log has it: 202 {accepted}', async () => {
    const events = [decisionEvent(1), feedbackEvent(1, 'fraud', '2018-09-01T00:00:00Z')];
    const { res, json } = await signed(JSON.stringify({ events }));
    expect(res.status).toBe(202);
    expect(json).toEqual({ accepted: 2 });
    expect(sent).toEqual([events]);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const text = await metrics.registry.metrics();
    expect(text).toContain('vigil_backplane_ingest_events_total{type="decision"} 1');
    expect(text).toContain('vigil_backplane_ingest_events_total{type="feedback"} 1');
    expect(text).toContain('vigil_backplane_ingest_requests_total{status="202"} 1');
  });

  it('routes events to their topics keyed by customer through the producer', async () => {
    const log = new MemoryEventLog();
    await log.start([TOPICS.decisions, TOPICS.feedback], 1);
    const p = createEventProducer(log.producer, TOPICS);
    const d = decisionEvent(5);
    const f = { ...feedbackEvent(5, 'fraud', '2018-09-01T00:00:00Z'), customer_id: 'c_x' };
    const { res } = await signed(JSON.stringify({ events: [d, f] }), app(1_048_576, p));
    expect(res.status).toBe(202);
    expect(log.read(TOPICS.decisions, 0, 0)).toEqual([
      { offset: '0', key: d.transaction.customer_id, value: JSON.stringify(d) },
    ]);
    expect(log.read(TOPICS.feedback, 0, 0)).toEqual([
      { offset: '0', key: 'c_x', value: JSON.stringify(f) },
    ]);
  });

  it("produces each event as the bytes it was validated from, or serialized when the body's shape is not plain", async () => {
    const log = new MemoryEventLog();
    await log.start([TOPICS.decisions, TOPICS.feedback], 1);
    const p = createEventProducer(log.producer, TOPICS);
    const d = decisionEvent(6);
    const pretty = JSON.stringify({ events: [d] }, null, 2);
    expect((await signed(pretty, app(1_048_576, p))).res.status).toBe(202);
    const escapedName = `{"\\u0065vents":[${JSON.stringify(d, null, 1)}]}`;
    expect((await signed(escapedName, app(1_048_576, p))).res.status).toBe(202);
    const [asSent, serialized] = log.read(TOPICS.decisions, 0, 0);
    expect(asSent!.value).toBe(JSON.stringify(d, null, 2).replace(/\n/g, '\n    '));
    expect(JSON.parse(asSent!.value!)).toEqual(d);
    expect(serialized!.value).toBe(JSON.stringify(d));
  });

  it.each([
    ['missing', {}],
    ['malformed', { 'x-vigil-signature': 'sha256=abc' }],
  ])('refuses a %s signature with 401 problem+json', async (_, headers) => {
    const { res, json } = await post(JSON.stringify({ events: [decisionEvent(1)] }), {
      'content-type': 'application/json',
      ...headers,
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(json).toMatchObject({ type: 'urn:vigil:problem:unauthorized', status: 401 });
    expect(sent).toEqual([]);
  });

  it('refuses a signature made with another secret, or over another body', async () => {
    const body = JSON.stringify({ events: [decisionEvent(1)] });
    const wrong = await post(body, await signedHeaders('another-secret-0123456789', body));
    expect(wrong.res.status).toBe(401);
    expect(wrong.json!.detail).toMatch(/does not match/);
    const headers = await signedHeaders(SECRET, body);
    const tampered = await post(body.replace('"amount":', '"amount": '), headers);
    expect(tampered.res.status).toBe(401);
    expect(sent).toEqual([]);
  });

  it('refuses a signature older than the tolerance (a captured batch replayed later)', async () => {
    const body = JSON.stringify({ events: [decisionEvent(1)] });
    const { res, json } = await post(
      body,
      await signedHeaders(SECRET, body, Date.now() / 1000 - 3600),
    );
    expect(res.status).toBe(401);
    expect(json!.detail).toMatch(/too far/);
  });

  it('names each bad index and field with 400, and produces nothing', async () => {
    const good = decisionEvent(1);
    const badAmount = decisionEvent(2);
    (badAmount.transaction as { amount: number }).amount = -1;
    const badFeedback = { ...feedbackEvent(3, 'fraud', '2018-09-01T00:00:00Z'), label: 'maybe' };
    const extra = { ...decisionEvent(4), surprise: true };
    const body = JSON.stringify({ events: [good, badAmount, badFeedback, extra] });
    const { res, json } = await signed(body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const paths = (json!.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/events/1/transaction/amount',
        '/events/2/label',
        '/events/3/surprise',
      ]),
    );
    expect(paths.some((p) => p.startsWith('/events/0'))).toBe(false);
    expect(sent).toEqual([]);
  });

  it('answers 400 for a body that is not JSON, or not a batch', async () => {
    expect((await signed('{"events": [')).res.status).toBe(400);
    const empty = await signed(JSON.stringify({ events: [] }));
    expect(empty.res.status).toBe(400);
    expect(empty.json!.errors).toEqual([{ path: '/events', message: 'events must not be empty' }]);
    expect(sent).toEqual([]);
  });

  it('answers 413 past the size limit, declared or streamed', async () => {
    const body = JSON.stringify({ events: [decisionEvent(1), decisionEvent(2)] });
    const small = app(1_024);
    const declared = await signed(body, small);
    expect(declared.res.status).toBe(413);
    expect(declared.json).toMatchObject({ type: 'urn:vigil:problem:payload-too-large' });
    // Streamed (no Content-Length): counted while read.
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(body));
        c.close();
      },
    });
    const res = await small.request('/ingest/events', {
      method: 'POST',
      body: stream,
      headers: await signedHeaders(SECRET, body),
      duplex: 'half',
    });
    expect(res.status).toBe(413);
    expect(sent).toEqual([]);
  });

  it('answers 503 with Retry-After when the log cannot take the batch', async () => {
    failWith = new LogUnavailableError('kafka send failed: connection refused');
    const { res, json } = await signed(JSON.stringify({ events: [decisionEvent(1)] }));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(json).toMatchObject({ type: 'urn:vigil:problem:unavailable', status: 503 });
    expect(await metrics.registry.metrics()).toContain('vigil_backplane_produce_failures_total 1');
  });

  it('answers a bug with 500 and a request id, never the error', async () => {
    failWith = new TypeError('secret internals');
    const { res, json } = await signed(JSON.stringify({ events: [decisionEvent(1)] }));
    expect(res.status).toBe(500);
    expect(JSON.stringify(json)).not.toContain('secret internals');
    expect(json!.instance).toBe(`urn:vigil:request:${res.headers.get('x-request-id')}`);
  });
});
