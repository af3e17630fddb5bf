import type { BulkResolveResponse } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiHarness,
  bearer,
  insertTransaction,
  startTestDb,
  type ApiHarness,
  type TestDb,
} from './test-support.js';

let db: TestDb;
const NOW = new Date('2026-06-01T10:00:00.000Z');

beforeAll(async () => {
  db = await startTestDb();
}, 60_000);
afterAll(() => db.stop());

let n = 0;
/** `count` fresh open cases. */
async function openCases(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `tx_bulk_${n++}`;
    await insertTransaction(db.sql, {
      transaction_id: id,
      decision: 'review',
      customer_id: `c_bulk_${n}`,
      scored_at: new Date(NOW.getTime() - n * 1000),
    });
    ids.push(`case_${id}`);
  }
  return ids;
}

async function bulk(h: ApiHarness, body: unknown) {
  const res = await h.root.request('/api/cases/resolve', {
    method: 'POST',
    headers: bearer(),
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function state(ids: readonly string[]) {
  const cases = await db.sql`SELECT status FROM cases WHERE case_id IN ${db.sql(ids)}`;
  const audits = await db.sql`
    SELECT target FROM audit_log
    WHERE action = 'case.resolve' AND target IN ${db.sql(ids.map((i) => `case:${i}`))}`;
  const deliveries = await db.sql`
    SELECT case_id FROM verdict_deliveries WHERE case_id IN ${db.sql(ids)}`;
  return {
    resolved: cases.filter((c) => c.status === 'resolved').length,
    audits: audits.length,
    deliveries: deliveries.length,
  };
}

describe('POST /api/cases/resolve', () => {
  it('resolves every case, audits each and sends each verdict to Kafka and the edge', async () => {
    const ids = await openCases(5);
    const h = apiHarness(db.sql, { now: () => NOW });
    const r = await bulk(h, { case_ids: ids, resolution: 'false_positive', comment: 'one batch' });
    expect(r.status).toBe(200);
    const answer = r.body as unknown as BulkResolveResponse;
    expect(answer.resolution).toBe('false_positive');
    expect(answer.cases.map((c) => c.case_id)).toEqual(ids);
    for (const c of answer.cases) {
      expect(c).toMatchObject({ status: 'resolved', resolution: 'false_positive' });
      expect(c.comments.map((m) => m.body)).toEqual(['one batch']);
      expect(c.verdict_delivery?.state).toBe('applied');
    }
    expect(await state(ids)).toEqual({ resolved: 5, audits: 5, deliveries: 5 });
    expect(h.recorded.feedback.map((f) => `case_${f.transaction_id}`)).toEqual(ids);
    expect(h.recorded.feedback.every((f) => f.label === 'legitimate')).toBe(true);
    const sent = h.recorded.edgeCalls.filter((c) => c.path === '/v1/feedback');
    expect(
      sent.map((c) => `case_${(c.body as { transaction_id: string }).transaction_id}`).sort(),
    ).toEqual([...ids].sort());
    expect(h.recorded.live.filter((e) => e.kind === 'case')).toHaveLength(5);
  });

  it("audits the comment it adds to each case (in case.resolve's after)", async () => {
    const ids = await openCases(2);
    const h = apiHarness(db.sql, { now: () => NOW });
    const r = await bulk(h, { case_ids: ids, resolution: 'fraud', comment: 'card skimmed' });
    expect(r.status).toBe(200);
    const rows = await db.sql<{ after: { comment?: string } }[]>`
      SELECT after FROM audit_log
      WHERE action = 'case.resolve' AND target IN ${db.sql(ids.map((i) => `case:${i}`))}`;
    expect(rows.map((a) => a.after.comment)).toEqual(['card skimmed', 'card skimmed']);
  });

  it('applies nothing when one id is unknown: 404 naming /case_ids/i', async () => {
    const ids = await openCases(3);
    const h = apiHarness(db.sql, { now: () => NOW });
    const r = await bulk(h, {
      case_ids: [ids[0], 'case_tx_nobody', ids[1], ids[2]],
      resolution: 'fraud',
    });
    expect(r.status).toBe(404);
    expect(r.body.errors).toEqual([{ path: '/case_ids/1', message: 'no case case_tx_nobody' }]);
    expect(await state(ids)).toEqual({ resolved: 0, audits: 0, deliveries: 0 });
    expect(h.recorded.feedback).toEqual([]);
    expect(h.recorded.edgeCalls).toEqual([]);
    expect(h.recorded.live).toEqual([]);
  });

  it('applies nothing when one case is already resolved: 409 naming /case_ids/i', async () => {
    const ids = await openCases(3);
    const h = apiHarness(db.sql, { now: () => NOW });
    expect((await bulk(h, { case_ids: [ids[2]], resolution: 'fraud' })).status).toBe(200);
    const h2 = apiHarness(db.sql, { now: () => NOW });
    const r = await bulk(h2, { case_ids: ids, resolution: 'fraud' });
    expect(r.status).toBe(409);
    expect((r.body.errors as { path: string }[]).map((e) => e.path)).toEqual(['/case_ids/2']);
    expect(await state(ids.slice(0, 2))).toEqual({ resolved: 0, audits: 0, deliveries: 0 });
    expect(h2.recorded.feedback).toEqual([]);
    expect(h2.recorded.edgeCalls).toEqual([]);
  });

  it('applies nothing when Kafka refuses the verdicts: 503, every case left open', async () => {
    const ids = await openCases(3);
    const h = apiHarness(db.sql, {
      now: () => NOW,
      emitFeedback: () => Promise.reject(new Error('broker down')),
    });
    const r = await bulk(h, { case_ids: ids, resolution: 'fraud' });
    expect(r.status).toBe(503);
    expect(await state(ids)).toEqual({ resolved: 0, audits: 0, deliveries: 0 });
    expect(h.recorded.edgeCalls).toEqual([]);
  });

  it('takes 500 cases in one request', async () => {
    const ids = await openCases(500);
    const h = apiHarness(db.sql, { now: () => NOW });
    const r = await bulk(h, { case_ids: ids, resolution: 'fraud' });
    expect(r.status).toBe(200);
    expect(await state(ids)).toEqual({ resolved: 500, audits: 500, deliveries: 500 });
    expect(h.recorded.feedback).toHaveLength(500);
  }, 120_000);
});
