/**
 * Thresholds on a real PostgreSQL 15 (issue 16): the suite PGlite runs — the preview checked
 * against a plain computation over a known set of decisions, bounded as the backtest (one read per
 * analyst across both routes, 503 past the limit), thresholds set with their audit rows and handed
 * to the edges' sync — and what only a server with concurrent connections shows: the preview's
 * reads on the backtest's pool end at its statement timeout with a 503 while the API's pool
 * answers.
 */
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPreviewBounds } from '../src/api/thresholds/preview-bounds.suite.js';
import { checkThresholdsApi } from '../src/api/thresholds/thresholds-api.suite.js';
import { apiHarness, bearer } from '../src/api/test-support.js';
import { createDatabase } from './support/services.js';
import { migrate } from '../src/adapters/postgres/migrate.js';

let url: string;
let sql: Sql;
const pools: Sql[] = [];

beforeAll(async () => {
  url = await createDatabase(`thresholds_${Date.now().toString(36)}`);
  sql = postgres(url, { max: 4, onnotice: () => undefined });
  await migrate(sql);
});
afterAll(async () => {
  for (const p of pools) await p.end({ timeout: 1 });
  await sql?.end({ timeout: 1 });
});

describe('thresholds on PostgreSQL 15', () => {
  it('previews, sets, audits and syncs thresholds per model version', async () => {
    const now = new Date();
    await checkThresholdsApi(apiHarness(sql, { now: () => now }).root, sql, 'pg', now);
  }, 60_000);

  it('bounds the preview as the backtest: one read per analyst across both (429), 503 past the limit', async () => {
    await checkPreviewBounds(sql, 'pg');
  }, 60_000);

  it('reads the preview on the backtest pool: its statement timeout ends one with a 503', async () => {
    // A backtest pool as main.ts opens it: one connection, a statement timeout.
    const pool = postgres(url, {
      max: 1,
      onnotice: () => undefined,
      connection: { application_name: 'vigil-preview-timeout', statement_timeout: 300 },
    });
    pools.push(pool);
    const { root } = apiHarness(sql, { backtest: { sql: pool, timeoutMs: 300 } });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    // Another session holds the decisions, so the preview's read waits past its timeout.
    const holder = sql.begin(async (tx) => {
      await tx`LOCK TABLE transactions IN ACCESS EXCLUSIVE MODE`;
      locked();
      await held;
    });
    await isLocked;
    const body = JSON.stringify({ review: 0.3, decline: 0.7, model_version: 'gbdt-test' });
    try {
      const res = await root.request('/api/thresholds/preview', {
        method: 'POST',
        headers: bearer(),
        body,
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await res.json()) as { detail: string }).detail).toMatch(
        /preview ran past its limit of 300 ms \(VIGIL_BACKTEST_TIMEOUT_MS\)/,
      );
      // The API's own pool is not the preview's: the dashboard's thresholds page still loads.
      const list = await root.request('/api/thresholds', { headers: bearer() });
      expect(list.status).toBe(200);
    } finally {
      release();
      await holder;
    }
    const again = await root.request('/api/thresholds/preview', {
      method: 'POST',
      headers: bearer(),
      body,
    });
    expect(again.status).toBe(200);
  });
});
