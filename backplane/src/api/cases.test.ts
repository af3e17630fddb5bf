import { feedbackEventId, type Case, type LiveCase, type Page } from '@vigil/core';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolveCaseResponse } from './api-types.js';
import {
  API_KEY,
  apiHarness,
  bearer,
  insertTransaction,
  startTestDb,
  type TestDb,
} from './test-support.js';

let db: TestDb;
const NOW = new Date('2026-03-01T10:00:00.000Z');
const T0 = Date.parse('2026-03-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);

beforeAll(async () => {
  db = await startTestDb();
  for (let i = 0; i < 8; i++) {
    await insertTransaction(db.sql, {
      transaction_id: `tx_q_${i}`,
      ts: at(i),
      scored_at: at(i),
      decision: i % 2 === 0 ? 'review' : 'decline',
      customer_id: `c_q_${i}`,
      terminal_id: 't_q',
      score: 0.5 + i / 100,
      amount: 100 + i,
    });
  }
  await db.sql`UPDATE cases SET status = 'resolved', resolution = 'fraud', version = 3
               WHERE case_id IN ('case_tx_q_6', 'case_tx_q_7')`;
  await db.sql`UPDATE cases SET status = 'assigned', assignee = 'Ada', version = 2
               WHERE case_id = 'case_tx_q_1'`;
}, 60_000);
afterAll(() => db.stop());

function harness() {
  return apiHarness(db.sql, { now: () => NOW });
}
type H = ReturnType<typeof harness>;

async function call<T>(h: H, method: string, path: string, body?: unknown) {
  const res = await h.root.request(path, {
    method,
    headers: bearer(),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

/** A fresh case to change, so tests do not depend on each other's order. */
let fresh = 0;
async function newCase(decision: 'review' | 'decline' = 'review'): Promise<string> {
  const id = `tx_n_${fresh++}`;
  await insertTransaction(db.sql, {
    transaction_id: id,
    ts: at(1000 + fresh),
    scored_at: at(1000 + fresh),
    decision,
    customer_id: 'c_fresh',
    terminal_id: 't_fresh',
  });
  return `case_${id}`;
}

describe('GET /api/cases', () => {
  it('lists open and assigned cases first, newest first, then resolved ones', async () => {
    const h = harness();
    const { status, body } = await call<Page<Case>>(h, 'GET', '/api/cases?limit=500');
    expect(status).toBe(200);
    const q = body.items.filter((c) => c.case_id.startsWith('case_tx_q_')).map((c) => c.case_id);
    expect(q).toEqual([
      'case_tx_q_5',
      'case_tx_q_4',
      'case_tx_q_3',
      'case_tx_q_2',
      'case_tx_q_1',
      'case_tx_q_0',
      'case_tx_q_7',
      'case_tx_q_6',
    ]);
    expect(body.items.find((c) => c.case_id === 'case_tx_q_1')).toMatchObject({
      transaction_id: 'tx_q_1',
      status: 'assigned',
      assignee: 'Ada',
      resolution: null,
      version: 2,
      decision: 'decline',
      score: 0.51,
      amount: 101,
      currency: 'EUR',
      customer_id: 'c_q_1',
      terminal_id: 't_q',
      comments: [],
      opened_at: at(1).toISOString(),
    });
  });

  it('pages across the open/resolved boundary without skipping', async () => {
    const h = harness();
    const all = (await call<Page<Case>>(h, 'GET', '/api/cases?limit=500')).body.items;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : '';
      const { body } = await call<Page<Case>>(h, 'GET', `/api/cases?limit=3${q}`);
      seen.push(...body.items.map((c) => c.case_id));
      cursor = body.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(all.map((c) => c.case_id));
  });

  it('filters by status, assignee and decision', async () => {
    const h = harness();
    const resolved = await call<Page<Case>>(h, 'GET', '/api/cases?status=resolved');
    expect(resolved.body.items.map((c) => c.case_id).sort()).toEqual([
      'case_tx_q_6',
      'case_tx_q_7',
    ]);
    const ada = await call<Page<Case>>(h, 'GET', '/api/cases?assignee=Ada&status=assigned,open');
    expect(ada.body.items.map((c) => c.case_id)).toContain('case_tx_q_1');
    expect(ada.body.items.every((c) => c.assignee === 'Ada')).toBe(true);
    const declines = await call<Page<Case>>(h, 'GET', '/api/cases?decision=decline&status=open');
    expect(declines.body.items.every((c) => c.decision === 'decline' && c.status === 'open')).toBe(
      true,
    );
    const bad = await call<{ errors: { path: string }[] }>(h, 'GET', '/api/cases?status=closed');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]!.path).toBe('/status');
  });

  it('shows one case; 404 for an unknown one', async () => {
    const h = harness();
    expect((await call<Case>(h, 'GET', '/api/cases/case_tx_q_3')).body.case_id).toBe('case_tx_q_3');
    const missing = await call<{ type: string }>(h, 'GET', '/api/cases/case_nope');
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBe('urn:vigil:problem:not-found');
  });
});

describe('assign and comment', () => {
  it('assigns with the version, bumps it, publishes a LiveCase; a stale version is a 409', async () => {
    const h = harness();
    const id = await newCase();
    const ok = await call<Case>(h, 'POST', `/api/cases/${id}/assign`, {
      assignee: 'Grace',
      version: 1,
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'assigned', assignee: 'Grace', version: 2 });
    expect(ok.body.updated_at).toBe(NOW.toISOString());
    expect(h.recorded.live).toEqual([
      {
        kind: 'case',
        event_id: `case:${id}:2`,
        case_id: id,
        transaction_id: id.slice(5),
        status: 'assigned',
        assignee: 'Grace',
        resolution: null,
        updated_at: NOW.toISOString(),
        version: 2,
        verdict_delivery: null,
      } satisfies LiveCase,
    ]);
    const stale = await call<{ type: string; detail: string }>(
      h,
      'POST',
      `/api/cases/${id}/assign`,
      {
        assignee: 'Ada',
        version: 1,
      },
    );
    expect(stale.status).toBe(409);
    expect(stale.body.type).toBe('urn:vigil:problem:stale-version');
    const unassigned = await call<Case>(h, 'POST', `/api/cases/${id}/assign`, { assignee: null });
    expect(unassigned.body).toMatchObject({ status: 'open', assignee: null, version: 3 });
    const unknown = await call(h, 'POST', '/api/cases/case_nope/assign', { assignee: 'Ada' });
    expect(unknown.status).toBe(404);
    const resolved = await call<{ type: string }>(h, 'POST', '/api/cases/case_tx_q_6/assign', {
      assignee: 'Ada',
    });
    expect(resolved.status).toBe(409);
    expect(resolved.body.type).toBe('urn:vigil:problem:case-resolved');
  });

  it('adds comments by the caller, oldest first', async () => {
    const h = harness();
    const id = await newCase();
    const a = await call<Case>(h, 'POST', `/api/cases/${id}/comments`, { body: 'first look' });
    expect(a.status).toBe(201);
    const b = await call<Case>(h, 'POST', `/api/cases/${id}/comments`, { body: 'called the bank' });
    expect(b.body.version).toBe(3);
    expect(b.body.comments).toEqual([
      { author: 'api', body: 'first look', created_at: NOW.toISOString() },
      { author: 'api', body: 'called the bank', created_at: NOW.toISOString() },
    ]);
    expect(h.recorded.live.map((e) => e.event_id)).toEqual([`case:${id}:2`, `case:${id}:3`]);
  });

  it.each([
    ['assign', { assignee: '' }, '/assignee'],
    ['assign', { assignee: 'x'.repeat(65) }, '/assignee'],
    ['assign', { assignee: 'Ada', version: 0 }, '/version'],
    ['assign', { assignee: 'Ada', version: 1.5 }, '/version'],
    ['assign', {}, '/assignee'],
    ['comments', { body: '   ' }, '/body'],
    ['comments', { body: 'a\u0000b' }, '/body'],
    ['comments', { body: 'x'.repeat(4001) }, '/body'],
    ['resolve', { resolution: 'maybe' }, '/resolution'],
    ['resolve', { resolution: 'fraud', note: 'x' }, '/note'],
  ])('POST %s with %j is a 400 naming %s', async (action, body, path) => {
    const h = harness();
    const r = await call<{ errors: { path: string }[] }>(
      h,
      'POST',
      `/api/cases/case_tx_q_0/${action}`,
      body,
    );
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(r.body.errors.map((e) => e.path)).toContain(path);
  });

  it('refuses malformed JSON, a non-object body and a huge one', async () => {
    const h = harness();
    const res = await h.root.request('/api/cases/case_tx_q_0/assign', {
      method: 'POST',
      headers: bearer(),
      body: '{"assignee":',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { type: string }).type).toBe('urn:vigil:problem:malformed-json');
    const arr = await call(h, 'POST', '/api/cases/case_tx_q_0/assign', ['Ada']);
    expect(arr.status).toBe(400);
    const huge = await call<{ type: string }>(h, 'POST', '/api/cases/case_tx_q_0/comments', {
      body: 'x'.repeat(70_000),
    });
    expect(huge.status).toBe(413);
    expect(huge.body.type).toBe('urn:vigil:problem:payload-too-large');
  });
});

describe('resolve', () => {
  it('emits the analyst verdict to Kafka, forwards it to the edge, resolves the case', async () => {
    const h = harness();
    const id = await newCase('decline');
    const tx = id.slice(5);
    const r = await call<ResolveCaseResponse>(h, 'POST', `/api/cases/${id}/resolve`, {
      resolution: 'fraud',
      comment: 'cardholder confirmed',
      version: 1,
    });
    expect(r.status).toBe(200);
    const timestamp = NOW.toISOString();
    const eventId = feedbackEventId(tx, 'fraud', timestamp);
    expect(r.body).toMatchObject({
      case_id: id,
      status: 'resolved',
      resolution: 'fraud',
      version: 2,
      feedback_event_id: eventId,
      edge_forwarded: true,
      edge_detail: null,
      replayed: false,
      comments: [{ author: 'api', body: 'cardholder confirmed', created_at: timestamp }],
    });
    expect(h.recorded.feedback).toEqual([
      {
        event_id: eventId,
        schema_version: 1,
        type: 'feedback',
        transaction_id: tx,
        label: 'fraud',
        timestamp,
        source: 'analyst',
        customer_id: 'c_fresh',
        case_id: id,
        actor: 'api',
      },
    ]);
    expect(h.recorded.edgeCalls).toEqual([
      { path: '/v1/feedback', body: { transaction_id: tx, label: 'fraud', timestamp } },
    ]);
    expect(h.recorded.live).toMatchObject([{ kind: 'case', status: 'resolved', version: 2 }]);
    // The API never writes feedback itself: that is the consumer's.
    expect(await db.sql`SELECT 1 FROM feedback WHERE transaction_id = ${tx}`).toHaveLength(0);
  });

  it('labels a false positive legitimate, with the session subject as actor', async () => {
    const h = harness();
    const id = await newCase();
    const signIn = await h.root.request('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: API_KEY, name: 'Ada' }),
    });
    const cookie = signIn.headers.get('set-cookie')!.split(';', 1)[0]!;
    const res = await h.root.request(`/api/cases/${id}/resolve`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'x-requested-with': 'vigil' },
      body: JSON.stringify({ resolution: 'false_positive' }),
    });
    expect(res.status).toBe(200);
    expect(h.recorded.feedback[0]).toMatchObject({ label: 'legitimate', actor: 'Ada' });
    expect(h.recorded.edgeCalls[0]!.body).toMatchObject({ label: 'legitimate' });
  });

  it('answers a repeat of the same resolution without a second event; refuses a different one', async () => {
    const h = harness();
    const id = await newCase();
    await call(h, 'POST', `/api/cases/${id}/resolve`, { resolution: 'fraud' });
    const ev = h.recorded.feedback[0]!;
    const again = await call<ResolveCaseResponse>(h, 'POST', `/api/cases/${id}/resolve`, {
      resolution: 'fraud',
    });
    expect(again.status).toBe(200);
    // Applied at the edge already: nothing is sent again.
    expect(again.body).toMatchObject({
      replayed: true,
      version: 2,
      edge_forwarded: true,
      feedback_event_id: ev.event_id,
      verdict_delivery: { state: 'applied', attempts: 1 },
    });
    expect(h.recorded.feedback).toHaveLength(1);
    expect(h.recorded.live).toHaveLength(1);
    expect(h.recorded.edgeCalls).toHaveLength(1);

    const other = await call<{ type: string }>(h, 'POST', `/api/cases/${id}/resolve`, {
      resolution: 'false_positive',
    });
    expect(other.status).toBe(409);
    expect(other.body.type).toBe('urn:vigil:problem:case-resolved');
  });

  it('delivers, on a repeat, the verdict of a case resolved before deliveries were recorded', async () => {
    const h = harness();
    const id = await newCase();
    const tx = id.slice(5);
    await call(h, 'POST', `/api/cases/${id}/resolve`, { resolution: 'fraud' });
    // As a case resolved by a backplane before migration 005: no delivery row.
    await db.sql`DELETE FROM verdict_deliveries WHERE case_id = ${id}`;
    const early = await call<ResolveCaseResponse>(h, 'POST', `/api/cases/${id}/resolve`, {
      resolution: 'fraud',
    });
    expect(early.body).toMatchObject({
      replayed: true,
      edge_forwarded: false,
      feedback_event_id: null,
    });
    expect(early.body.edge_detail).toContain('has not reached Postgres yet');

    // Once the consumer has written the verdict, a repeat delivers it with its own timestamp.
    const ev = h.recorded.feedback[0]!;
    await db.sql`INSERT INTO feedback (event_id, transaction_id, label, ts, source, actor, case_id)
                 VALUES (${ev.event_id}, ${tx}, 'fraud', ${ev.timestamp}, 'analyst', 'api', ${id})`;
    const third = await call<ResolveCaseResponse>(h, 'POST', `/api/cases/${id}/resolve`, {
      resolution: 'fraud',
    });
    expect(third.body).toMatchObject({
      replayed: true,
      edge_forwarded: true,
      feedback_event_id: ev.event_id,
      verdict_delivery: { state: 'applied' },
    });
    expect(h.recorded.edgeCalls.at(-1)!.body).toEqual({
      transaction_id: tx,
      label: 'fraud',
      timestamp: ev.timestamp,
    });
  });

  it('refuses a stale version and an unknown case', async () => {
    const h = harness();
    const id = await newCase();
    await call(h, 'POST', `/api/cases/${id}/assign`, { assignee: 'Ada' });
    const stale = await call(h, 'POST', `/api/cases/${id}/resolve`, {
      resolution: 'fraud',
      version: 1,
    });
    expect(stale.status).toBe(409);
    expect(h.recorded.feedback).toHaveLength(0);
    expect(
      (await call(h, 'POST', '/api/cases/case_nope/resolve', { resolution: 'fraud' })).status,
    ).toBe(404);
  });

  it('still resolves when the edge does not know the transaction, and says so', async () => {
    const h = harness();
    h.edge = new Hono().post('*', (c) => c.json({ detail: 'unknown transaction_id' }, 404));
    const id = await newCase();
    const r = await call<ResolveCaseResponse>(h, 'POST', `/api/cases/${id}/resolve`, {
      resolution: 'fraud',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'resolved', edge_forwarded: false });
    expect(r.body.edge_detail).toContain('does not know');
  });

  it('retries an edge that is down, then resolves anyway with edge_forwarded false', async () => {
    let calls = 0;
    const h = apiHarness(db.sql, {
      now: () => NOW,
      fetch: () => {
        calls++;
        return Promise.reject(new TypeError('fetch failed'));
      },
    });
    const id = await newCase();
    const r = await call<ResolveCaseResponse>(h, 'POST', `/api/cases/${id}/resolve`, {
      resolution: 'fraud',
    });
    expect(r.status).toBe(200);
    expect(calls).toBe(3);
    expect(r.body).toMatchObject({ status: 'resolved', edge_forwarded: false });
    expect(r.body.edge_detail).toContain('could not be reached');
    expect(r.body.verdict_delivery).toMatchObject({
      state: 'pending',
      attempts: 1,
      last_status: null,
    });
    expect(h.recorded.feedback).toHaveLength(1);
  });

  it('leaves the case unresolved when Kafka refuses the verdict (503, retry)', async () => {
    const h = apiHarness(db.sql, {
      now: () => NOW,
      emitFeedback: () => Promise.reject(new Error('broker down')),
    });
    const id = await newCase();
    const r = await call<{ type: string }>(h, 'POST', `/api/cases/${id}/resolve`, {
      resolution: 'fraud',
      comment: 'will roll back',
    });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('5');
    const c = await call<Case>(h, 'GET', `/api/cases/${id}`);
    expect(c.body).toMatchObject({ status: 'open', version: 1, comments: [] });
    expect(h.recorded.live).toHaveLength(0);
    expect(h.recorded.edgeCalls).toHaveLength(0);
    // Atomic: no verdict is kept for delivery either, and no audit row tells of a resolution.
    expect(await db.sql`SELECT 1 FROM verdict_deliveries WHERE case_id = ${id}`).toHaveLength(0);
    expect(await db.sql`SELECT 1 FROM audit_log WHERE target = ${'case:' + id}`).toHaveLength(0);
  });
});

