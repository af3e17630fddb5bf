/**
 * Keyset pages whose boundary falls inside one millisecond: cursor times reach Postgres as text,
 * to the microsecond, so no row is skipped or repeated whatever the ids' order.
 */
import type { Page, TransactionSummary } from '@vigil/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiHarness, bearer, insertTransaction, startTestDb, type TestDb } from './test-support.js';

let db: TestDb;
beforeAll(async () => {
  db = await startTestDb();
  // Newest first is a (.000003), b (.000002), c (.000001): the ids ascend as the times descend, so
  // a cursor rounded to the millisecond would compare (x.000, 'a') and lose b and c.
  for (const [id, us] of [
    ['a', 3],
    ['b', 2],
    ['c', 1],
  ] as const) {
    await insertTransaction(db.sql, { transaction_id: `tx_us_${id}` });
    await db.sql`UPDATE transactions
                 SET scored_at = '2026-04-01T10:00:00Z'::timestamptz + ${us} * interval '1 microsecond'
                 WHERE transaction_id = ${`tx_us_${id}`}`;
  }
}, 60_000);
afterAll(() => db.stop());

it('pages one row at a time through three decisions in one millisecond', async () => {
  const h = apiHarness(db.sql);
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 5; i++) {
    const res = await h.root.request(
      `/api/transactions?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`,
      { headers: bearer() },
    );
    expect(res.status).toBe(200);
    const page = (await res.json()) as Page<TransactionSummary>;
    seen.push(...page.items.map((t) => t.transaction_id));
    cursor = page.next_cursor;
    if (cursor === null) break;
  }
  expect(seen).toEqual(['tx_us_a', 'tx_us_b', 'tx_us_c']);
  await h.api.close();
});
