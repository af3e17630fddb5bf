/**
 * "Next case" on a real PostgreSQL 15 with a pool of connections: analysts asking at the same
 * moment each get a different case (FOR UPDATE SKIP LOCKED), and those past the last get a 404.
 */
import type { Case } from '@vigil/core';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, bearer, insertTransaction, type ApiHarness } from '../src/api/test-support.js';
import { freshMigratedDatabase } from './support/services.js';

const OPEN = 15;
const CALLERS = 24;
let sql: Sql;
let h: ApiHarness;

beforeAll(async () => {
  sql = await freshMigratedDatabase('next_case', 12);
  for (let i = 0; i < OPEN; i++) {
    await insertTransaction(sql, {
      transaction_id: `tx_next_${i}`,
      decision: i % 2 === 0 ? 'review' : 'decline',
      score: 0.5 + i / 100,
      amount: 100 + (i % 4),
    });
  }
  h = apiHarness(sql);
});
afterAll(async () => {
  await h?.api.close();
  await sql?.end({ timeout: 1 });
});

describe('POST /api/cases/next under concurrency', () => {
  it('gives each of many simultaneous callers a different case, then 404', async () => {
    const answers = await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        const res = await h.root.request('/api/cases/next', {
          method: 'POST',
          headers: bearer(),
          body: JSON.stringify({ sort: '-risk' }),
        });
        return { status: res.status, body: (await res.json()) as Case };
      }),
    );
    const taken = answers.filter((a) => a.status === 200).map((a) => a.body.case_id);
    expect(taken).toHaveLength(OPEN);
    expect(new Set(taken).size).toBe(OPEN);
    expect(answers.filter((a) => a.status === 404)).toHaveLength(CALLERS - OPEN);
    const rows = await sql`SELECT status, version FROM cases`;
    expect(rows.every((r) => r.status === 'assigned' && r.version === 2)).toBe(true);
    const [audits] =
      await sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'case.assign'`;
    expect(audits!.n).toBe(OPEN);
  });
});
