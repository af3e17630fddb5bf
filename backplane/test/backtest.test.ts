/**
 * POST /api/rules/backtest on a real PostgreSQL 15: the suite PGlite runs (backtest-api.suite.ts,
 * every count against an independent computation), and what only a server with concurrent
 * connections shows — a second backtest of the same analyst while the first runs is a 429 with
 * Retry-After, and the backtest's statement timeout ends one that cannot finish with a 503, while
 * the API's own pool keeps answering.
 */
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/adapters/postgres/migrate.js';
import {
  backtestCall,
  checkBacktestApi,
  checkVelocityBacktest,
  FROM,
  TO,
} from '../src/api/rules/backtest-api.suite.js';
import { apiHarness, bearer } from '../src/api/test-support.js';
import { createDatabase } from './support/services.js';

let url: string;
let sql: Sql;
const pools: Sql[] = [];

/** A backtest pool as main.ts opens it: one connection, its own name, a statement timeout. */
function backtestPool(name: string, timeoutMs: number): Sql {
  const p = postgres(url, {
    max: 1,
    onnotice: () => undefined,
    connection: { application_name: name, statement_timeout: timeoutMs },
  });
  pools.push(p);
  return p;
}

beforeAll(async () => {
  url = await createDatabase(`backtest_${Date.now().toString(36)}`);
  sql = postgres(url, { max: 4, onnotice: () => undefined });
  await migrate(sql);
});
afterAll(async () => {
  for (const p of pools) await p.end({ timeout: 1 });
  await sql?.end({ timeout: 1 });
});

/** Wait until a session of `name` waits on a lock (bounded: 400 looks, then fail). */
async function waitForLockWait(name: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const [r] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE application_name = ${name} AND wait_event_type = 'Lock'`;
    if (r!.n > 0) return;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`no session of ${name} ever waited on a lock`);
}

const BODY = { expression: 'tx.amount > 500.0', action: 'review' } as const;

describe('POST /api/rules/backtest on PostgreSQL 15', () => {
  it('counts every decision as an independent computation does', async () => {
    const h = apiHarness(sql, {
      backtest: {
        sql: backtestPool('vigil-backtest-suite', 60_000),
        timeoutMs: 60_000,
        pageRows: 7,
      },
    });
    await checkBacktestApi(h.root, sql, 'pg');
    await checkVelocityBacktest(h.root, sql, 'pg');
  });

  it('runs one backtest per analyst: a second meanwhile is a 429 with Retry-After', async () => {
    const name = 'vigil-backtest-429';
    const h = apiHarness(sql, { backtest: { sql: backtestPool(name, 60_000), timeoutMs: 60_000 } });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    // Another session holds the ruleset table, so the first backtest waits for it.
    const holder = sql.begin(async (tx) => {
      await tx`LOCK TABLE rulesets IN ACCESS EXCLUSIVE MODE`;
      locked();
      await held;
    });
    await isLocked;
    const first = backtestCall(h.root, { ...BODY, from: FROM.toISOString(), to: TO.toISOString() });
    await waitForLockWait(name);
    const second = await backtestCall(h.root, BODY);
    expect(second.status).toBe(429);
    expect(second.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(second.body.detail).toMatch(/one at a time/);
    // The API's own pool is not the backtest's: the dashboard's reads go on meanwhile.
    const list = await h.root.request('/api/transactions?limit=1', { headers: bearer() });
    expect(list.status).toBe(200);
    release();
    await holder;
    const done = await first;
    expect(done.status).toBe(200);
    expect(done.body.evaluated).toBeGreaterThan(0);
    // Once it is done, the next one runs.
    expect((await backtestCall(h.root, BODY)).status).toBe(200);
  });

  it('ends a backtest past its statement timeout with a 503, not a hang', async () => {
    const name = 'vigil-backtest-timeout';
    const h = apiHarness(sql, { backtest: { sql: backtestPool(name, 300), timeoutMs: 300 } });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = sql.begin(async (tx) => {
      await tx`LOCK TABLE rulesets IN ACCESS EXCLUSIVE MODE`;
      locked();
      await held;
    });
    await isLocked;
    try {
      const a = await backtestCall(h.root, BODY);
      expect(a.status).toBe(503);
      expect(a.body.detail).toMatch(/VIGIL_BACKTEST_TIMEOUT_MS/);
    } finally {
      release();
      await holder;
    }
    // The analyst is free again once it ended.
    expect((await backtestCall(h.root, BODY)).status).toBe(200);
  });
});
