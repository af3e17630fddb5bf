/**
 * The rules API on PGlite: the ruleset with each rule's hits, changes as new versions (validated
 * by core's ruleSchema and the rule engine's expression check), versions and restore, each change
 * audited. The decisions counted as hits are written as the consumer writes them.
 */
import { RULESET_COST_BUDGET, ruleCost, type TransactionDetail } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEvents } from '../../adapters/postgres/event-store.js';
import { decisionEvent } from '../../testing/fixtures.js';
import { apiHarness, bearer, startTestDb, type TestDb } from '../test-support.js';

let db: TestDb;
const NOW = new Date('2026-03-01T10:00:00.000Z');

beforeAll(async () => {
  db = await startTestDb();
}, 60_000);
afterAll(() => db.stop());

const h = () => apiHarness(db.sql, { now: () => NOW });

async function call(method: string, path: string, body?: unknown) {
  const res = await h().root.request(path, {
    method,
    headers: bearer(),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const BUILT_IN_LISTS = [
  { name: 'blocked_customers', kind: 'customer_id' },
  { name: 'blocked_terminals', kind: 'terminal_id' },
  { name: 'allowed_customers', kind: 'customer_id' },
] as const;

const rule = (id: string, expression: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `Rule ${id}`,
  expression,
  action: 'review',
  mode: 'active',
  ...extra,
});

describe('the rules API', () => {
  it('answers the built-in ruleset, version 1', async () => {
    const r = await call('GET', '/api/rules');
    expect(r.status).toBe(200);
    expect(r.body.version).toBe(1);
    expect(r.body.rules).toMatchObject([
      { id: 'block_listed_customers', action: 'block', mode: 'active', hits: { hour: 0, day: 0 } },
      { id: 'block_listed_terminals', action: 'block' },
      { id: 'allow_listed_customers', action: 'allow' },
    ]);
  });

  it('adds, changes and deletes a rule, each a new version with its audit row', async () => {
    const added = await call('POST', '/api/rules', rule('big_amount', 'tx.amount > 500.0'));
    expect(added.status).toBe(201);
    const v = added.body.version as number;
    expect(added.body.rule).toMatchObject({ id: 'big_amount', description: '' });
    expect((await call('POST', '/api/rules', rule('big_amount', 'true'))).status).toBe(409);

    const changed = await call(
      'PUT',
      '/api/rules/big_amount',
      rule('big_amount', 'tx.amount > 800.0', { mode: 'shadow' }),
    );
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ version: v + 1, rule: { mode: 'shadow' } });
    const unknown = await call('PUT', '/api/rules/nope', rule('nope', 'true'));
    expect(unknown.status).toBe(404);
    const otherId = await call('PUT', '/api/rules/big_amount', rule('other', 'true'));
    expect((otherId.body.errors as { path: string }[])[0]!.path).toBe('/id');

    const deleted = await call('DELETE', '/api/rules/big_amount');
    expect(deleted.body).toMatchObject({ version: v + 2, rule: { id: 'big_amount' } });
    expect((await call('DELETE', '/api/rules/big_amount')).status).toBe(404);

    const audit = await call('GET', '/api/audit?target=rule:big_amount');
    expect(audit.body.items).toMatchObject([
      { action: 'rule.delete', actor: 'api', after: null, before: { mode: 'shadow' } },
      {
        action: 'rule.update',
        before: { expression: 'tx.amount > 500.0' },
        after: { expression: 'tx.amount > 800.0' },
      },
      { action: 'rule.create', before: null, after: { id: 'big_amount' } },
    ]);
    const versions = await call('GET', '/api/rules/versions?limit=2');
    expect(versions.body.versions).toMatchObject([
      {
        version: v + 2,
        created_by: 'api',
        summary: 'deleted rule big_amount',
        rules: [{}, {}, {}],
      },
      { version: v + 1, summary: 'changed rule big_amount (expression, mode)' },
    ]);
    expect(versions.body.next_cursor).not.toBeNull();
  });

  it('refuses a bad expression naming /expression with the position, and an unknown list', async () => {
    const bad = await call('POST', '/api/rules', rule('bad_syntax', 'tx.amount > '));
    expect(bad.status).toBe(400);
    const errors = bad.body.errors as { path: string; message: string }[];
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toBe('/expression');
    expect(errors[0]!.message).toMatch(/at position \d+$/);
    const notBool = await call('POST', '/api/rules', rule('not_bool', 'tx.amount'));
    expect((notBool.body.errors as { path: string }[])[0]!.path).toBe('/expression');
    const list = await call(
      'POST',
      '/api/rules',
      rule('unknown_list', 'in_list("no_such_list", tx.customer_id)'),
    );
    expect(list.status).toBe(400);
    expect((list.body.errors as { path: string }[])[0]!.path).toBe('/expression');
    const fields = await call('POST', '/api/rules', { id: 'Bad Id', action: 'deny' });
    expect((fields.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual([
      '/action',
      '/expression',
      '/id',
      '/mode',
      '/name',
    ]);
    const after = await call('GET', '/api/rules/versions?limit=500');
    const summaries = (after.body.versions as { summary: string }[]).map((x) => x.summary);
    expect(summaries.some((x) => /bad_syntax|not_bool|unknown_list/.test(x))).toBe(false);
  });

  it('restores a version as a new version equal to it', async () => {
    const before = await call('GET', '/api/rules');
    await call('POST', '/api/rules', rule('night', 'tx.hour < 6'));
    const restored = await call('POST', '/api/rules/versions/1/restore');
    expect(restored.status).toBe(200);
    const now = await call('GET', '/api/rules');
    expect(now.body.version).toBe(restored.body.version);
    const strip = (rs: unknown) => (rs as { hits: unknown }[]).map(({ hits: _, ...r }) => r);
    expect(strip(now.body.rules)).toEqual(strip(before.body.rules));
    expect((await call('POST', '/api/rules/versions/99999/restore')).status).toBe(404);
    // A version past int4 was never written: 404 like any other, not a 400 on its size.
    const huge = await call('POST', '/api/rules/versions/99999999999999999999/restore');
    expect(huge.status).toBe(404);
    expect((await call('POST', '/api/rules/versions/abc/restore')).status).toBe(400);
    const audit = await call('GET', '/api/audit?action=ruleset.restore');
    expect(audit.body.items).toMatchObject([
      { actor: 'api', after: { restored_from: 1, rules: [{}, {}, {}] } },
    ]);
  });

  it("counts each rule's hits in the last hour and day from the stored decisions", async () => {
    const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();
    const events = [10, 90, 60 * 30].map((m, i) => ({
      ...decisionEvent(i, 'hits'),
      scored_at: at(m),
    }));
    // Decision events as the edge sends them with rules (the consumer stores the text as it came).
    const texts = events.map((e, i) =>
      JSON.stringify({
        ...e,
        reasons: [
          ...e.reasons,
          {
            code: 'RULE_BLOCK',
            rule: 'block_listed_customers',
            message: 'Blocked by rule “Block listed cards”',
            contribution: 0,
          },
        ],
        rules: [{ id: 'block_listed_customers', action: 'block' }],
        shadow_rules: i === 0 ? ['block_listed_terminals'] : [],
        ruleset_version: 1,
      }),
    );
    await writeEvents(db.sql, events, texts);
    const r = await call('GET', '/api/rules');
    const hits = Object.fromEntries(
      (r.body.rules as { id: string; hits: unknown }[]).map((x) => [x.id, x.hits]),
    );
    expect(hits.block_listed_customers).toEqual({ hour: 1, day: 2 });
    expect(hits.block_listed_terminals).toEqual({ hour: 1, day: 1 });
    expect(hits.allow_listed_customers).toEqual({ hour: 0, day: 0 });

    const detail = await call('GET', '/api/transactions/tx_hits_0');
    expect(detail.status).toBe(200);
    const t = detail.body as unknown as TransactionDetail;
    // The stored reasons as they were given: the model's with their sentences, and the deciding
    // rule's naming it in words.
    expect(t.reasons.map((x) => x.code)).toEqual(['AMOUNT_VS_CUSTOMER_MEAN', 'RULE_BLOCK']);
    expect(t.reasons[1]).toEqual({
      code: 'RULE_BLOCK',
      rule: 'block_listed_customers',
      message: 'Blocked by rule “Block listed cards”',
      contribution: 0,
    });
    expect(t.rules).toEqual([{ id: 'block_listed_customers', action: 'block' }]);
    expect(t.shadow_rules).toEqual(['block_listed_terminals']);
    expect(t.ruleset_version).toBe(1);
    const plain = await call('GET', '/api/transactions/tx_hits_1');
    expect(plain.body).toMatchObject({ shadow_rules: [], ruleset_version: 1 });
  });

  it('answers a PUT that changes nothing with the version in force: no new version, no audit row', async () => {
    const added = await call('POST', '/api/rules', rule('same', 'tx.amount > 5.0'));
    const v = added.body.version as number;
    const audits = async () =>
      ((await call('GET', '/api/audit?target=rule:same')).body.items as unknown[]).length;
    const before = await audits();
    const same = await call('PUT', '/api/rules/same', rule('same', 'tx.amount > 5.0'));
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ version: v, rule: { id: 'same' } });
    expect((await call('GET', '/api/rules')).body.version).toBe(v);
    expect(await audits()).toBe(before);
    await call('DELETE', '/api/rules/same');
  });

  it("refuses a change that takes the ruleset past core's budget, naming /expression", async () => {
    const long = Array.from({ length: 199 }, () => 'tx.amount > 1.0').join(' && ');
    const per = ruleCost({ expression: long, mode: 'active' }, [])!;
    const base = (await call('GET', '/api/rules')).body.rules as {
      expression: string;
      hits: unknown;
    }[];
    const used = base.reduce(
      (n, r) => n + ruleCost({ expression: r.expression, mode: 'active' }, BUILT_IN_LISTS)!,
      0,
    );
    const fits = Math.floor((RULESET_COST_BUDGET - used) / per);
    for (let i = 0; i < fits; i++) {
      expect((await call('POST', '/api/rules', rule(`long_${i}`, long))).status).toBe(201);
    }
    const v = (await call('GET', '/api/rules')).body.version;
    const over = await call('POST', '/api/rules', rule('one_more', long));
    expect(over.status).toBe(400);
    expect(over.body.errors).toEqual([
      {
        path: '/expression',
        message: expect.stringContaining('the ruleset would exceed its budget') as string,
      },
    ]);
    // A disabled rule counts only its nodes; making it active costs more and is refused too.
    const room = RULESET_COST_BUDGET - used - fits * per;
    // A loop over a list made at run time: a few nodes, each of its body's run up to 128 times.
    const loop = 'tx.customer_id.split("").exists(x, x == "a")';
    expect(ruleCost({ expression: loop, mode: 'active' }, [])!).toBeGreaterThan(room);
    expect(ruleCost({ expression: loop, mode: 'disabled' }, [])!).toBeLessThanOrEqual(room);
    const disabled = await call('POST', '/api/rules', rule('loop', loop, { mode: 'disabled' }));
    expect(disabled.status).toBe(201);
    const active = await call('PUT', '/api/rules/loop', rule('loop', loop));
    expect(active.status).toBe(400);
    expect((active.body.errors as { path: string }[])[0]!.path).toBe('/expression');
    expect((await call('GET', '/api/rules')).body.version).toBe((v as number) + 1);
    // A version written before the budget (put here by hand) is not restored: edges would refuse it.
    const overRules = [
      ...base.map(({ hits: _, ...r }) => r),
      ...Array.from({ length: fits + 1 }, (_, i) => rule(`old_${i}`, long)),
    ];
    const [row] = await db.sql<{ top: number }[]>`SELECT max(version) AS top FROM rulesets`;
    const top = row!.top;
    await db.sql`INSERT INTO rulesets (version, rules, created_at, created_by, summary)
      VALUES (${top + 1}, ${JSON.stringify(overRules)}::text::jsonb, now(), 'test', 'over budget')`;
    const restore = await call('POST', `/api/rules/versions/${top + 1}/restore`);
    expect(restore.status).toBe(400);
    expect((restore.body.errors as { path: string }[])[0]!.path).toBe('/expression');
    await call('DELETE', '/api/rules/loop');
    for (let i = 0; i < fits; i++) await call('DELETE', `/api/rules/long_${i}`);
  });
});
