/**
 * Verdicts that cannot reach the edge are kept in Postgres (PGlite here; backplane/test has the
 * same on a real PostgreSQL) and retried until the edge applies them, or shown as failed with the
 * edge's reason. The clock is the tests' own, so backoff is stepped through, not waited for.
 */
import type { Case, LiveCase, TransactionDetail, VerdictDeliveryState } from '@vigil/core';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolveCaseResponse } from '../api-types.js';
import {
  apiHarness,
  bearer,
  insertTransaction,
  startTestDb,
  type ApiHarness,
  type TestDb,
} from '../test-support.js';
import { DEFAULT_VERDICT_RETRY } from './delivery-policy.js';

let db: TestDb;
beforeAll(async () => {
  db = await startTestDb();
}, 60_000);
afterAll(() => db.stop());

const T0 = Date.parse('2026-05-01T09:00:00.000Z');
let n = 0;

/** An edge whose answer to POST /v1/feedback the test sets: a status, or down. */
class ScriptedEdge {
  answer: number | 'down' = 'down';
  calls: unknown[] = [];
  readonly app = new Hono().post('/v1/feedback', async (c) => {
    this.calls.push(await c.req.json());
    if (this.answer === 'down') throw new Error('unreachable');
    if (this.answer === 202) return c.json({ accepted: 1 }, 202);
    return c.json(
      {
        type: 'urn:vigil:problem:x',
        title: 'x',
        status: this.answer,
        detail: `edge says ${this.answer}`,
      },
      this.answer as 404,
    );
  });
  fetch: typeof fetch = (input, init) => {
    if (this.answer === 'down') return Promise.reject(new TypeError('fetch failed'));
    const url = input instanceof Request ? input.url : input instanceof URL ? input.href : input;
    return Promise.resolve(this.app.request(url, init));
  };
}

function world(edge: ScriptedEdge, clock: { t: number }) {
  const tried: VerdictDeliveryState[] = [];
  const backlog: { pending: number; failed: number }[] = [];
  const h = apiHarness(db.sql, {
    now: () => new Date(clock.t),
    fetch: edge.fetch,
    verdictObserver: { tried: (s) => tried.push(s), backlog: (b) => backlog.push(b) },
  });
  return { h, tried, backlog };
}

async function newCase(): Promise<{ caseId: string; tx: string }> {
  const tx = `tx_vd_${n++}`;
  await insertTransaction(db.sql, { transaction_id: tx, decision: 'decline', customer_id: 'c_vd' });
  return { caseId: `case_${tx}`, tx };
}

