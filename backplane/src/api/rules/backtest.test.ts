/**
 * POST /api/rules/backtest on PGlite: the suite's known decisions, labels and lists checked
 * against an independent computation (backtest-api.suite.ts), in pages of 7 rows so that pages
 * end between rows scored at the same instant; bad input; the default window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, insertMany, startTestDb, type TestDb } from '../test-support.js';
import {
  BAD_BACKTESTS,
  backtestCall,
  checkBacktestApi,
  checkVelocityBacktest,
} from './backtest-api.suite.js';

let db: TestDb;
const NOW = new Date('2031-01-20T00:00:00.000Z');

beforeAll(async () => {
  db = await startTestDb();
}, 60_000);
afterAll(() => db.stop());

const harness = () =>
  apiHarness(db.sql, {
    now: () => NOW,
    backtest: { sql: db.sql, timeoutMs: 60_000, pageRows: 7 },
  });

describe('POST /api/rules/backtest on PGlite', () => {
  it('counts every decision as an independent computation does', async () => {
    await checkBacktestApi(harness().root, db.sql, 'pgl');
  });

  it('recomputes velocity from the stored transactions in event-time order', async () => {
    await checkVelocityBacktest(harness().root, db.sql, 'pgl');
  });

  it.each(BAD_BACKTESTS)(
    'refuses %s with a 400 naming the field',
    async (_, body, path, message) => {
      const a = await backtestCall(harness().root, body);
      expect(a.status).toBe(400);
      expect(a.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const errors = a.body.errors as { path: string; message: string }[];
      expect(errors.map((e) => e.path)).toContain(path);
      if (message) expect(errors.find((e) => e.path === path)!.message).toMatch(message);
    },
  );

  it('defaults to the last 30 days of scored_at before now', async () => {
    await insertMany(db.sql, [
      { transaction_id: 'dw_in', amount: 900, scored_at: new Date(NOW.getTime() - 86_400_000) },
      { transaction_id: 'dw_old', amount: 900, scored_at: new Date('2030-12-01T00:00:00Z') },
    ]);
    const a = await backtestCall(harness().root, {
      expression: 'tx.transaction_id.startsWith("dw_")',
      action: 'review',
    });
    expect(a.status).toBe(200);
    expect(a.body.window).toEqual({
      from: '2030-12-21T00:00:00.000Z',
      to: NOW.toISOString(),
    });
    expect(a.body).toMatchObject({ matched: 1, examples: [{ transaction_id: 'dw_in' }] });
  });

  it('pages exactly across rows microseconds apart, one row a page', async () => {
    await insertMany(db.sql, [
      { transaction_id: 'us_a', scored_at: new Date('2031-01-18T00:00:00Z') },
      { transaction_id: 'us_b', scored_at: new Date('2031-01-18T00:00:00Z') },
      { transaction_id: 'us_c', scored_at: new Date('2031-01-18T00:00:00Z') },
      { transaction_id: 'us_d', scored_at: new Date('2031-01-18T00:00:00Z') },
    ]);
    // Postgres keeps µs, a JS Date only ms: set them in SQL.
    await db.sql`UPDATE transactions SET scored_at = scored_at + interval '1 microsecond'
                 WHERE transaction_id IN ('us_b', 'us_c')`;
    await db.sql`UPDATE transactions SET scored_at = scored_at + interval '2 microseconds'
                 WHERE transaction_id = 'us_d'`;
    const h = apiHarness(db.sql, { backtest: { sql: db.sql, timeoutMs: 60_000, pageRows: 1 } });
    const a = await backtestCall(h.root, {
      expression: 'tx.transaction_id.startsWith("us_")',
      action: 'review',
      from: '2031-01-18T00:00:00Z',
      to: '2031-01-18T00:00:01Z',
    });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ evaluated: 4, matched: 4 });
    expect((a.body.examples as { transaction_id: string }[]).map((e) => e.transaction_id)).toEqual([
      'us_d',
      'us_c',
      'us_b',
      'us_a',
    ]);
  });
});
