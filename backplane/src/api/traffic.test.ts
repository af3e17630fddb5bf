import type { TrafficState } from '@vigil/core';
import { Hono } from 'hono';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import type { InjectResponse, TrafficOneResponse } from './api-types.js';
import { apiHarness, bearer, type ApiHarness } from './test-support.js';

// The traffic routes never touch Postgres: a client that is never used (it connects lazily).
const sql = postgres('postgres://127.0.0.1:9/unused', { max: 1 });
const NOW = new Date('2026-03-04T15:30:00.000Z');
const harnesses: ApiHarness[] = [];

function harness(overrides: Parameters<typeof apiHarness>[1] = {}): ApiHarness {
  const h = apiHarness(sql, { now: () => NOW, ...overrides });
  harnesses.push(h);
  return h;
}
afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.api.close()));
  await sql.end({ timeout: 0 });
});

async function call<T>(h: ApiHarness, method: string, path: string, body?: unknown) {
  const res = await h.root.request(path, {
    method,
    headers: bearer(),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const scoredIn = (h: ApiHarness) =>
  h.recorded.edgeCalls
    .filter((c) => c.path === '/v1/score/batch')
    .map((c) => (c.body as { transactions: unknown[] }).transactions.length);

describe('the traffic stream', () => {
  it('starts, sends rate/10 transactions per 100 ms in one batch, and stops', async () => {
    const h = harness();
    expect((await call<TrafficState>(h, 'GET', '/api/traffic')).body).toEqual({
      running: false,
      rate: 0,
      sent: 0,
      errors: 0,
    });
    const started = await call<TrafficState>(h, 'POST', '/api/traffic', {
      running: true,
      rate: 200,
    });
    expect(started.body).toMatchObject({ running: true, rate: 200 });
    await sleep(550);
    const stopped = await call<TrafficState>(h, 'POST', '/api/traffic', { running: false });
    expect(stopped.body.running).toBe(false);
    const batches = scoredIn(h);
    expect(batches.length).toBeGreaterThanOrEqual(3);
    expect(batches.every((n) => n === 20)).toBe(true);
    await sleep(50); // the last batch in flight lands
    const after = (await call<TrafficState>(h, 'GET', '/api/traffic')).body;
    expect(after.sent).toBe(batches.reduce((a, b) => a + b, 0));
    expect(after.errors).toBe(0);
    await sleep(250);
    expect(scoredIn(h)).toHaveLength(batches.length);
  });

  it('counts what the edge refuses as errors', async () => {
    const h = harness();
    h.edge = new Hono().post('*', (c) => c.json({ detail: 'down for maintenance' }, 503));
    await call(h, 'POST', '/api/traffic', { running: true, rate: 100 });
    await sleep(350);
    await call(h, 'POST', '/api/traffic', { running: false });
    await sleep(50);
    const s = (await call<TrafficState>(h, 'GET', '/api/traffic')).body;
    expect(s.sent).toBe(0);
    expect(s.errors).toBeGreaterThanOrEqual(20);
  });

  it.each([
    [{ running: true, rate: 0 }, '/rate'],
    [{ running: true, rate: 5001 }, '/rate'],
    [{ running: true, rate: 2.5 }, '/rate'],
    [{ rate: 10 }, '/running'],
    [{ running: 'yes' }, '/running'],
  ])('refuses %j with a 400 naming %s', async (body, path) => {
    const h = harness();
    const r = await call<{ errors: { path: string }[] }>(h, 'POST', '/api/traffic', body);
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e) => e.path)).toContain(path);
  });

  it('needs an edge to send to', async () => {
    const h = harness({ edge: null });
    expect((await call(h, 'GET', '/api/traffic')).status).toBe(200);
    const r = await call<{ type: string }>(h, 'POST', '/api/traffic', { running: true, rate: 10 });
    expect(r.status).toBe(503);
    expect((await call(h, 'POST', '/api/traffic/one', { kind: 'normal' })).status).toBe(503);
    expect((await call(h, 'POST', '/api/traffic/inject', { scenario: 1 })).status).toBe(503);
  });
});

