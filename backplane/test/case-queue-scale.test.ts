/**
 * The queue by priority and search at scale, on a real PostgreSQL 15: 100k open cases (and 100k
 * more resolved) among 300k transactions. Each view's statement, exactly as the API sent it, must
 * be planned through its index of migration 009 — checked with EXPLAIN, not by a clock (the times
 * are printed for the record: bench/ is where speed is judged).
 */
import type { Case, Page, SearchResult } from '@vigil/core';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, bearer, type ApiHarness } from '../src/api/test-support.js';
import { migrate } from '../src/adapters/postgres/migrate.js';
import { createDatabase } from './support/services.js';

const N = 300_000;
let sql: Sql;
let traced: Sql;
let h: ApiHarness;
/** Every statement the API sent, with its parameters (postgres.js's debug hook). */
const sent: { query: string; params: unknown[] }[] = [];

beforeAll(async () => {
  const url = await createDatabase(`case_queue_scale_${Date.now().toString(36)}`);
  sql = postgres(url, { max: 2, onnotice: () => undefined });
  await migrate(sql);
  // One in three approved; the others open a case (decisions alternate review, decline, review…);
  // every other case resolved, so 100k open ones.
  await sql`
    INSERT INTO transactions (transaction_id, event_id, ts, customer_id, terminal_id, amount,
      currency, score, decision, reasons, features, model_version, degraded, scored_at, runtime,
      latency_ms)
    SELECT 'tx_' || i, 'dec:tx_' || i, t, 'c_' || (i % 50000), 't_' || (i % 5000),
      round((i * 7919 % 100000) / 100.0, 2), 'EUR', (i * 104729 % 1000) / 1000.0,
      CASE WHEN i % 3 = 0 THEN 'approve' WHEN i % 3 = 1 THEN 'review' ELSE 'decline' END,
      '[]', '{}', 'gbdt-test', false, t, 'node', 1
    FROM generate_series(1::bigint, ${N}) AS i,
      LATERAL (SELECT timestamptz '2026-01-01' + i * interval '1 second' AS t) x`;
  await sql`
    INSERT INTO cases (case_id, transaction_id, status, resolution, opened_at, updated_at,
      decision, score, amount)
    SELECT 'case_' || transaction_id, transaction_id,
      CASE WHEN n % 2 = 0 THEN 'resolved' ELSE 'open' END,
      CASE WHEN n % 2 = 0 THEN 'fraud' END, scored_at, scored_at, decision, score, amount
    FROM (SELECT t.*, row_number() OVER () AS n FROM transactions t
          WHERE decision <> 'approve') c`;
  await sql`ANALYZE`;
  traced = postgres(url, {
    max: 2,
    onnotice: () => undefined,
    debug: (_conn, query, params) => sent.push({ query, params: params as unknown[] }),
  });
  h = apiHarness(traced);
}, 300_000);
afterAll(async () => {
  await h?.api.close();
  await traced?.end({ timeout: 1 });
  await sql?.end({ timeout: 1 });
});

/** The indexes the plan of the last statement sent that matches `marker` reads. */
async function indexesOf(marker: string): Promise<string[]> {
  const last = sent.filter((q) => q.query.includes(marker)).at(-1);
  if (!last) throw new Error(`no statement with ${marker} was sent`);
  const [row] = await sql.unsafe(`EXPLAIN (FORMAT JSON) ${last.query}`, last.params as never[]);
  const names: string[] = [];
  JSON.stringify(row, (k, v: unknown) => {
    if (k === 'Index Name' && typeof v === 'string') names.push(v);
    return v;
  });
  return names;
}

async function timed<T>(path: string, init: RequestInit = {}): Promise<{ ms: number; body: T }> {
  const t = performance.now();
  const res = await h.root.request(path, { headers: bearer(), ...init });
  const body = (await res.json()) as T;
  expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(200);
  return { ms: performance.now() - t, body };
}

describe('the queue by priority over 100k open cases', () => {
  it('has 100k open cases', async () => {
    const [r] = await sql`SELECT count(*)::int AS n FROM cases WHERE status <> 'resolved'`;
    expect(r!.n).toBe(100_000);
  });

  it.each([
    ['-risk', 'cases_open_risk'],
    ['-score', 'cases_open_score'],
    ['-amount', 'cases_open_amount'],
    ['opened_at', 'cases_open_opened'],
    ['-opened_at', 'cases_open_opened'],
  ])('pages the open review queue by %s through %s', async (sort, index) => {
    const q = `/api/cases?status=open,assigned&decision=review&sort=${sort}&limit=50`;
    const first = await timed<Page<Case>>(q);
    const second = await timed<Page<Case>>(`${q}&cursor=${first.body.next_cursor}`);
    expect(first.body.items).toHaveLength(50);
    expect(second.body.items).toHaveLength(50);
    expect(first.body.items.every((c) => c.decision === 'review' && c.status === 'open')).toBe(
      true,
    );
    expect(await indexesOf('FROM cases c JOIN transactions t')).toContain(index);
    console.log(
      `GET ${q}: first page ${first.ms.toFixed(1)} ms, second ${second.ms.toFixed(1)} ms`,
    );
  });

  it('takes the next case through the risk index', async () => {
    const r = await timed<Case>('/api/cases/next', {
      method: 'POST',
      body: JSON.stringify({ decision: ['review'], sort: '-risk' }),
    });
    expect(r.body.status).toBe('assigned');
    expect(await indexesOf('FOR UPDATE SKIP LOCKED')).toContain('cases_open_risk');
    console.log(`POST /api/cases/next: ${r.ms.toFixed(1)} ms`);
  });

  it('searches cards, terminals and transactions by prefix through the byte-order indexes', async () => {
    const r = await timed<SearchResult>('/api/search?q=c_1234');
    expect(r.body.customers.map((c) => c.customer_id)).toContain('c_1234');
    expect(r.body.customers[0]!.count).toBe(6);
    expect(await indexesOf('customer_id" COLLATE')).toEqual(['transactions_customer_prefix']);
    expect(await indexesOf('terminal_id" COLLATE')).toEqual(['transactions_terminal_prefix']);
    expect(await indexesOf('t.transaction_id COLLATE')).toContain('transactions_id_prefix');
    console.log(`GET /api/search?q=c_1234: ${r.ms.toFixed(1)} ms`);
    const short = await timed<SearchResult>('/api/search?q=t_1');
    expect(short.body.terminals).toHaveLength(10);
    console.log(`GET /api/search?q=t_1: ${short.ms.toFixed(1)} ms`);
  });
});
