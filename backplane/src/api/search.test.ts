import type { Page, SearchResult, TransactionSummary } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prefixEnd } from './search-queries.js';
import { apiHarness, bearer, insertTransaction, startTestDb, type TestDb } from './test-support.js';

let db: TestDb;
const T0 = Date.parse('2026-04-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);

beforeAll(async () => {
  db = await startTestDb();
  // Cards c_ab1 (3 tx), c_ab2 (1), c_abz (1), c_b (1) … and twelve cards c_many_NN; terminals alike.
  const rows: [string, string, string, number][] = [
    ['tx_ab', 'c_ab1', 't_x1', 1],
    ['tx_ab_2', 'c_ab1', 't_x1', 2],
    ['tx_ab_3', 'c_ab1', 't_x2', 3],
    ['tx_abc', 'c_ab2', 't_x2', 4],
    ['tx_b', 'c_abz', 't_y', 5],
    ['tx_c', 'c_b', 't_y', 6],
    // Sorts after 'tx_ab' in a linguistic collation that ignores punctuation; not a prefix match.
    ['txab', 'c_b', 't_y', 7],
  ];
  for (const [id, customer, terminal, s] of rows) {
    await insertTransaction(db.sql, {
      transaction_id: id,
      customer_id: customer,
      terminal_id: terminal,
      ts: at(s),
      scored_at: at(s),
      decision: s === 4 ? 'review' : 'approve',
    });
  }
  for (let i = 0; i < 12; i++) {
    await insertTransaction(db.sql, {
      transaction_id: `tx_many_${String(i).padStart(2, '0')}`,
      customer_id: `c_many_${String(i).padStart(2, '0')}`,
      terminal_id: `t_many_${String(i).padStart(2, '0')}`,
      ts: at(100 + i),
    });
  }
}, 60_000);
afterAll(() => db.stop());

async function get<T>(path: string) {
  const h = apiHarness(db.sql);
  const res = await h.root.request(path, { headers: bearer() });
  return { status: res.status, body: (await res.json()) as T };
}

describe('GET /api/search', () => {
  it('finds transactions by prefix, the exact id first, with decision, label and case', async () => {
    const { status, body } = await get<SearchResult>('/api/search?q=tx_ab');
    expect(status).toBe(200);
    expect(body.q).toBe('tx_ab');
    expect(body.transactions.map((t) => t.transaction_id)).toEqual([
      'tx_ab',
      'tx_ab_2',
      'tx_ab_3',
      'tx_abc',
    ]);
    const review = body.transactions.find((t) => t.transaction_id === 'tx_abc')!;
    expect(review).toMatchObject({
      decision: 'review',
      label: null,
      case_id: 'case_tx_abc',
      case_status: 'open',
    });
    expect(body.customers).toEqual([]);
    expect(body.terminals).toEqual([]);
  });

  it('finds cards and terminals by prefix with their count and latest time', async () => {
    const { body } = await get<SearchResult>('/api/search?q=c_ab');
    expect(body.customers).toEqual([
      { customer_id: 'c_ab1', count: 3, last_at: at(3).toISOString() },
      { customer_id: 'c_ab2', count: 1, last_at: at(4).toISOString() },
      { customer_id: 'c_abz', count: 1, last_at: at(5).toISOString() },
    ]);
    expect(body.transactions).toEqual([]);
    const t = await get<SearchResult>('/api/search?q=t_x');
    expect(t.body.terminals).toEqual([
      { terminal_id: 't_x1', count: 2, last_at: at(2).toISOString() },
      { terminal_id: 't_x2', count: 2, last_at: at(4).toISOString() },
    ]);
  });

  it('answers an exact card id as its one match', async () => {
    const { body } = await get<SearchResult>('/api/search?q=c_ab2');
    expect(body.customers).toEqual([
      { customer_id: 'c_ab2', count: 1, last_at: at(4).toISOString() },
    ]);
  });

  it('stops at ten matches per kind', async () => {
    const { body } = await get<SearchResult>('/api/search?q=c_many_');
    expect(body.customers.map((c) => c.customer_id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `c_many_${String(i).padStart(2, '0')}`),
    );
    const tx = await get<SearchResult>('/api/search?q=tx_many');
    expect(tx.body.transactions).toHaveLength(10);
  });

  it('finds nothing for an id nobody has', async () => {
    const { status, body } = await get<SearchResult>('/api/search?q=zzz');
    expect(status).toBe(200);
    expect(body).toEqual({ q: 'zzz', transactions: [], customers: [], terminals: [] });
  });

  it("lists a card's transactions newest first, with case status and reasons", async () => {
    const { body } = await get<Page<TransactionSummary>>('/api/transactions?customer_id=c_ab1');
    expect(body.items.map((t) => t.transaction_id)).toEqual(['tx_ab_3', 'tx_ab_2', 'tx_ab']);
    expect(body.items[0]!.reasons[0]).toMatchObject({ code: 'AMOUNT_HIGH', feature: 'amount' });
    expect(body.items[0]!.reasons[0]!.message).toMatch(/\w/);
  });
});

describe('prefixEnd', () => {
  it('is the first string past every string with the prefix', () => {
    expect(prefixEnd('c_a')).toBe('c_b');
    expect(prefixEnd('z')).toBe('{');
    expect(prefixEnd('tx-')).toBe('tx.');
  });
});
