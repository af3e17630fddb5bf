/**
 * For the drift tests, on PGlite (drift-monitor.test.ts) and on a real PostgreSQL
 * (backplane/test/drift.test.ts): stored decisions of the champion in and out of the window,
 * another model's decisions, and the expected PSI computed independently — bins by SQL's
 * width_bucket, shares and PSI by a SQL aggregate — so the job's JavaScript is held to Postgres's
 * arithmetic, not to itself.
 */
import type { DriftReference } from '@vigil/core';
import { pino } from 'pino';
import type { Sql } from 'postgres';
import { BackplaneMetrics } from '../http/backplane-metrics.js';
import type { DriftChampion } from './drift-champion.js';
import { startDriftMonitor } from './drift-monitor.js';

export const NOW = new Date('2026-06-01T12:00:00Z');
export const WINDOW_MINUTES = 60;
export const CHAMPION = 'train-20260501-abcdef12';
/** Champion decisions in the window. */
export const IN_WINDOW = 1_234;

export const REFERENCE: DriftReference = {
  rows: 'training window',
  score: { edges: [0.05, 0.2, 0.5], proportions: [0.7, 0.2, 0.07, 0.03] },
  features: [
    { name: 'amount', edges: [20, 50, 100, 200], proportions: [0.2, 0.3, 0.3, 0.15, 0.05] },
    { name: 'hour_of_day', edges: [6, 12, 18], proportions: [0.25, 0.25, 0.25, 0.25] },
    // Never stored by these decisions: reported for no row.
    { name: 'terminal_risk_7d', edges: [0.1], proportions: [0.9, 0.1] },
  ],
};

/** A deterministic draw in [0, 1) (an LCG): the same decisions on both databases. */
function draws(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Row {
  id: string;
  scoredAt: Date;
  model: string;
  score: number;
  features: Record<string, number>;
}

async function insertRows(sql: Sql, rows: readonly Row[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const values = rows.slice(i, i + 500).map((r) => ({
      transaction_id: r.id,
      event_id: `dec:${r.id}`,
      ts: r.scoredAt,
      customer_id: 'c_1',
      terminal_id: 't_1',
      amount: r.features.amount ?? 1,
      score: r.score,
      decision: 'approve',
      reasons: sql.json([]),
      features: sql.json(r.features),
      model_version: r.model,
      degraded: false,
      scored_at: r.scoredAt,
      runtime: 'node',
      latency_ms: 1,
    }));
    await sql`INSERT INTO transactions ${sql(values)}`;
  }
}

/** Seed the champion's drifted decisions in the window, and decisions the run must leave out. */
export async function seedDrift(sql: Sql): Promise<void> {
  const next = draws(42);
  const rows: Row[] = [];
  const start = NOW.getTime() - WINDOW_MINUTES * 60_000;
  for (let i = 0; i < IN_WINDOW; i++) {
    rows.push({
      id: `tx_in_${i}`,
      // Three per millisecond at the end of the window: pages end inside a millisecond too.
      scoredAt: new Date(NOW.getTime() - 1 - Math.floor(i / 3)),
      model: CHAMPION,
      // Scores and amounts shifted up against the reference; hours as trained.
      score: next() ** 2,
      features: { amount: 30 + next() * 300, hour_of_day: Math.floor(next() * 24) },
    });
  }
  // Left out: before the window, at its end (exclusive), another model's, and a malformed row.
  for (let i = 0; i < 50; i++) {
    const f = { amount: 5, hour_of_day: 3 };
    rows.push({
      id: `tx_old_${i}`,
      scoredAt: new Date(start - 1 - i),
      model: CHAMPION,
      score: 0.99,
      features: f,
    });
    rows.push({
      id: `tx_other_${i}`,
      scoredAt: new Date(NOW.getTime() - 5_000),
      model: 'gbdt-other',
      score: 0.99,
      features: f,
    });
  }
  rows.push({
    id: 'tx_at_now',
    scoredAt: NOW,
    model: CHAMPION,
    score: 0.99,
    features: { amount: 5 },
  });
  await insertRows(sql, rows);
}

/** PSI of the champion's window computed by Postgres alone: `expr` is one value of a row. */
async function psiBySql(
  sql: Sql,
  expr: string,
  edges: number[],
  expected: number[],
): Promise<number> {
  const rows = await sql.unsafe<{ psi: number }[]>(
    `WITH w AS (
       SELECT ${expr} AS x FROM transactions
       WHERE model_version = $1 AND scored_at >= $2 AND scored_at < $3),
     bins AS (SELECT generate_series(0, $4::int) AS b),
     counts AS (
       SELECT bins.b, count(w.x)::float8 / (SELECT count(x) FROM w) AS a
       FROM bins LEFT JOIN w ON width_bucket(w.x, $5::float8[]) = bins.b GROUP BY bins.b)
     SELECT sum((greatest(a, 1e-4) - greatest(e, 1e-4)) * ln(greatest(a, 1e-4) / greatest(e, 1e-4)))::float8 AS psi
     FROM counts JOIN unnest($6::float8[]) WITH ORDINALITY AS ref(e, i) ON ref.i = counts.b + 1`,
    [
      CHAMPION,
      new Date(NOW.getTime() - WINDOW_MINUTES * 60_000),
      NOW,
      edges.length,
      edges,
      expected,
    ] as never[],
  );
  return rows[0]!.psi;
}

/** The expected PSI of the score and of each stored feature, by Postgres. */
export async function expectedPsi(
  sql: Sql,
  reference: DriftReference = REFERENCE,
): Promise<{ score: number; features: Record<string, number> }> {
  const { score, features } = reference;
  const out: Record<string, number> = {};
  for (const f of features.filter((f) => f.name === 'amount' || f.name === 'hour_of_day'))
    out[f.name] = await psiBySql(sql, `(features->>'${f.name}')::float8`, f.edges, f.proportions);
  return { score: await psiBySql(sql, 'score', score.edges, score.proportions), features: out };
}

/** A drift monitor over `sql` on the scenario's clock (interval: a day), and its metrics. */
export function driftFor(sql: Sql, champion: DriftChampion | null, maxRows?: number) {
  const metrics = new BackplaneMetrics({ processMetrics: false });
  const monitor = startDriftMonitor({
    sql,
    champion: () => Promise.resolve(champion),
    windowMinutes: WINDOW_MINUTES,
    log: pino({ level: 'silent' }),
    metrics,
    intervalMs: 86_400_000,
    now: () => NOW,
    ...(maxRows ? { maxRows } : {}),
  });
  const gauges = async () =>
    Object.fromEntries(
      (await metrics.driftPsi.get()).values.map((v) => [String(v.labels.feature), v.value]),
    );
  return { monitor, metrics, gauges };
}
