/**
 * The thresholds routes against a freshly migrated database: run on PGlite (thresholds.test.ts)
 * and on PostgreSQL 15 (backplane/test/thresholds.test.ts). A known set of decisions and labels
 * is written as the consumer writes them; every count, amount and histogram bin of the preview is
 * checked against a plain computation written here, apart from core's engine.
 */
import { RULES_SYNC_PATH, type RulesSyncAnswer, type ThresholdsPreview } from '@vigil/core';
import { stream } from '@vigil/sim';
import type { Hono } from 'hono';
import type { Sql } from 'postgres';
import { expect } from 'vitest';
import { rulesSyncApp, SYNC_SECRET } from '../../rules-sync/rules-sync.suite.js';
import { signedHeaders } from '../../testing/fixtures.js';
import { callApi as call, type ApiAnswer as Answer } from '../test-support.js';
import { runPreview } from './preview-query.js';

const paths = (a: Answer) => (a.body.errors as { path: string }[] | undefined)?.map((e) => e.path);

type Label = 'fraud' | 'legitimate' | null;
type Action = 'allow' | 'block' | 'review';

interface Row {
  id: string;
  model: string;
  scoredAt: Date;
  score: number;
  amount: number;
  label: Label;
  actions: Action[];
}

/** `n` decisions of `model` spread over [from, to), with ties on scored_at and thresholds' edges. */
function knownRows(run: string, model: string, n: number, from: Date, to: Date): Row[] {
  const rng = stream(n, model);
  const rnd = () => rng.uniform();
  const span = to.getTime() - from.getTime();
  const edges = [0, 0.02, 0.25, 0.3, 0.5, 0.7, 0.9, 0.98, 1];
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const score = i % 10 === 0 ? edges[i % edges.length]! : Math.round(rnd() * 1e6) / 1e6;
    const actions: Action[] = [];
    if (r < 0.04) actions.push('allow');
    if (r > 0.02 && r < 0.08) actions.push('block');
    if (r > 0.06 && r < 0.14) actions.push('review');
    rows.push({
      id: `${run}_${model}_${String(i).padStart(5, '0')}`,
      model,
      // Every fifth row shares its scored_at with the one before: pages break inside ties.
      scoredAt: new Date(from.getTime() + Math.floor(((i - (i % 5 === 1 ? 1 : 0)) / n) * span)),
      score,
      amount: Math.round(rnd() * 50_000) / 100,
      label: rnd() < 0.15 ? 'fraud' : rnd() < 0.5 ? 'legitimate' : null,
      actions,
    });
  }
  return rows;
}

async function insertRows(sql: Sql, rows: readonly Row[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500).map((r) => ({
      id: r.id,
      // Microseconds, as the edge's clock stores them: a page must continue after its last row
      // exactly (a millisecond key would repeat or skip rows).
      at: r.scoredAt
        .toISOString()
        .replace('Z', `${String(r.scoredAt.getTime() % 997).padStart(3, '0')}Z`),
      amount: r.amount,
      score: r.score,
      model: r.model,
      label: r.label,
      // As the consumer stores them: null when no active rule matched.
      rules:
        r.actions.length === 0 ? null : r.actions.map((action, k) => ({ id: `r${k}`, action })),
    }));
    // What the edge decided is not what the preview reads: it re-decides from score and rules.
    await sql`
      INSERT INTO transactions (transaction_id, event_id, ts, customer_id, terminal_id, amount,
        currency, score, decision, reasons, features, model_version, degraded, scored_at, runtime,
        latency_ms, label, rules)
      SELECT r.id, 'dec:' || r.id, r.at, 'c_1', 't_1', r.amount, 'EUR', r.score, 'approve', '[]',
        '{}', r.model, false, r.at, 'node', 1, r.label, r.rules
      FROM json_to_recordset(${JSON.stringify(chunk)}::text::json) AS r(id text, at timestamptz,
        amount float8, score float8, model text, label text, rules jsonb)`;
  }
}

