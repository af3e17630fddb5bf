import { CASE_SORTS, type Case, type CaseSort, type Page } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, bearer, insertTransaction, startTestDb, type TestDb } from './test-support.js';

let db: TestDb;
const T0 = Date.parse('2026-05-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const NOW = new Date('2026-05-02T00:00:00Z');

interface Seed {
  id: string;
  decision: 'review' | 'decline';
  score: number;
  amount: number;
  opened: number;
  status: 'open' | 'assigned' | 'resolved';
}
const seeds: Seed[] = [];

beforeAll(async () => {
  db = await startTestDb();
  // 40 cases; ties on purpose (same score, same amount, same opened_at) so pages must break them.
  for (let i = 0; i < 40; i++) {
    const s: Seed = {
      id: `tx_k_${String(i).padStart(2, '0')}`,
      decision: i % 3 === 0 ? 'decline' : 'review',
      score: [0.5, 0.7, 0.9, 0.7][i % 4]!,
      amount: [10, 250, 40, 250, 999.99][i % 5]!,
      opened: Math.floor(i / 2),
      status: i % 7 === 0 ? 'resolved' : i % 5 === 1 ? 'assigned' : 'open',
    };
    seeds.push(s);
    await insertTransaction(db.sql, {
      transaction_id: s.id,
      ts: at(s.opened),
      scored_at: at(s.opened),
      decision: s.decision,
      score: s.score,
      amount: s.amount,
    });
  }
  await db.sql`UPDATE cases SET status = 'resolved', resolution = 'fraud'
               WHERE transaction_id IN ${db.sql(seeds.filter((s) => s.status === 'resolved').map((s) => s.id))}`;
  await db.sql`UPDATE cases SET status = 'assigned', assignee = 'Ada'
               WHERE transaction_id IN ${db.sql(seeds.filter((s) => s.status === 'assigned').map((s) => s.id))}`;
}, 60_000);
afterAll(() => db.stop());

function harness() {
  return apiHarness(db.sql, { now: () => NOW });
}

async function get<T>(path: string) {
  const res = await harness().root.request(path, { headers: bearer() });
  return { status: res.status, body: (await res.json()) as T };
}

/** The order each sort promises, computed here from the seeds alone. */
function expected(sort: CaseSort, keep: (s: Seed) => boolean): string[] {
  const key = (s: Seed): number =>
    sort === '-risk'
      ? s.score * s.amount
      : sort === '-score'
        ? s.score
        : sort === '-amount'
          ? s.amount
          : s.opened;
  const desc = sort !== 'opened_at';
  const caseId = (s: Seed) => `case_${s.id}`;
  return seeds
    .filter(keep)
    .sort((a, b) => {
      const rank = Number(a.status === 'resolved') - Number(b.status === 'resolved');
      if (rank !== 0) return rank;
      const d = key(a) - key(b);
      if (d !== 0) return desc ? -d : d;
      return (caseId(a) < caseId(b) ? -1 : 1) * (desc ? -1 : 1);
    })
    .map(caseId);
}

async function allPages(query: string, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const c: string = cursor === null ? '' : `&cursor=${cursor}`;
    const { status, body } = await get<Page<Case>>(`/api/cases?${query}&limit=${limit}${c}`);
    expect(status).toBe(200);
    seen.push(...body.items.map((x) => x.case_id));
    cursor = body.next_cursor;
    pages++;
  } while (cursor !== null && pages < 100);
  return seen;
}

describe('GET /api/cases?sort=…', () => {
  it.each(CASE_SORTS)(
    'pages through every case in %s order, none skipped or repeated',
    async (sort) => {
      expect(await allPages(`sort=${sort}`, 3)).toEqual(expected(sort, () => true));
    },
  );

  it.each(CASE_SORTS)('pages the open review queue in %s order', async (sort) => {
    const got = await allPages(`sort=${sort}&status=open,assigned&decision=review`, 4);
    expect(got).toEqual(expected(sort, (s) => s.status !== 'resolved' && s.decision === 'review'));
    expect(got.length).toBeGreaterThan(10);
  });

  it('filters by a decision list', async () => {
    const got = await allPages('sort=-amount&decision=decline', 50);
    expect(got).toEqual(expected('-amount', (s) => s.decision === 'decline'));
    const both = await allPages('sort=-amount&decision=review,decline', 50);
    expect(both).toEqual(expected('-amount', () => true));
    expect(await allPages('decision=approve', 50)).toEqual([]);
  });

  it("carries each case's transaction amount, currency, score and decision", async () => {
    const { body } = await get<Page<Case>>('/api/cases?sort=-risk&limit=1&status=open');
    const top = expected('-risk', (s) => s.status === 'open')[0]!;
    const seed = seeds.find((s) => `case_${s.id}` === top)!;
    expect(body.items[0]).toMatchObject({
      case_id: top,
      amount: seed.amount,
      currency: 'EUR',
      score: seed.score,
      decision: seed.decision,
    });
  });

  it('refuses a cursor of another sort, naming /cursor', async () => {
    const first = await get<Page<Case>>('/api/cases?sort=-score&limit=2');
    const res = await get<{ errors: { path: string }[] }>(
      `/api/cases?sort=-amount&cursor=${first.body.next_cursor}`,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.path)).toEqual(['/cursor']);
  });
});

describe('POST /api/cases/next', () => {
  async function next(body: unknown, who = 'next-tester') {
    const h = harness();
    const res = await h.root.request('/api/cases/next', {
      method: 'POST',
      headers: bearer(),
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Case, live: h.recorded.live, who };
  }

  it('assigns the top unassigned open decline by amount, then the next, then 404', async () => {
    const order = expected('-amount', (s) => s.status === 'open' && s.decision === 'decline');
    expect(order.length).toBeGreaterThan(2);
    const got: string[] = [];
    for (let i = 0; i < order.length; i++) {
      const r = await next({ decision: ['decline'], sort: '-amount' });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ status: 'assigned', assignee: 'api', decision: 'decline' });
      expect(r.live).toHaveLength(1);
      got.push(r.body.case_id);
    }
    expect(got).toEqual(order);
    const none = await next({ decision: ['decline'], sort: '-amount' });
    expect(none.status).toBe(404);
    const [audit] = await db.sql`
      SELECT actor, action, after FROM audit_log WHERE target = ${'case:' + got[0]!}`;
    expect(audit).toMatchObject({ action: 'case.assign', after: { status: 'assigned' } });
  });

  it('defaults to every decision by risk × amount', async () => {
    const top = expected('-risk', (s) => s.status === 'open' && s.decision === 'review')[0];
    const r = await next({});
    expect(r.status).toBe(200);
    expect(r.body.case_id).toBe(top);
  });
});
