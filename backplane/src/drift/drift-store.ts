/**
 * The drift_runs table (migration 011): a run written by the drift job, the newest read back for
 * GET /api/drift — validated with core's schema on the way out, as every row the API serves.
 */
import { driftRunSchema, driftSummary, type DriftRun } from '@vigil/core';
import type { Sql } from 'postgres';
import * as z from 'zod/mini';

/** Runs are kept this long; older ones go at each run (the table stays ~2,000 hourly rows). */
export const DRIFT_KEEP_DAYS = 90;

interface DriftRow {
  computed_at: string;
  model_version: string | null;
  from: string;
  to: string;
  rows: number;
  status: string;
  score_psi: number | null;
  features: unknown;
}

/** Store one run; deletes runs older than DRIFT_KEEP_DAYS. */
export async function insertDriftRun(sql: Sql, run: DriftRun): Promise<void> {
  await sql`
    INSERT INTO drift_runs
      (computed_at, model_version, window_from, window_to, rows, status, score_psi, features)
    VALUES (${run.computed_at}, ${run.model_version}, ${run.from}, ${run.to}, ${run.rows},
            ${run.status}, ${run.score_psi}, ${sql.json(run.features)})`;
  await sql`
    DELETE FROM drift_runs
    WHERE computed_at < ${run.computed_at}::timestamptz - make_interval(days => ${DRIFT_KEEP_DAYS})`;
}

/** The newest run, or null before the first. */
export async function latestDriftRun(sql: Sql): Promise<DriftRun | null> {
  const [row] = await sql<DriftRow[]>`
    SELECT to_json(computed_at) #>> '{}' AS computed_at, model_version,
           to_json(window_from) #>> '{}' AS "from", to_json(window_to) #>> '{}' AS "to",
           rows, status, score_psi, features
    FROM drift_runs ORDER BY computed_at DESC, id DESC LIMIT 1`;
  if (!row) return null;
  return z.parse(driftRunSchema, fromRow(row));
}

function fromRow(row: DriftRow): unknown {
  const features = Array.isArray(row.features) ? (row.features as { psi: number }[]) : [];
  // An unexpected features value fails the schema below, with the other checks.
  const ok = features.every((f) => typeof f?.psi === 'number');
  // Every time the API answers is UTC with milliseconds and Z (to_json gives '+00:00').
  const iso = (t: string) => new Date(t).toISOString();
  return {
    ...row,
    computed_at: iso(row.computed_at),
    from: iso(row.from),
    to: iso(row.to),
    ...(ok ? driftSummary(row.score_psi, features) : {}),
  };
}