async function resolve(h: ApiHarness, caseId: string): Promise<ResolveCaseResponse> {
  const res = await h.root.request(`/api/cases/${caseId}/resolve`, {
    method: 'POST',
    headers: bearer(),
    body: JSON.stringify({ resolution: 'fraud' }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as ResolveCaseResponse;
}

async function get<T>(h: ApiHarness, path: string): Promise<T> {
  const res = await h.root.request(path, { headers: bearer() });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

const sweep = (h: ApiHarness) => h.api.deliverer!.sweep();
const s = (ms: number) => ms * 1000;

describe('a verdict the edge cannot take yet', () => {
  it('edge down → pending, retried with backoff → edge back → applied, shown everywhere', async () => {
    const clock = { t: T0 };
    const edge = new ScriptedEdge();
    const { h, tried, backlog } = world(edge, clock);
    const { caseId, tx } = await newCase();

    const r = await resolve(h, caseId);
    expect(r).toMatchObject({ status: 'resolved', edge_forwarded: false });
    expect(r.edge_detail).toContain('could not be reached');
    expect(r.verdict_delivery).toEqual({
      state: 'pending',
      attempts: 1,
      last_status: null,
      detail: expect.stringContaining('could not be reached') as string,
      next_attempt_at: new Date(T0 + DEFAULT_VERDICT_RETRY.firstRetryMs).toISOString(),
      updated_at: new Date(T0).toISOString(),
    });
    // The first try is the quick one while the analyst waits (three calls), then nothing is due.
    expect(await sweep(h)).toBe(0);

    clock.t += s(5);
    expect(await sweep(h)).toBe(1);
    let c = await get<Case>(h, `/api/cases/${caseId}`);
    expect(c.verdict_delivery).toMatchObject({
      state: 'pending',
      attempts: 2,
      // The pause doubles: 5 s after the first try, 10 s after the second.
      next_attempt_at: new Date(clock.t + s(10)).toISOString(),
    });
    expect(backlog.at(-1)).toMatchObject({ pending: expect.any(Number) as number });
    expect(backlog.at(-1)!.pending).toBeGreaterThanOrEqual(1);

    edge.answer = 202;
    clock.t += s(9);
    expect(await sweep(h)).toBe(0);
    clock.t += s(1);
    expect(await sweep(h)).toBe(1);
    expect(edge.calls.at(-1)).toEqual({
      transaction_id: tx,
      label: 'fraud',
      timestamp: new Date(T0).toISOString(),
    });
    c = await get<Case>(h, `/api/cases/${caseId}`);
    expect(c.verdict_delivery).toMatchObject({
      state: 'applied',
      attempts: 3,
      last_status: 202,
      detail: null,
      next_attempt_at: null,
    });
    const d = await get<TransactionDetail>(h, `/api/transactions/${tx}`);
    expect(d.case?.verdict_delivery?.state).toBe('applied');
    const queue = await get<{ items: Case[] }>(h, '/api/cases?status=resolved&limit=500');
    expect(queue.items.find((x) => x.case_id === caseId)?.verdict_delivery?.state).toBe('applied');
    // Dashboards hear of it: a LiveCase of the same version carrying the delivery.
    const live = h.recorded.live.filter((e): e is LiveCase => e.kind === 'case');
    expect(live.at(-1)).toMatchObject({
      case_id: caseId,
      version: 2,
      event_id: `case:${caseId}:2:verdict:3:applied`,
      verdict_delivery: { state: 'applied' },
    });
    expect(tried).toEqual(['pending', 'pending', 'applied']);
    expect(await sweep(h)).toBe(0);
  });

  it('edge 404 → retried within the window, then failed with the reason; a repeat retries it', async () => {
    const clock = { t: T0 };
    const edge = new ScriptedEdge();
    edge.answer = 404;
    const { h } = world(edge, clock);
    const { caseId } = await newCase();

    const r = await resolve(h, caseId);
    expect(r.verdict_delivery).toMatchObject({ state: 'pending', attempts: 1, last_status: 404 });
    expect(r.verdict_delivery?.detail).toContain('does not know');
    let tries = 1;
    while (clock.t - T0 < DEFAULT_VERDICT_RETRY.notFoundWindowMs) {
      clock.t += DEFAULT_VERDICT_RETRY.maxRetryMs;
      tries += await sweep(h);
    }
    expect(tries).toBeGreaterThan(3);
    const c = await get<Case>(h, `/api/cases/${caseId}`);
    expect(c.verdict_delivery).toMatchObject({
      state: 'failed',
      attempts: tries,
      last_status: 404,
    });
    expect(c.verdict_delivery?.detail).toContain('does not know');
    expect(c.verdict_delivery?.next_attempt_at).toBeNull();
    clock.t += s(3600);
    expect(await sweep(h)).toBe(0);

    // The analyst resolves it again (the edge has learnt the transaction meanwhile): sent now.
    edge.answer = 202;
    const again = await resolve(h, caseId);
    expect(again).toMatchObject({ replayed: true, edge_forwarded: true });
    expect(again.verdict_delivery).toMatchObject({ state: 'applied', attempts: tries + 1 });
  });

  it('a 4xx that cannot succeed is failed at once with the edge problem detail', async () => {
    const clock = { t: T0 };
    const edge = new ScriptedEdge();
    edge.answer = 422;
    const { h, tried } = world(edge, clock);
    const { caseId } = await newCase();
    const r = await resolve(h, caseId);
    expect(r.verdict_delivery).toMatchObject({
      state: 'failed',
      attempts: 1,
      last_status: 422,
      detail: 'the edge answered HTTP 422: edge says 422',
    });
    expect(r.edge_detail).toBe('the edge answered HTTP 422: edge says 422');
    clock.t += s(3600);
    expect(await sweep(h)).toBe(0);
    expect(edge.calls).toHaveLength(1);
    expect(tried).toEqual(['failed']);
  });

  it('a pending verdict survives a restart of the backplane and is delivered by the next one', async () => {
    const clock = { t: T0 };
    const down = new ScriptedEdge();
    const first = world(down, clock);
    const { caseId, tx } = await newCase();
    expect((await resolve(first.h, caseId)).verdict_delivery?.state).toBe('pending');
    await first.h.api.close();

    const up = new ScriptedEdge();
    up.answer = 202;
    const second = world(up, clock);
    clock.t += s(5);
    expect(await sweep(second.h)).toBeGreaterThanOrEqual(1);
    expect(up.calls).toContainEqual({
      transaction_id: tx,
      label: 'fraud',
      timestamp: new Date(T0).toISOString(),
    });
    const c = await get<Case>(second.h, `/api/cases/${caseId}`);
    expect(c.verdict_delivery).toMatchObject({ state: 'applied', attempts: 2 });
  });

  it('a verdict whose first try never ran (the process died) is taken when its lease ends', async () => {
    const clock = { t: T0 };
    const edge = new ScriptedEdge();
    edge.answer = 202;
    const { h } = world(edge, clock);
    const { caseId } = await newCase();
    // As the resolution's transaction leaves it, before the API's first try.
    await db.sql`UPDATE cases SET status = 'resolved', resolution = 'fraud', version = 2
                 WHERE case_id = ${caseId}`;
    await db.sql`
      INSERT INTO verdict_deliveries (case_id, transaction_id, label, ts, event_id, state,
        next_attempt_at, retry_from, created_at, updated_at)
      VALUES (${caseId}, ${caseId.slice(5)}, 'fraud', ${new Date(T0)}, 'fb:x', 'pending',
        ${new Date(T0 + DEFAULT_VERDICT_RETRY.leaseMs)}, ${new Date(T0)}, ${new Date(T0)},
        ${new Date(T0)})`;
    clock.t += DEFAULT_VERDICT_RETRY.leaseMs - 1;
    expect(await sweep(h)).toBe(0);
    clock.t += 1;
    expect(await sweep(h)).toBe(1);
    const c = await get<Case>(h, `/api/cases/${caseId}`);
    expect(c.verdict_delivery).toMatchObject({ state: 'applied', attempts: 1 });
  });

  it('two backplanes sweeping together send each due verdict once', async () => {
    const clock = { t: T0 };
    const down = new ScriptedEdge();
    const a = world(down, clock);
    const { caseId } = await newCase();
    await resolve(a.h, caseId);
    const edge = new ScriptedEdge();
    edge.answer = 202;
    const b = world(edge, clock);
    const c2 = world(edge, clock);
    clock.t += s(3600);
    const [x, y] = await Promise.all([sweep(b.h), sweep(c2.h)]);
    expect(x + y).toBeGreaterThanOrEqual(1);
    expect(
      edge.calls.filter(
        (body) => (body as { transaction_id: string }).transaction_id === caseId.slice(5),
      ),
    ).toHaveLength(1);
  });
});
