/**
 * The backtest's model decision from the thresholds in force (issue 16, point 2; core's
 * model-decision.ts): where a stored rule had changed a decision, the model's own decision is the
 * score under the thresholds of that model version — set through the API, else the model's
 * metadata (the registry's, as its edges report it, or the deployed model's in edge/model/) — and
 * only for a version with none of these estimated from its rule-free decisions. Run on PGlite
 * (backtest-thresholds.test.ts) and PostgreSQL 15 (backplane/test/backtest-thresholds.test.ts),
 * each on a database of its own (the deployed model's version must have no row there).
 */
import { readFile } from 'node:fs/promises';
import type {
  BacktestAnswer,
  Decision,
  ModelList,
  Thresholds,
  ThresholdsInForce,
  ThresholdsList,
} from '@vigil/core';
import type { Hono } from 'hono';
import type { Sql } from 'postgres';
import { expect } from 'vitest';
import { registerBody, trainedTestModel } from '../models/model-fixtures.js';
import { callApi } from '../test-support.js';
import { thresholdsInForceByVersion } from '../thresholds/thresholds-in-force.js';
import { recordServedModel } from '../thresholds/thresholds-store.js';

const FROM = new Date('2034-05-01T00:00:00Z');
const TO = new Date('2034-05-02T00:00:00Z');

/** The deployed model's version and thresholds, from its committed metadata. */
async function deployedModel(): Promise<{
  version: string;
  thresholds: { review: number; decline: number };
}> {
  const url = new URL('../../../../edge/model/vigil-model.json', import.meta.url);
  return JSON.parse(await readFile(url, 'utf8')) as {
    version: string;
    thresholds: { review: number; decline: number };
  };
}

interface Row {
  id: string;
  model: string;
  customer: string;
  score: number;
  decision: Decision;
  rules: { id: string; action: string }[] | null;
}

async function insert(sql: Sql, rows: readonly Row[]): Promise<void> {
  const at = (i: number) => new Date(FROM.getTime() + (i + 1) * 60_000).toISOString();
  const chunk = rows.map((r, i) => ({ ...r, at: at(i), amount: 100 + i }));
  await sql`
    INSERT INTO transactions (transaction_id, event_id, ts, customer_id, terminal_id, amount,
      currency, score, decision, reasons, features, model_version, degraded, scored_at, runtime,
      latency_ms, label, rules)
    SELECT r.id, 'dec:' || r.id, r.at, r.customer, 't_1', r.amount, 'EUR', r.score, r.decision,
      '[]', '{}', r.model, false, r.at, 'node', 1, NULL, r.rules
    FROM json_to_recordset(${JSON.stringify(chunk)}::text::json) AS r(id text, at timestamptz,
      customer text, amount float8, score float8, decision text, model text, rules jsonb)`;
}