describe('the audit log of case actions', () => {
  it('records assign, comment and resolve with actor, before and after', async () => {
    const h = harness();
    const id = await newCase();
    await call(h, 'POST', `/api/cases/${id}/assign`, { assignee: 'Ada' });
    await call(h, 'POST', `/api/cases/${id}/comments`, { body: 'looks like card testing' });
    const resolved = await call<ResolveCaseResponse>(h, 'POST', `/api/cases/${id}/resolve`, {
      resolution: 'fraud',
    });
    expect(resolved.status).toBe(200);
    const audit = await call<{ items: Record<string, unknown>[] }>(
      h,
      'GET',
      `/api/audit?target=case:${id}`,
    );
    expect(audit.body.items).toMatchObject([
      {
        actor: 'api',
        action: 'case.resolve',
        at: NOW.toISOString(),
        before: { status: 'assigned', assignee: 'Ada', version: 3 },
        after: {
          status: 'resolved',
          resolution: 'fraud',
          version: 4,
          feedback_event_id: resolved.body.feedback_event_id,
        },
      },
      { action: 'case.comment', before: null, after: { body: 'looks like card testing' } },
      {
        action: 'case.assign',
        before: { status: 'open', assignee: null, version: 1 },
        after: { status: 'assigned', assignee: 'Ada', version: 2 },
      },
    ]);
  });
});