/** The expected outcome, computed plainly from the rows (not with core's engine). */
function expected(rows: readonly Row[], review: number, decline: number) {
  const zero = () => ({ count: 0, amount: 0, fraud: 0, fraud_amount: 0 });
  const out = { approve: zero(), review: zero(), decline: zero() };
  let caught = 0;
  let missed = 0;
  let flagged = 0;
  for (const r of rows) {
    let d: 'approve' | 'review' | 'decline' =
      r.score >= decline ? 'decline' : r.score >= review ? 'review' : 'approve';
    if (r.actions.includes('allow')) d = 'approve';
    else if (r.actions.includes('block')) d = 'decline';
    else if (r.actions.includes('review') && d === 'approve') d = 'review';
    out[d].count++;
    out[d].amount += r.amount;
    if (r.label === 'fraud') {
      out[d].fraud++;
      out[d].fraud_amount += r.amount;
      if (d === 'approve') missed++;
      else caught++;
    }
    if (r.label === 'legitimate' && d !== 'approve') flagged++;
  }
  return { ...out, frauds_caught: caught, frauds_missed: missed, legitimate_flagged: flagged };
}

function expectOutcome(
  got: ThresholdsPreview['proposed'] | null,
  want: ReturnType<typeof expected>,
): void {
  expect(got).not.toBeNull();
  for (const d of ['approve', 'review', 'decline'] as const) {
    expect(got![d].count).toBe(want[d].count);
    expect(got![d].fraud).toBe(want[d].fraud);
    expect(got![d].amount).toBeCloseTo(want[d].amount, 5);
    expect(got![d].fraud_amount).toBeCloseTo(want[d].fraud_amount, 5);
  }
  expect(got!.frauds_caught).toBe(want.frauds_caught);
  expect(got!.frauds_missed).toBe(want.frauds_missed);
  expect(got!.legitimate_flagged).toBe(want.legitimate_flagged);
}

function expectHistogram(h: ThresholdsPreview['histogram'], rows: readonly Row[]): void {
  const bins = { fraud: new Array<number>(50).fill(0), legitimate: [0], unlabelled: [0] };
  bins.legitimate = new Array<number>(50).fill(0);
  bins.unlabelled = new Array<number>(50).fill(0);
  for (const r of rows) {
    const i = Math.min(49, Math.floor(r.score * 50));
    bins[r.label === null ? 'unlabelled' : r.label][i]!++;
  }
  expect(h).toEqual({ bins: 50, ...bins });
}

/**
 * Every expectation of the thresholds API on `root` (the API at /api over `sql`, whose clock is
 * `now`), on a database no other suite has written decisions or thresholds to.
 */
