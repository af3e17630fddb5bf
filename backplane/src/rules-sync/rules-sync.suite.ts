/**
 * POST /internal/rules/sync against a migrated database: run on PGlite (rules-sync.test.ts) and on
 * PostgreSQL 15 (backplane/test/rules-lists.test.ts). `run` names the suite's own list.
 */
import { RULES_SYNC_PATH, rulesSyncAnswerSchema, type RulesSyncAnswer } from '@vigil/core';
import * as z from 'zod/mini';
import { pino } from 'pino';
import type { Sql } from 'postgres';
import { expect } from 'vitest';
import { BackplaneMetrics } from '../http/backplane-metrics.js';
import { createBackplaneApp } from '../http/create-app.js';
import { nodeHmacSha256 } from '../http/node-hmac.js';
import { signedHeaders } from '../testing/fixtures.js';

export const SYNC_SECRET = 'test-events-secret-0123456789';
const SECRET = SYNC_SECRET;

/** The backplane app with only the edges' sync route, over `sql`, signed with SYNC_SECRET. */
export function rulesSyncApp(sql: Sql) {
  return createBackplaneApp({
    log: pino({ level: 'silent' }),
    metrics: new BackplaneMetrics({ processMetrics: false }),
    ingest: null,
    rulesSync: { sql, secret: SECRET, hmac: nodeHmacSha256 },
    api: null,
    health: () => ({ ready: true }),
    metricsKeys: [],
    webDist: null,
  });
}

/** Every expectation of the sync route on the database `sql` (migrated). */
export async function checkRulesSync(sql: Sql, run: string): Promise<void> {
  const a = rulesSyncApp(sql);
  const post = async (body: unknown, headers?: Record<string, string>) => {
    const text = JSON.stringify(body);
    const res = await a.request(RULES_SYNC_PATH, {
      method: 'POST',
      body: text,
      headers: headers ?? (await signedHeaders(SECRET, text)),
    });
    return { status: res.status, body: (await res.json()) as RulesSyncAnswer };
  };
  const sync = async (version: number, cursor: string | null) => {
    const r = await post({ ruleset_version: version, cursor });
    expect(r.status).toBe(200);
    // Every answer is one the edge accepts (core's schema of the wire, which the edge validates).
    expect(z.safeParse(rulesSyncAnswerSchema, r.body).success).toBe(true);
    return r.body;
  };

  // Refused: unsigned, signed with another secret, a body that is not the request, a doctored cursor.
  const unsigned = await post(
    { ruleset_version: 0, cursor: null },
    { 'content-type': 'application/json' },
  );
  expect(unsigned.status).toBe(401);
  const body = JSON.stringify({ ruleset_version: 0, cursor: null });
  const wrong = await a.request(RULES_SYNC_PATH, {
    method: 'POST',
    body,
    headers: await signedHeaders('another-secret-0123456789', body),
  });
  expect(wrong.status).toBe(401);
  expect((await post({ ruleset_version: -1, cursor: null })).status).toBe(400);
  expect((await post({ ruleset_version: 0, cursor: 'abc' })).status).toBe(400);
  expect((await post({ ruleset_version: 0 })).status).toBe(400);

  // A first sync: the ruleset in force and every list; then the same version → no ruleset.
  const first = await sync(0, null);
  expect(first.ruleset?.version).toBeGreaterThanOrEqual(1);
  expect(first.lists).toEqual(
    expect.arrayContaining([
      { name: 'blocked_customers', kind: 'customer_id' },
      { name: 'blocked_terminals', kind: 'terminal_id' },
      { name: 'allowed_customers', kind: 'customer_id' },
    ]),
  );
  expect((await sync(first.ruleset!.version, first.cursor)).ruleset).toBeNull();

  // Catch up with what the database holds, then only this suite's changes follow the cursor.
  let cursor = first.cursor;
  for (let more = first.more; more;) {
    const next = await sync(first.ruleset!.version, cursor);
    cursor = next.cursor;
    more = next.more;
  }
  const list = `sync_${run}`;
  await sql`INSERT INTO lists (name, kind, created_by) VALUES (${list}, 'terminal_id', 'test')`;
  const soon = new Date(Date.now() + 3_600_000);
  const past = new Date(Date.now() - 3_600_000);
  await sql`
    INSERT INTO list_items (list, value, reason, expires_at, added_by, added_at)
    SELECT ${list}, 't_' || lpad(i::text, 5, '0'), '', CASE WHEN i = 2 THEN ${past}::timestamptz
      WHEN i = 3 THEN ${soon}::timestamptz END, 'test', now()
    FROM generate_series(1, 1500) AS i ORDER BY i`;
  await sql`UPDATE list_items SET removed_at = now(), removed_by = 'test',
              seq = nextval('list_items_seq')
            WHERE list = ${list} AND value = 't_00001'`;

  const p1 = await sync(first.ruleset!.version, cursor);
  expect(p1.changes).toHaveLength(1_000);
  expect(p1.more).toBe(true);
  expect(p1.lists).toContainEqual({ name: list, kind: 'terminal_id' });
  const p2 = await sync(first.ruleset!.version, p1.cursor);
  expect(p2.more).toBe(false);
  const changes = [...p1.changes, ...p2.changes];
  // Each item's latest state once, in seq order: t_00001's removal took a later seq than the
  // adds, so it comes last and its add is not sent; expiries as epoch ms, the expired one too.
  expect(changes).toHaveLength(1_500);
  expect(changes.slice(0, 3)).toEqual([
    { op: 'add', list, kind: 'terminal_id', value: 't_00002', expiresAtMs: past.getTime() },
    { op: 'add', list, kind: 'terminal_id', value: 't_00003', expiresAtMs: soon.getTime() },
    { op: 'add', list, kind: 'terminal_id', value: 't_00004', expiresAtMs: null },
  ]);
  expect(changes.at(-1)).toEqual({
    op: 'remove',
    list,
    kind: 'terminal_id',
    value: 't_00001',
    expiresAtMs: null,
  });
  const seqOf = (c: string) => BigInt(c.split('.')[1]!);
  expect(seqOf(p2.cursor)).toBeGreaterThan(seqOf(p1.cursor));
  expect(p2.cursor.split('.')[0]).toBe(p1.cursor.split('.')[0]);
  // Nothing new: no changes, the cursor stays.
  const idle = await sync(first.ruleset!.version, p2.cursor);
  expect(idle).toMatchObject({ ruleset: null, changes: [], cursor: p2.cursor, more: false });
  // A cursor of another database (a store shared with another deployment, or one that outlived
  // a reset) starts over from the beginning rather than skip changes whose seq is not past it.
  const foreign = await sync(first.ruleset!.version, `zz9.${seqOf(p2.cursor) + 1_000n}`);
  expect(foreign.changes.length).toBeGreaterThan(0);
  expect(foreign.cursor.split('.')[0]).toBe(p2.cursor.split('.')[0]);

  // A new ruleset version reaches an edge on the old one.
  await sql`INSERT INTO rulesets (version, rules, created_by, summary)
            SELECT version + 1, rules, 'test', 'copy' FROM rulesets ORDER BY version DESC LIMIT 1`;
  const changed = await sync(first.ruleset!.version, idle.cursor);
  expect(changed.ruleset?.version).toBe(first.ruleset!.version + 1);
}
