/**
 * The thresholds in force per model version — the one rule every answer that names them uses: the
 * backtest's model decisions, the thresholds preview's `current`, `GET /api/thresholds`'s
 * `served[].in_force` and the models listing's `thresholds`. Those set through the API (the
 * thresholds table), else the model's own metadata's: the registry's (models), as its edges
 * reported it (served_models), or the deployed model's file — the order an edge resolves them in
 * (edge/src/scoring/served-models.ts's thresholdsOf: set for its version, else its metadata's).
 */
import type { ThresholdsInForce } from '@vigil/core';
import type { Sql, TransactionSql } from 'postgres';
import * as z from 'zod/mini';
import { RowError } from '../rows.js';
import { deployedModel } from '../models/deployed-model.js';

/** The deployed model's version (edge/model/), or null when the backplane has no valid copy. */
export async function deployedModelVersion(): Promise<string | null> {
  return (await deployedModel())?.version ?? null;
}

const inForceRow = z.object({
  model_version: z.string(),
  review: z.number(),
  decline: z.number(),
  source: z.enum(['set', 'model']),
});

/**
 * The thresholds in force per model version (`versions`, or every version known), by the rule of
 * the file's comment. A version with none of set, registry, edges' report or deployed file is
 * absent. `sql` may be a transaction's, so a listing read in one resolves in the same snapshot.
 */
export async function thresholdsInForceByVersion(
  sql: Sql | TransactionSql,
  versions?: readonly string[],
): Promise<Map<string, ThresholdsInForce>> {
  const q = sql as Sql;
  const only = versions === undefined ? null : (versions as string[]);
  const rows = await q`
    SELECT DISTINCT ON (model_version) model_version, review, decline, source FROM (
      SELECT model_version, review, decline, 'set' AS source, 0 AS rank FROM thresholds
      UNION ALL
      SELECT version, (metadata #>> '{thresholds,review}')::float8,
             (metadata #>> '{thresholds,decline}')::float8, 'model', 1 FROM models
      UNION ALL
      SELECT model_version, review, decline, 'model', 2 FROM served_models
    ) known
    WHERE ${only === null ? q`true` : q`model_version = ANY(${only})`}
    ORDER BY model_version, rank`;
  const out = new Map<string, ThresholdsInForce>();
  for (const row of rows) {
    const r = z.safeParse(inForceRow, row);
    if (!r.success) throw new RowError('thresholds in force', r.error);
    const { model_version, review, decline, source } = r.data;
    out.set(model_version, { thresholds: { review, decline }, source });
  }
  const d = await deployedModel();
  if (d && !out.has(d.version) && (only === null || only.includes(d.version))) {
    out.set(d.version, { thresholds: d.thresholds, source: 'model' });
  }
  return out;
}

/** The thresholds in force for `modelVersion` (thresholdsInForceByVersion); null when unknown. */
export async function thresholdsInForce(
  sql: Sql | TransactionSql,
  modelVersion: string,
): Promise<ThresholdsInForce | null> {
  return (await thresholdsInForceByVersion(sql, [modelVersion])).get(modelVersion) ?? null;
}

/**
 * The thresholds in force for `modelVersion` out of `inForce`, for a version read from a table the
 * resolution reads too (a registered model, a served one): absent, the rows changed under the
 * reader, which neither table allows (their rows are never deleted).
 */
export function inForceOf(
  inForce: ReadonlyMap<string, ThresholdsInForce>,
  modelVersion: string,
): ThresholdsInForce {
  const t = inForce.get(modelVersion);
  if (t === undefined) {
    throw new RowError('thresholds in force', `none resolved for model ${modelVersion}`);
  }
  return t;
}