export async function checkBacktestThresholds(root: Hono, sql: Sql, run: string): Promise<void> {
  const deployed = await deployedModel();
  const v = {
    set: `${run}_set`, // thresholds set through the API (registered, reported with other own ones)
    registered: `${run}_registered`, // registered: its metadata's thresholds
    reported: `${run}_reported`, // only reported by an edge (served_models): the model's own
    deployed: deployed.version, // the deployed model: no row anywhere, its committed metadata
    unknown: `${run}_unknown`, // nothing known: estimated from its rule-free decisions
  };
  const put = await callApi(root, 'PUT', `/api/thresholds/${v.set}`, {
    review: 0.2,
    decline: 0.4,
  });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  await recordServedModel(sql, v.set, { review: 0.5, decline: 0.95 }, new Date());
  await recordServedModel(sql, v.reported, { review: 0.5, decline: 0.95 }, new Date());
  for (const [version, own] of [
    [v.registered, { review: 0.5, decline: 0.9 }],
    [v.set, { review: 0.6, decline: 0.97 }],
  ] as const) {
    const { onnx, metadata } = await trainedTestModel(version);
    const reg = await callApi(
      root,
      'POST',
      '/api/models',
      registerBody(onnx, { ...metadata, thresholds: own }),
    );
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
  }

  // Every version: rule-free decisions approve at 0.1, review at 0.6, decline at 0.9 — which alone
  // estimate the thresholds in the gaps (0.1–0.6 → midpoint 0.35) — and one decision a block
  // rule declined, whose model decision the backtest must derive: score 0.45 (0.2 for the
  // deployed model, whose thresholds are low).
  const rows: Row[] = [];
  for (const [key, model] of Object.entries(v)) {
    const free = (d: Decision, score: number) =>
      rows.push({
        id: `${run}_${key}_${d}`,
        model,
        customer: 'c_free',
        score,
        decision: d,
        rules: null,
      });
    free('approve', 0.1);
    free('review', 0.6);
    free('decline', 0.9);
    rows.push({
      id: `${run}_${key}_probe`,
      model,
      customer: 'c_probe',
      score: key === 'deployed' ? 0.2 : 0.45,
      decision: 'decline',
      rules: [{ id: 'blk', action: 'block' }],
    });
  }
  await insert(sql, rows);

  // The rule-free decisions alone estimate review for 0.45 (past the midpoint 0.35) and approve
  // for 0.2; every version's thresholds but the unknown one's decide otherwise:
  const want: Record<keyof typeof v, Decision> = {
    set: 'decline', // 0.45 ≥ 0.4 (set), not its own 0.5 / 0.95
    registered: 'approve', // 0.45 < 0.5 (its metadata)
    reported: 'approve', // 0.45 < 0.5 (as its edge reported)
    deployed: 'review', // its committed thresholds bracket 0.2 (checked below)
    unknown: 'review', // estimated: 0.45 past the midpoint 0.35
  };
  expect(deployed.thresholds.review).toBeLessThanOrEqual(0.2);
  expect(deployed.thresholds.decline).toBeGreaterThan(0.2);

  // An allow rule over the probes: each goes from its model decision to approve.
  const a = await callApi(root, 'POST', '/api/rules/backtest', {
    expression: 'tx.customer_id == "c_probe"',
    action: 'allow',
    from: FROM.toISOString(),
    to: TO.toISOString(),
  });
  expect(a.status, JSON.stringify(a.body)).toBe(200);
  const answer = a.body as unknown as BacktestAnswer;
  expect(answer.evaluated).toBe(rows.length);
  expect(answer.matched).toBe(5);
  const changes = new Map<string, { count: number; amount: number }>();
  for (const [key, d] of Object.entries(want)) {
    if (d === 'approve') continue;
    const probe = rows.findIndex((r) => r.id === `${run}_${key}_probe`);
    const c = changes.get(d) ?? { count: 0, amount: 0 };
    changes.set(d, { count: c.count + 1, amount: c.amount + 100 + probe });
  }
  expect(answer.decision_changes).toEqual(
    (['review', 'decline'] as const)
      .filter((d) => changes.has(d))
      .map((d) => ({ from: d, to: 'approve', ...changes.get(d)! })),
  );
  expect(answer.model_thresholds).toEqual(
    [
      { model_version: v.set, thresholds: { review: 0.2, decline: 0.4 }, source: 'set' },
      { model_version: v.registered, thresholds: { review: 0.5, decline: 0.9 }, source: 'model' },
      { model_version: v.reported, thresholds: { review: 0.5, decline: 0.95 }, source: 'model' },
      { model_version: v.deployed, thresholds: deployed.thresholds, source: 'model' },
      { model_version: v.unknown, thresholds: null, source: 'estimated' },
    ].sort((x, y) => x.model_version.localeCompare(y.model_version)),
  );

  // Every answer that names the thresholds in force agrees, version by version, with the one
  // resolution (thresholds-in-force.ts) — and names just the versions it knows of.
  const inForce: Record<keyof typeof v, ThresholdsInForce | null> = {
    set: { thresholds: { review: 0.2, decline: 0.4 }, source: 'set' },
    registered: { thresholds: { review: 0.5, decline: 0.9 }, source: 'model' },
    reported: { thresholds: { review: 0.5, decline: 0.95 }, source: 'model' },
    deployed: { thresholds: deployed.thresholds, source: 'model' },
    unknown: null,
  };
  const resolved = await thresholdsInForceByVersion(sql, Object.values(v));
  for (const [key, want] of Object.entries(inForce)) {
    const model = v[key as keyof typeof v];
    expect(resolved.get(model) ?? null, key).toEqual(want);

    // The backtest's model decisions (above: the decisions they derive).
    expect(
      answer.model_thresholds.find((m) => m.model_version === model),
      key,
    ).toEqual({
      model_version: model,
      thresholds: want?.thresholds ?? null,
      source: want?.source ?? 'estimated',
    });

    // The thresholds preview compares with the same thresholds in force.
    const p = await callApi(root, 'POST', '/api/thresholds/preview', {
      review: 0.3,
      decline: 0.7,
      model_version: model,
      from: FROM.toISOString(),
      to: TO.toISOString(),
    });
    expect(p.status).toBe(200);
    expect((p.body.current as { thresholds: Thresholds } | null)?.thresholds ?? null, key).toEqual(
      want?.thresholds ?? null,
    );
  }

  // GET /api/thresholds: what the versions edges reported serving decide with; their own beside.
  const t = await callApi(root, 'GET', '/api/thresholds');
  expect(t.status).toBe(200);
  const served = (t.body as unknown as ThresholdsList).served.filter((s) =>
    Object.values(v).includes(s.model_version),
  );
  expect(served.map((s) => [s.model_version, s.in_force, s.model_thresholds]).sort()).toEqual(
    [
      [v.set, inForce.set!.thresholds, { review: 0.5, decline: 0.95 }],
      [v.reported, inForce.reported!.thresholds, { review: 0.5, decline: 0.95 }],
    ].sort(),
  );

  // GET /api/models and GET-as-answered by PUT /api/models/{version}/thresholds: the registered.
  const m = await callApi(root, 'GET', '/api/models');
  expect(m.status).toBe(200);
  const listed = (m.body as unknown as ModelList).items.filter((i) =>
    Object.values(v).includes(i.version),
  );
  expect(listed.map((i) => [i.version, i.thresholds, i.thresholds_set]).sort()).toEqual(
    [
      [v.set, inForce.set!.thresholds, true],
      [v.registered, inForce.registered!.thresholds, false],
    ].sort(),
  );
}
