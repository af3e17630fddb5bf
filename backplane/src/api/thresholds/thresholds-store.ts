/**
 * Thresholds per model version in Postgres (migration 008): the one place they live. A change is
 * written with its audit row in one transaction; the edges' rules sync reads the row of the model
 * each edge serves, and records which models the edges serve with their own thresholds.
 */
import type { ServedModel, Thresholds, ThresholdsSetting } from '@vigil/core';
import type { Sql, TransactionSql } from 'postgres';
import * as z from 'zod/mini';
import { writeAudit } from '../audit/audit-log.js';
import { RowError } from '../rows.js';
import { inForceOf, thresholdsInForceByVersion } from './thresholds-in-force.js';

const settingRow = z.object({
  model_version: z.string(),
  review: z.number(),
  decline: z.number(),
  updated_at: z.date(),
  updated_by: z.string(),
});
const servedRow = z.object({
  model_version: z.string(),
  review: z.number(),
  decline: z.number(),
  seen_at: z.date(),
});

function parse<S extends z.ZodMiniType>(what: string, schema: S, row: unknown): z.infer<S> {
  const r = z.safeParse(schema, row);
  if (!r.success) throw new RowError(what, r.error);
  return r.data;
}

const setting = (row: unknown): ThresholdsSetting => {
  const r = parse('thresholds', settingRow, row);
  return { ...r, updated_at: r.updated_at.toISOString() };
};

/** Every model version with thresholds set, the latest change first. */
export async function listThresholds(sql: Sql): Promise<ThresholdsSetting[]> {
  const rows = await sql`
    SELECT model_version, review, decline, updated_at, updated_by
    FROM thresholds ORDER BY updated_at DESC, model_version`;
  return rows.map(setting);
}

/** The thresholds set for `modelVersion`, or null when none are. */
export async function thresholdsOf(
  sql: Sql | TransactionSql,
  modelVersion: string,
): Promise<ThresholdsSetting | null> {
  const [row] = await sql`
    SELECT model_version, review, decline, updated_at, updated_by
    FROM thresholds WHERE model_version = ${modelVersion}`;
  return row ? setting(row) : null;
}

/**
 * Set `modelVersion`'s thresholds, with the audit row (`thresholds.set`, before and after), in one
 * transaction. The same values again write nothing and answer the row as it is.
 */
export async function setThresholds(
  sql: Sql,
  modelVersion: string,
  t: Thresholds,
  actor: string,
  at: Date,
): Promise<ThresholdsSetting> {
  return sql.begin(async (tx) => {
    // Serialises two analysts' changes of one model's thresholds: each audit row's `before` is
    // what the change replaced.
    const [locked] = await tx`
      SELECT model_version, review, decline, updated_at, updated_by
      FROM thresholds WHERE model_version = ${modelVersion} FOR UPDATE`;
    const before = locked ? setting(locked) : null;
    if (before && before.review === t.review && before.decline === t.decline) return before;
    const [row] = await tx`
      INSERT INTO thresholds (model_version, review, decline, updated_at, updated_by)
      VALUES (${modelVersion}, ${t.review}, ${t.decline}, ${at}, ${actor})
      ON CONFLICT (model_version) DO UPDATE
        SET review = excluded.review, decline = excluded.decline,
            updated_at = excluded.updated_at, updated_by = excluded.updated_by
      RETURNING model_version, review, decline, updated_at, updated_by`;
    await writeAudit(
      tx,
      [
        {
          actor,
          action: 'thresholds.set',
          target: `thresholds:${modelVersion}`,
          before: before && { review: before.review, decline: before.decline },
          after: { review: t.review, decline: t.decline },
        },
      ],
      at,
    );
    return setting(row);
  });
}

/** Record that an edge serves `modelVersion`, whose metadata has thresholds `own`, at `at`. */
export async function recordServedModel(
  sql: Sql,
  modelVersion: string,
  own: Thresholds,
  at: Date,
): Promise<void> {
  await sql`
    INSERT INTO served_models (model_version, review, decline, seen_at)
    VALUES (${modelVersion}, ${own.review}, ${own.decline}, ${at})
    ON CONFLICT (model_version) DO UPDATE
      SET review = excluded.review, decline = excluded.decline,
          seen_at = GREATEST(served_models.seen_at, excluded.seen_at)`;
}

/**
 * The models edges reported serving, the most recently seen first, with what is in force for each
 * (thresholds-in-force.ts: the rule the backtest, the preview and the models listing use too).
 */
export async function servedModels(sql: Sql): Promise<ServedModel[]> {
  const rows = await sql`
    SELECT model_version, review, decline, seen_at FROM served_models
    ORDER BY seen_at DESC, model_version`;
  const served = rows.map((row) => parse('served model', servedRow, row));
  const inForce = await thresholdsInForceByVersion(
    sql,
    served.map((r) => r.model_version),
  );
  return served.map((r) => ({
    model_version: r.model_version,
    model_thresholds: { review: r.review, decline: r.decline },
    in_force: inForceOf(inForce, r.model_version).thresholds,
    seen_at: r.seen_at.toISOString(),
  }));
}