export async function checkThresholdsApi(
  root: Hono,
  sql: Sql,
  run: string,
  now: Date,
): Promise<void> {
  const day = 86_400_000;
  const from = new Date(now.getTime() - 10 * day);
  const to = new Date(now.getTime() - day);
  const model = `gbdt-${run}`;
  const rows = knownRows(run, model, 2_345, from, to);
  // Beside them: another model's decisions in the window, and this model's outside it.
  const other = knownRows(run, `other-${run}`, 300, from, to);
  const before = knownRows(`${run}b`, model, 40, new Date(from.getTime() - 5 * day), from);
  await insertRows(sql, [...rows, ...other, ...before]);
  const window = { from: from.toISOString(), to: to.toISOString() };

  // Nothing set, no edge seen: the newest decision's model, replayed under the proposal only.
  const first = await call(root, 'POST', '/api/thresholds/preview', {
    review: 0.3,
    decline: 0.7,
  });
  expect(first.status).toBe(200);
  const newest = [...rows, ...other].sort(
    (a, b) => b.scoredAt.getTime() - a.scoredAt.getTime() || (a.id < b.id ? 1 : -1),
  )[0]!;
  expect(first.body.model_version).toBe(newest.model);
  expect(first.body.current).toBeNull();

  // The proposal and the histogram, every count and amount.
  const p = await call(root, 'POST', '/api/thresholds/preview', {
    review: 0.25,
    decline: 0.9,
    ...window,
    model_version: model,
  });
  expect(p.status).toBe(200);
  const preview = p.body as unknown as ThresholdsPreview;
  expect(preview.window).toEqual(window);
  expect(preview.model_version).toBe(model);
  expect(preview.evaluated).toBe(rows.length);
  // The amounts' currency, for the page's sign (every row stored in EUR).
  expect(preview.currencies).toEqual(['EUR']);
  expect(preview.currency_note).toBe('all in EUR, in its major unit');
  expectOutcome(preview.proposed, expected(rows, 0.25, 0.9));
  expect(preview.proposed.thresholds).toEqual({ review: 0.25, decline: 0.9 });
  expectHistogram(preview.histogram, rows);
  expect(preview.elapsed_ms).toBeGreaterThanOrEqual(0);

  // Pages of 7 rows (ties on scored_at across page breaks) give the same exact totals.
  const paged = await runPreview(sql, {
    modelVersion: model,
    from,
    to,
    proposed: { review: 0.25, decline: 0.9 },
    current: null,
    pageRows: 7,
  });
  expect(paged.evaluated).toBe(rows.length);
  expectOutcome(paged.proposed, expected(rows, 0.25, 0.9));

  // An edge reports serving the model (its own thresholds 0.5 / 0.8): the default and `current`.
  const sync = rulesSyncApp(sql);
  const ask = async (body: unknown) => {
    const text = JSON.stringify(body);
    const res = await sync.request(RULES_SYNC_PATH, {
      method: 'POST',
      body: text,
      headers: await signedHeaders(SYNC_SECRET, text),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as RulesSyncAnswer;
  };
  const own = { review: 0.5, decline: 0.8 };
  const synced = await ask({
    ruleset_version: 0,
    cursor: null,
    model: { version: model, thresholds: own },
  });
  expect(synced.thresholds).toBeNull();
  // A model that is not one (review above decline) is refused: nothing is recorded of it.
  const badModel = JSON.stringify({
    ruleset_version: 0,
    cursor: null,
    model: { version: `bad-${run}`, thresholds: { review: 0.9, decline: 0.1 } },
  });
  const refused = await sync.request(RULES_SYNC_PATH, {
    method: 'POST',
    body: badModel,
    headers: await signedHeaders(SYNC_SECRET, badModel),
  });
  expect(refused.status).toBe(400);
  expect(((await refused.json()) as { errors: { path: string }[] }).errors).toEqual([
    expect.objectContaining({ path: '/model/thresholds/decline' }),
  ]);
  // An edge that does not name its model gets no `thresholds` (an older edge refuses the field).
  expect('thresholds' in (await ask({ ruleset_version: 0, cursor: null }))).toBe(false);

  const served = await call(root, 'POST', '/api/thresholds/preview', {
    review: 0.1,
    decline: 0.2,
    ...window,
  });
  expect(served.body.model_version).toBe(model);
  expectOutcome((served.body as unknown as ThresholdsPreview).current, expected(rows, 0.5, 0.8));
  expectOutcome((served.body as unknown as ThresholdsPreview).proposed, expected(rows, 0.1, 0.2));

  // Set the model's thresholds: answered, listed, audited, handed to its edges, `current` follows.
  const put = await call(root, 'PUT', `/api/thresholds/${model}`, { review: 0.4, decline: 0.95 });
  expect(put.status).toBe(200);
  expect(put.body).toMatchObject({
    model_version: model,
    review: 0.4,
    decline: 0.95,
    updated_by: 'api',
  });
  expect(Date.parse(put.body.updated_at as string)).toBe(now.getTime());
  const listed = await call(root, 'GET', '/api/thresholds');
  expect(listed.status).toBe(200);
  expect(listed.body.items).toContainEqual(put.body);
  expect(listed.body.served).not.toContainEqual(
    expect.objectContaining({ model_version: `bad-${run}` }),
  );
  expect(listed.body.served).toContainEqual(
    expect.objectContaining({
      model_version: model,
      model_thresholds: own,
      in_force: { review: 0.4, decline: 0.95 },
    }),
  );
  const audit = async () =>
    sql<{ actor: string; before: unknown; after: unknown }[]>`
      SELECT actor, before, after FROM audit_log
      WHERE action = 'thresholds.set' AND target = ${'thresholds:' + model} ORDER BY id`;
  expect(await audit()).toEqual([
    { actor: 'api', before: null, after: { review: 0.4, decline: 0.95 } },
  ]);
  const again = await ask({
    ruleset_version: 0,
    cursor: null,
    model: { version: model, thresholds: own },
  });
  expect(again.thresholds).toEqual({ review: 0.4, decline: 0.95 });
  const inForce = await call(root, 'POST', '/api/thresholds/preview', {
    review: 0.1,
    decline: 0.2,
    ...window,
  });
  expectOutcome((inForce.body as unknown as ThresholdsPreview).current, expected(rows, 0.4, 0.95));

  // The same values again change nothing (no audit row); other values record what they replaced.
  expect(
    (await call(root, 'PUT', `/api/thresholds/${model}`, { review: 0.4, decline: 0.95 })).status,
  ).toBe(200);
  expect(await audit()).toHaveLength(1);
  await call(root, 'PUT', `/api/thresholds/${model}`, { review: 0.35, decline: 0.95 });
  expect((await audit())[1]).toEqual({
    actor: 'api',
    before: { review: 0.4, decline: 0.95 },
    after: { review: 0.35, decline: 0.95 },
  });

  // An empty window, or a model with no decisions in it: zeros, not an error.
  const empty = await call(root, 'POST', '/api/thresholds/preview', {
    review: 0.3,
    decline: 0.7,
    from: new Date(now.getTime() + day).toISOString(),
    to: new Date(now.getTime() + 2 * day).toISOString(),
    model_version: model,
  });
  expect(empty.status).toBe(200);
  expect(empty.body.evaluated).toBe(0);
  expect(empty.body.currencies).toEqual([]);
  expectOutcome((empty.body as unknown as ThresholdsPreview).proposed, expected([], 0.3, 0.7));
  expectOutcome((empty.body as unknown as ThresholdsPreview).current, expected([], 0.35, 0.95));
  expectHistogram((empty.body as unknown as ThresholdsPreview).histogram, []);
  const unknown = await call(root, 'POST', '/api/thresholds/preview', {
    review: 0.3,
    decline: 0.7,
    model_version: `never-${run}`,
  });
  expect(unknown.status).toBe(200);
  expect(unknown.body).toMatchObject({
    model_version: `never-${run}`,
    evaluated: 0,
    current: null,
  });

  // Bad input: a 400 naming each field; nothing is written.
  const bad: [string, string, unknown, string[] | undefined][] = [
    ['POST', '/api/thresholds/preview', { review: 0.8, decline: 0.2 }, ['/decline']],
    ['POST', '/api/thresholds/preview', { review: '0.1', decline: 0.2 }, ['/review']],
    ['POST', '/api/thresholds/preview', '{"review": NaN, "decline": 0.2}', ['']],
    ['POST', '/api/thresholds/preview', { review: 0.1, decline: 0.2, x: 1 }, ['/x']],
    [
      'POST',
      '/api/thresholds/preview',
      { review: 0.1, decline: 0.2, ...window, from: window.to },
      ['/from'],
    ],
    [
      'POST',
      '/api/thresholds/preview',
      { review: 0.1, decline: 0.2, to: '0000-12-31T00:00:00Z' },
      ['/to'],
    ],
    [
      'POST',
      '/api/thresholds/preview',
      { review: 0.1, decline: 0.2, model_version: '' },
      ['/model_version'],
    ],
    ['PUT', `/api/thresholds/${model}`, { review: 0.9, decline: 0.1 }, ['/decline']],
    ['PUT', `/api/thresholds/${model}`, { review: -1, decline: 2 }, ['/review', '/decline']],
    ['PUT', `/api/thresholds/${model}`, { review: null, decline: 0.5 }, ['/review']],
    ['PUT', `/api/thresholds/${model}`, { review: 0.1, decline: 0.5, by: 'me' }, ['/by']],
    // `default` names the committed model in the registry's routes, not a version.
    ['PUT', '/api/thresholds/default', { review: 0.1, decline: 0.5 }, ['/model_version']],
    [
      'POST',
      '/api/thresholds/preview',
      { review: 0.1, decline: 0.2, model_version: 'default' },
      ['/model_version'],
    ],
    [
      'PUT',
      `/api/thresholds/${'v'.repeat(201)}`,
      { review: 0.1, decline: 0.5 },
      ['/model_version'],
    ],
  ];
  for (const [method, path, body, want] of bad) {
    const r = await call(root, method, path, body);
    expect([r.status, paths(r)], `${method} ${path} ${JSON.stringify(body)}`).toEqual([400, want]);
    expect(r.body.status).toBe(400);
  }
  expect(await audit()).toHaveLength(2);
  expect((await call(root, 'GET', '/api/thresholds?x=1')).status).toBe(400);
}