describe('scenarios and single transactions', () => {
  it('S1: one batch, every fraud flagged by the (fake) edge', async () => {
    const h = harness();
    const r = await call<InjectResponse>(h, 'POST', '/api/traffic/inject', { scenario: 1 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ scenario: 1, frauds: 6, flagged: 6, labelled: 0 });
    expect(r.body.transactions.every((t) => t.role === 'burst' && t.decision === 'decline')).toBe(
      true,
    );
    expect(scoredIn(h)).toEqual([6]);
  });

  it('S2: scores the history, labels it fraud at the edge, then scores the burst', async () => {
    const h = harness();
    const r = await call<InjectResponse>(h, 'POST', '/api/traffic/inject', { scenario: 2 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ scenario: 2, frauds: 6, labelled: 7 });
    expect(h.recorded.edgeCalls.map((c) => c.path)).toEqual([
      '/v1/score/batch',
      '/v1/feedback/batch',
      '/v1/score/batch',
    ]);
    const feedback = (h.recorded.edgeCalls[1]!.body as { feedback: unknown[] }).feedback;
    const history = r.body.transactions.filter((t) => t.role === 'history');
    expect(feedback).toEqual(
      history.map((t) => ({
        transaction_id: t.transaction_id,
        label: 'fraud',
        timestamp: NOW.toISOString(),
      })),
    );
    const sent = (await call<TrafficState>(h, 'GET', '/api/traffic')).body.sent;
    expect(sent).toBe(13);
  });

  it('S3: history then a burst with a third at 5×', async () => {
    const h = harness();
    const r = await call<InjectResponse>(h, 'POST', '/api/traffic/inject', { scenario: 3 });
    expect(r.body).toMatchObject({ scenario: 3, frauds: 2, labelled: 0 });
    expect(scoredIn(h)).toEqual([12, 6]);
  });

  it('reports an edge failure during a scenario as a problem', async () => {
    const h = harness();
    const edge = new Hono();
    edge.post('/v1/feedback/batch', (c) => c.json({ detail: 'unknown transaction_id' }, 404));
    edge.post('/v1/score/batch', async (c) => {
      const { transactions } = await c.req.json<{ transactions: { transaction_id: string }[] }>();
      return c.json({
        results: transactions.map((t) => ({
          transaction_id: t.transaction_id,
          score: 0.1,
          decision: 'approve',
          reasons: [],
          model_version: 'gbdt-fake',
          degraded: false,
          replayed: false,
        })),
      });
    });
    h.edge = edge;
    const r = await call<{ type: string; detail: string }>(h, 'POST', '/api/traffic/inject', {
      scenario: 2,
    });
    expect(r.status).toBe(502);
    expect(r.body.detail).toContain('labelling');
    const bad = await call(h, 'POST', '/api/traffic/inject', { scenario: 4 });
    expect(bad.status).toBe(400);
  });

  it("one transaction: the edge's answer, what was sent, and the ground truth", async () => {
    const h = harness();
    const r = await call<TrafficOneResponse>(h, 'POST', '/api/traffic/one', { kind: 'fraud' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      score: 0.9,
      decision: 'decline',
      model_version: 'gbdt-fake',
      replayed: false,
      is_fraud: true,
    });
    expect(r.body.transaction_id).toBe(r.body.transaction.transaction_id);
    expect(h.recorded.edgeCalls[0]!.path).toBe('/v1/score');
    const normal = await call<TrafficOneResponse>(h, 'POST', '/api/traffic/one', {
      kind: 'normal',
    });
    expect(normal.body.transaction.amount).toBeGreaterThanOrEqual(0);
    expect((await call(h, 'POST', '/api/traffic/one', { kind: 'weird' })).status).toBe(400);
  });
});
