import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import {
  REASON_CODES,
  type Page,
  type TransactionDetail,
  type TransactionSummary,
} from '@vigil/core';
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
let h: ApiHarness;
const T0 = Date.parse('2026-02-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);

beforeAll(async () => {
  db = await startTestDb();
  h = apiHarness(db.sql);
  // 30 decisions, one per second; every third a review, every fifth a decline (the latter wins).
  for (let i = 0; i < 30; i++) {
    const decision = i % 5 === 0 ? 'decline' : i % 3 === 0 ? 'review' : 'approve';
    await insertTransaction(db.sql, {
      transaction_id: `tx_l_${String(i).padStart(2, '0')}`,
      ts: at(i),
      scored_at: at(i),
      customer_id: `c_l_${i % 3}`,
      terminal_id: `t_l_${i % 4}`,
      score: i / 30,
      decision,
      label: i === 7 ? 'fraud' : i === 8 ? 'legitimate' : null,
    });
  }
  // Two decisions in the same millisecond, apart by a microsecond: a page boundary between them.
  await db.sql`UPDATE transactions SET scored_at = ${at(29)} WHERE transaction_id = 'tx_l_28'`;
  await db.sql`UPDATE transactions SET scored_at = scored_at + interval '1 microsecond'
               WHERE transaction_id = 'tx_l_29'`;
}, 60_000);
afterAll(() => db.stop());

async function get<T>(path: string): Promise<{ status: number; body: T; type: string | null }> {
  const res = await h.root.request(path, { headers: bearer() });
  return {
    status: res.status,
    body: (await res.json()) as T,
    type: res.headers.get('content-type'),
  };
}

const ids = (p: Page<TransactionSummary>) => p.items.map((t) => t.transaction_id);

describe('GET /api/transactions', () => {
  it('lists newest decision first, summary fields included', async () => {
    const { status, body } = await get<Page<TransactionSummary>>('/api/transactions?limit=3');
    expect(status).toBe(200);
    expect(ids(body)).toEqual(['tx_l_29', 'tx_l_28', 'tx_l_27']);
    expect(body.items[0]).toEqual({
      transaction_id: 'tx_l_29',
      timestamp: at(29).toISOString(),
      customer_id: 'c_l_2',
      terminal_id: 't_l_1',
      amount: 10,
      currency: 'EUR',
      score: 29 / 30,
      decision: 'approve',
      degraded: false,
      scored_at: at(29).toISOString(),
      label: null,
      case_id: null,
      case_status: null,
      reasons: [
        {
          code: 'AMOUNT_HIGH',
          feature: 'amount',
          contribution: 0.5,
          message: REASON_CODES.amount.message,
        },
      ],
    });
    expect(body.next_cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('pages through everything with the cursor, no row skipped or repeated', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : '';
      const { body } = await get<Page<TransactionSummary>>(`/api/transactions?limit=7${q}`);
      seen.push(...ids(body));
      cursor = body.next_cursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(5);
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
  });

  it('keeps microseconds in the cursor: rows within one millisecond are not skipped', async () => {
    const first = await get<Page<TransactionSummary>>('/api/transactions?limit=1');
    expect(ids(first.body)).toEqual(['tx_l_29']);
    const next = await get<Page<TransactionSummary>>(
      `/api/transactions?limit=1&cursor=${first.body.next_cursor}`,
    );
    expect(ids(next.body)).toEqual(['tx_l_28']);
  });

  it('filters by decision, score range, customer, terminal, label and time', async () => {
    const dec = await get<Page<TransactionSummary>>('/api/transactions?decision=decline&limit=500');
    expect(ids(dec.body)).toEqual([
      'tx_l_25',
      'tx_l_20',
      'tx_l_15',
      'tx_l_10',
      'tx_l_05',
      'tx_l_00',
    ]);
    expect(dec.body.items[0]!.case_id).toBe('case_tx_l_25');
    const two = await get<Page<TransactionSummary>>('/api/transactions?decision=review,decline');
    expect(two.body.items.every((t) => t.decision !== 'approve')).toBe(true);
    expect(two.body.items).toHaveLength(14);

    const scores = await get<Page<TransactionSummary>>(
      '/api/transactions?min_score=0.5&max_score=0.6',
    );
    expect(ids(scores.body)).toEqual(['tx_l_18', 'tx_l_17', 'tx_l_16', 'tx_l_15']);

    const who = await get<Page<TransactionSummary>>(
      '/api/transactions?customer_id=c_l_1&terminal_id=t_l_3',
    );
    expect(ids(who.body)).toEqual(['tx_l_19', 'tx_l_07']);

    const fraud = await get<Page<TransactionSummary>>('/api/transactions?label=fraud');
    expect(ids(fraud.body)).toEqual(['tx_l_07']);
    const none = await get<Page<TransactionSummary>>('/api/transactions?label=none&limit=500');
    expect(none.body.items).toHaveLength(28);

    const from = encodeURIComponent(at(10).toISOString());
    const to = encodeURIComponent(at(13).toISOString());
    const time = await get<Page<TransactionSummary>>(`/api/transactions?from=${from}&to=${to}`);
    expect(ids(time.body)).toEqual(['tx_l_12', 'tx_l_11', 'tx_l_10']);
  });

  it.each([
    ['limit=0', '/limit'],
    ['limit=501', '/limit'],
    ['limit=abc', '/limit'],
    ['min_score=1.5', '/min_score'],
    ['max_score=', '/max_score'],
    ['min_score=0.9&max_score=0.1', '/min_score'],
    ['decision=approve,maybe', '/decision'],
    ['from=yesterday', '/from'],
    ['label=maybe', '/label'],
    ['customer_id=a%20b', '/customer_id'],
    ['cursor=not-a-cursor', '/cursor'],
    ['limit=1&limit=2', '/limit'],
    ['__proto__=1', '/__proto__'],
    ['limit=1&__proto__=1', '/__proto__'],
    ['colour=red', '/colour'],
  ])('refuses %s with a 400 naming %s', async (query, path) => {
    const { status, body, type } = await get<{ errors: { path: string }[]; status: number }>(
      `/api/transactions?${query}`,
    );
    expect(status).toBe(400);
    expect(type).toBe('application/problem+json');
    expect(body.errors.map((e) => e.path)).toContain(path);
  });

  it('refuses a cursor of another list', async () => {
    const cases = await get<Page<unknown>>('/api/cases?limit=1');
    expect(cases.body.next_cursor).not.toBeNull();
    const { status } = await get(`/api/transactions?cursor=${cases.body.next_cursor}`);
    expect(status).toBe(400);
  });
});

describe('GET /api/transactions/{transaction_id}', () => {
  it('answers 404 problem until the decision is in Postgres', async () => {
    const { status, type } = await get('/api/transactions/tx_not_yet');
    expect(status).toBe(404);
    expect(type).toBe('application/problem+json');
    expect((await get('/api/transactions/bad%20id')).status).toBe(400);
  });

  it('shows the transaction with reasons, features, feedback, case and history', async () => {
    await db.sql`INSERT INTO feedback (event_id, transaction_id, label, ts, source, actor, case_id)
                 VALUES ('fb:tx_l_15:fraud:x', 'tx_l_15', 'fraud', ${at(100)}, 'analyst', 'Ada',
                         'case_tx_l_15')`;
    await db.sql`INSERT INTO case_comments (case_id, author, body, created_at)
                 VALUES ('case_tx_l_15', 'Ada', 'looks stolen', ${at(90)})`;
    const { status, body } = await get<TransactionDetail>('/api/transactions/tx_l_15');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      transaction_id: 'tx_l_15',
      decision: 'decline',
      model_version: 'gbdt-test',
      runtime: 'node',
      latency_ms: 1,
      channel: null,
      features: { amount: 10, hour_of_day: 12 },
      reasons: [
        {
          code: 'AMOUNT_HIGH',
          feature: 'amount',
          contribution: 0.5,
          message: 'The amount is high for a card payment.',
        },
      ],
      feedback: [
        {
          event_id: 'fb:tx_l_15:fraud:x',
          label: 'fraud',
          timestamp: at(100).toISOString(),
          source: 'analyst',
          actor: 'Ada',
        },
      ],
      case: {
        case_id: 'case_tx_l_15',
        status: 'open',
        version: 1,
        decision: 'decline',
        comments: [{ author: 'Ada', body: 'looks stolen', created_at: at(90).toISOString() }],
      },
    });
    // c_l_0 paid at 0, 3, 6, 9, 12 before 15; t_l_3 at 3, 7, 11.
    expect(body.history.customer.map((t) => t.transaction_id)).toEqual([
      'tx_l_12',
      'tx_l_09',
      'tx_l_06',
      'tx_l_03',
      'tx_l_00',
    ]);
    expect(body.history.terminal.map((t) => t.transaction_id)).toEqual([
      'tx_l_11',
      'tx_l_07',
      'tx_l_03',
    ]);
  });

  it('keeps history to the latest 10', async () => {
    const { body } = await get<TransactionDetail>('/api/transactions/tx_l_29');
    expect(body.history.customer).toHaveLength(9);
    expect(body.case).toBeNull();
    const many = await get<TransactionDetail>('/api/transactions/tx_l_28');
    expect(many.body.history.customer.length).toBeLessThanOrEqual(10);
  });
});

describe('a database outage', () => {
  it('answers 503 problem with Retry-After, then recovers', async () => {
    const other = await startTestDb();
    const h2 = apiHarness(other.sql);
    expect((await h2.root.request('/api/transactions', { headers: bearer() })).status).toBe(200);
    await other.server.stop();
    const res = await h2.root.request('/api/transactions', { headers: bearer() });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    // Back on the same port: the pool reconnects on the next request.
    const port = Number(new URL(other.url).port);
    const again = new PGLiteSocketServer({ db: other.pglite, host: '127.0.0.1', port });
    await again.start();
    expect((await h2.root.request('/api/transactions', { headers: bearer() })).status).toBe(200);
    await again.stop();
    await other.sql.end({ timeout: 1 });
    await other.pglite.close();
  });
});
