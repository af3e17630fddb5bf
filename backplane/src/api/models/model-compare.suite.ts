/**
 * GET /api/models/compare against a migrated database (PGlite and PostgreSQL 15): decisions of a
 * champion with a challenger's opinion, as the consumer stores them, beside decisions the
 * comparison must leave out; every number checked against a plain computation written here
 * (pairs for AUC, precision at each fraud for AP, cards per day for CP@100).
 */
import type { CompareMetrics, ModelCompare } from '@vigil/core';
import type { Hono } from 'hono';
import type { Sql } from 'postgres';
import { expect } from 'vitest';
import { OneReadPerAnalyst } from '../heavy-reads.js';
import { apiHarness, callApi as call } from '../test-support.js';
import { compareModels } from './model-compare.js';

type Decision = 'approve' | 'review' | 'decline';
type Label = 'fraud' | 'legitimate' | null;

interface Row {
  id: string;
  customer: string;
  ts: Date;
  scoredAt: Date;
  model: string;
  score: number;
  decision: Decision;
  label: Label;
  challenger: { model_version: string; score: number; decision: Decision } | null;
}

const decide = (s: number, review: number, decline: number): Decision =>
  s >= decline ? 'decline' : s >= review ? 'review' : 'approve';

/** A small deterministic generator (the numbers only need to be varied, not good). */
function lcg(seed: number) {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

function rows(run: string, start: Date): { kept: Row[]; other: Row[] } {
  const rnd = lcg(42);
  const kept: Row[] = [];
  const other: Row[] = [];
  const champ = `${run}-champ`;
  const chal = `${run}-chal`;
  // More disagreements than the comparison keeps in memory at once (10 × 50): its pruning is tested.
  for (let i = 0; i < 1_200; i++) {
    const ts = new Date(start.getTime() + Math.floor(rnd() * 3 * 86_400_000));
    const r = rnd();
    const label: Label = r < 0.2 ? 'fraud' : r < 0.7 ? 'legitimate' : null;
    // Fraud scores higher on average, so the metrics are neither 0 nor 1.
    const score = Math.min(0.999, rnd() * 0.7 + (label === 'fraud' ? 0.3 : 0));
    const cScore = Math.min(0.999, rnd() * 0.6 + (label === 'fraud' ? 0.4 : 0));
    kept.push({
      id: `${run}_cmp_${String(i).padStart(4, '0')}`,
      customer: `c_${i % 37}`,
      ts,
      scoredAt: new Date(ts.getTime() + 1000),
      model: champ,
      score,
      // Every 7th a rule's or a list's decline whatever the score: the stored decision is not the
      // champion model's own (a block-listed card declined at score 0.004).
      decision: i % 7 === 0 ? 'decline' : decide(score, 0.5, 0.8),
      label,
      challenger: { model_version: chal, score: cScore, decision: decide(cScore, 0.4, 0.9) },
    });
  }
  const base = kept[0]!;
  other.push(
    { ...base, id: `${run}_cmp_x1`, model: 'another' },
    { ...base, id: `${run}_cmp_x2`, challenger: { ...base.challenger!, model_version: 'another' } },
    { ...base, id: `${run}_cmp_x3`, challenger: null },
    { ...base, id: `${run}_cmp_x4`, scoredAt: new Date(start.getTime() - 86_400_000) },
  );
  return { kept, other };
}

async function insert(sql: Sql, all: readonly Row[]): Promise<void> {
  const chunk = all.map((r) => ({
    transaction_id: r.id,
    event_id: `dec:${r.id}`,
    ts: r.ts,
    customer_id: r.customer,
    terminal_id: 't_1',
    amount: 10,
    score: r.score,
    decision: r.decision,
    reasons: '[]',
    features: '{}',
    model_version: r.model,
    degraded: false,
    scored_at: r.scoredAt,
    runtime: 'node',
    latency_ms: 1,
    label: r.label,
    challenger: r.challenger === null ? null : sql.json(r.challenger),
  }));
  await sql`INSERT INTO transactions ${sql(chunk)}`;
}

/** AUC over every (fraud, legitimate) pair: 1 if ordered, ½ if tied. */
function pairAuc(ys: number[], ss: number[]): number {
  let n = 0;
  let d = 0;
  for (let i = 0; i < ys.length; i++)
    for (let j = 0; j < ys.length; j++)
      if (ys[i] === 1 && ys[j] === 0) {
        d++;
        n += ss[i]! > ss[j]! ? 1 : ss[i] === ss[j] ? 0.5 : 0;
      }
  return n / d;
}

/** AP as the mean, over frauds, of the precision among rows scoring at least as high. */
function meanPrecisionAtFrauds(ys: number[], ss: number[]): number {
  let sum = 0;
  let p = 0;
  for (let i = 0; i < ys.length; i++) {
    if (ys[i] !== 1) continue;
    p++;
    let above = 0;
    let hits = 0;
    for (let j = 0; j < ys.length; j++)
      if (ss[j]! >= ss[i]!) {
        above++;
        hits += ys[j]!;
      }
    sum += hits / above;
  }
  return sum / p;
}

/** CP@100: per UTC day, the cards (fewer than 100 here) by best score; found cards leave later days. */
function cardPrecision(labelled: Row[], score: (r: Row) => number): number {
  const byDay = new Map<number, Row[]>();
  for (const r of labelled) {
    const d = Math.floor(r.ts.getTime() / 86_400_000);
    byDay.set(d, [...(byDay.get(d) ?? []), r]);
  }
  const found = new Set<string>();
  let total = 0;
  const days = [...byDay.keys()].sort((a, b) => a - b);
  for (const d of days) {
    const cards = new Map<string, { s: number; f: boolean }>();
    for (const r of byDay.get(d)!) {
      if (found.has(r.customer)) continue;
      const c = cards.get(r.customer) ?? { s: -1, f: false };
      cards.set(r.customer, { s: Math.max(c.s, score(r)), f: c.f || r.label === 'fraud' });
    }
    const top = [...cards.entries()].sort((a, b) => b[1].s - a[1].s).slice(0, 100);
    const hits = top.filter(([, c]) => c.f);
    for (const [id] of hits) found.add(id);
    total += hits.length / 100;
  }
  return total / days.length;
}

function expectMetrics(
  got: CompareMetrics,
  kept: Row[],
  pick: (r: Row) => { score: number; decision: Decision },
) {
  const labelled = kept.filter((r) => r.label !== null);
  const ys = labelled.map((r) => (r.label === 'fraud' ? 1 : 0));
  const ss = labelled.map((r) => pick(r).score);
  expect(got.auc).toBeCloseTo(pairAuc(ys, ss), 12);
  expect(got.ap).toBeCloseTo(meanPrecisionAtFrauds(ys, ss), 12);
  expect(got.cp_at_100).toBeCloseTo(
    cardPrecision(labelled, (r) => pick(r).score),
    12,
  );
  const alerts = kept.filter((r) => pick(r).decision !== 'approve').length;
  expect(got.alert_rate).toBeCloseTo(alerts / kept.length, 12);
}

/** Every expectation of the comparison on the migrated database `sql`. */
export async function checkModelCompare(root: Hono, sql: Sql, run: string): Promise<void> {
  const start = new Date('2026-03-01T00:00:00Z');
  const { kept, other } = rows(run, start);
  await insert(sql, [...kept, ...other]);
  // The champion's thresholds in force: set through the API (the thresholds table).
  await sql`INSERT INTO thresholds (model_version, review, decline, updated_at, updated_by)
            VALUES (${`${run}-champ`}, 0.5, 0.8, now(), 'test')`;
  const q = `champion=${run}-champ&challenger=${run}-chal&from=2026-03-01T00:00:00Z&to=2026-03-05T00:00:00Z`;
  const a = await call(root, 'GET', `/api/models/compare?${q}`);
  expect(a.status).toBe(200);
  const c = a.body as unknown as ModelCompare;
  expect(c.evaluated).toBe(kept.length);
  expect(c.labelled).toBe(kept.filter((r) => r.label !== null).length);
  // The champion's side is its model alone: its score under the thresholds in force for it.
  expect(c.champion_thresholds).toEqual({ review: 0.5, decline: 0.8 });
  const own = (r: Row) => ({ score: r.score, decision: decide(r.score, 0.5, 0.8) });
  expect(kept.filter((r) => r.decision !== own(r).decision).length).toBeGreaterThan(50);
  expectMetrics(c.champion, kept, own);
  expectMetrics(c.challenger, kept, (r) => r.challenger!);
  expect(c.ranking_warning).toBeNull();
  const differ = kept.filter((r) => own(r).decision !== r.challenger!.decision);
  // Enough that the comparison pruned its list of disagreements on the way.
  expect(differ.length).toBeGreaterThan(500);
  expect(c.agreement).toBeCloseTo(1 - differ.length / kept.length, 12);
  expect(c.disagreements.length).toBe(Math.min(50, differ.length));
  const gap = (r: Row) => Math.abs(r.score - r.challenger!.score);
  const widest = differ.sort((x, y) => gap(y) - gap(x))[0]!;
  expect(c.disagreements[0]).toEqual({
    transaction_id: widest.id,
    champion: own(widest),
    challenger: { score: widest.challenger!.score, decision: widest.challenger!.decision },
    stored_decision: widest.decision,
    label: widest.label,
  });
  // The stored decision stays visible where a rule overrode the model.
  expect(c.disagreements.some((d) => d.stored_decision !== d.champion.decision)).toBe(true);

  // Pages: a page of 97 rows reads the same.
  const paged = await compareModels(
    sql,
    `${run}-champ`,
    `${run}-chal`,
    {
      from: new Date('2026-03-01T00:00:00Z'),
      to: new Date('2026-03-05T00:00:00Z'),
    },
    97,
  );
  expect(paged).toEqual(c);

  // A long read as the backtest and the preview (heavy-reads.ts): past VIGIL_BACKTEST_TIMEOUT_MS
  // → 503 (not read to its end on the API's pool), and one at a time per analyst → 429.
  const strict = apiHarness(sql, { backtest: { sql, timeoutMs: 0, pageRows: 97 } }).root;
  const late = await call(strict, 'GET', `/api/models/compare?${q}`);
  expect(late.status, JSON.stringify(late.body)).toBe(503);
  expect(late.body.detail).toMatch(/comparison ran past its limit of 0 ms/);
  const limit = new OneReadPerAnalyst();
  const held = apiHarness(sql, { backtest: { sql, timeoutMs: 60_000, limit } }).root;
  let release!: () => void;
  const running = limit.run(
    'api',
    { what: 'backtest', timeoutMs: 60_000, signal: new AbortController().signal },
    () => new Promise<void>((r) => (release = r)),
  );
  const busy = await call(held, 'GET', `/api/models/compare?${q}`);
  expect(busy.status, JSON.stringify(busy.body)).toBe(429);
  release();
  await running;
  expect((await call(held, 'GET', `/api/models/compare?${q}`)).body).toEqual(c);

  // Refused: a missing version, a window backwards.
  const missing = await call(root, 'GET', `/api/models/compare?champion=${run}-champ`);
  expect(missing.status).toBe(400);
  expect((missing.body.errors as { path: string }[]).map((e) => e.path)).toEqual(['/challenger']);
  const backwards = await call(
    root,
    'GET',
    `/api/models/compare?champion=a&challenger=b&from=2026-03-05T00:00:00Z&to=2026-03-01T00:00:00Z`,
  );
  expect(backwards.status).toBe(400);
  // Nothing scored by both: zeros and nulls, not an error.
  const none = await call(
    root,
    'GET',
    `/api/models/compare?champion=${run}-champ&challenger=${run}-nobody`,
  );
  expect(none.body).toMatchObject({
    evaluated: 0,
    labelled: 0,
    agreement: null,
    ranking_warning: null,
    disagreements: [],
  });
  // A champion with no thresholds known anywhere has decided nothing: 404 naming it.
  const unknown = await call(
    root,
    'GET',
    `/api/models/compare?champion=${run}-ghost&challenger=${run}-chal`,
  );
  expect(unknown.status).toBe(404);
  expect((unknown.body.errors as { path: string }[]).map((e) => e.path)).toEqual(['/champion']);

  // Labels of one class only: AUC and AP cannot rank, and the answer says so.
  const onlyFraud = kept.slice(0, 40).map((r, i) => ({
    ...r,
    id: `${run}_cmp_f${i}`,
    label: 'fraud' as const,
    scoredAt: new Date('2026-04-01T00:00:00Z'),
  }));
  await insert(sql, onlyFraud);
  const oneClass = `champion=${run}-champ&challenger=${run}-chal&from=2026-04-01T00:00:00Z&to=2026-04-02T00:00:00Z`;
  const f = (await call(root, 'GET', `/api/models/compare?${oneClass}`))
    .body as unknown as ModelCompare;
  expect(f.labelled).toBe(40);
  expect([f.champion.auc, f.champion.ap, f.challenger.auc, f.challenger.ap]).toEqual([
    null,
    null,
    null,
    null,
  ]);
  expect(f.ranking_warning).toBe('no legitimate labels in the window: AUC and AP cannot rank');
}
