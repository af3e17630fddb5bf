/**
 * Rules and lists on a real PostgreSQL 15 (issue 15): the suites PGlite runs (the lists API with
 * its audit rows, the edges' sync, block-on-fraud through the consumer's write), and what only a
 * server with concurrent connections shows — list changes become visible in seq order, so an
 * edge's cursor never skips a change that commits late.
 */
import { RULES_SYNC_PATH, type RulesSyncAnswer } from '@vigil/core';
import { pino } from 'pino';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBlockOnFraud } from '../src/adapters/postgres/block-on-fraud.suite.js';
import { checkListsApi } from '../src/api/lists/lists-api.suite.js';
import { apiHarness, bearer, type ApiHarness } from '../src/api/test-support.js';
import { BackplaneMetrics } from '../src/http/backplane-metrics.js';
import { createBackplaneApp } from '../src/http/create-app.js';
import { nodeHmacSha256 } from '../src/http/node-hmac.js';
import { checkRulesSync } from '../src/rules-sync/rules-sync.suite.js';
import { signedHeaders } from '../src/testing/fixtures.js';
import { freshMigratedDatabase } from './support/services.js';

let sql: Sql;
let h: ApiHarness;

beforeAll(async () => {
  sql = await freshMigratedDatabase('rules_lists', 4);
  h = apiHarness(sql);
});
afterAll(async () => {
  await h?.api.close();
  await sql?.end({ timeout: 1 });
});

describe('rules and lists on PostgreSQL 15', () => {
  it('blocks the card of a confirmed fraud in the consumer write', async () => {
    await checkBlockOnFraud(sql, 'pg');
  });

  it('serves the lists API, each change audited in its transaction', async () => {
    const now = new Date();
    await checkListsApi(apiHarness(sql, { now: () => now }).root, sql, 'pg', now);
  });

  it('answers the edges’ sync in pages after a cursor', async () => {
    await checkRulesSync(sql, 'pgsync');
  });

  it('never lets a cursor pass a change that commits after a later-numbered one', async () => {
    const secret = 'test-events-secret-0123456789';
    const app = createBackplaneApp({
      log: pino({ level: 'silent' }),
      metrics: new BackplaneMetrics({ processMetrics: false }),
      ingest: null,
      rulesSync: { sql, secret, hmac: nodeHmacSha256 },
      api: null,
      health: () => ({ ready: true }),
      metricsKeys: [],
      webDist: null,
    });
    const sync = async (cursor: string | null): Promise<RulesSyncAnswer> => {
      let c = cursor;
      let all: RulesSyncAnswer['changes'] = [];
      for (;;) {
        const body = JSON.stringify({ ruleset_version: 0, cursor: c });
        const res = await app.request(RULES_SYNC_PATH, {
          method: 'POST',
          body,
          headers: await signedHeaders(secret, body),
        });
        const a = (await res.json()) as RulesSyncAnswer;
        all = [...all, ...a.changes];
        c = a.cursor;
        if (!a.more) return { ...a, changes: all };
      }
    };
    const start = await sync(null);
    await sql`INSERT INTO lists (name, kind, created_by) VALUES ('order_pg', 'customer_id', 't')`;

    // A writer holds the lock with a change not yet committed …
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const holding = new Promise<void>((r) => (locked = r));
    const slow = sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtext('vigil.list_items'))`;
      await tx`INSERT INTO list_items (list, value, added_by, added_at)
               VALUES ('order_pg', 'c_first', 't', now())`;
      locked();
      await gate;
    });
    await holding;
    // … while an analyst adds another item: it waits for the lock before taking a number.
    const analyst = h.root.request('/api/lists/order_pg/items', {
      method: 'POST',
      headers: bearer(),
      body: JSON.stringify({ value: 'c_second' }),
    });
    for (;;) {
      const [w] = await sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`;
      if (w!.n > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const during = await sync(start.cursor);
    expect(during.changes.filter((c) => c.list === 'order_pg')).toEqual([]);
    release();
    await slow;
    expect((await analyst).status).toBe(201);
    const after = await sync(during.cursor);
    expect(after.changes.filter((c) => c.list === 'order_pg').map((c) => c.value)).toEqual([
      'c_first',
      'c_second',
    ]);
  });
});
