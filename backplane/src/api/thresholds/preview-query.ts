/**
 * The stored decisions of one model version in a window, streamed through core's preview engine
 * in keyset pages of (scored_at, transaction_id) — PGlite has no cursors, and a page is a short
 * statement, so the consumer's writes and the dashboard's reads take turns with a long preview on
 * a one-connection pool instead of waiting for it. Memory is one page, whatever the window holds.
 * Only the columns the preview reads: score, amount, label and the rules that matched.
 */
import {
  LABEL_FRAUD,
  LABEL_LEGITIMATE,
  LABEL_NONE,
  ruleBits,
  ThresholdsPreviewTally,
  type PreviewLabel,
  type Thresholds,
  type ThresholdsInForce,
} from '@vigil/core';
import type { Sql } from 'postgres';
import * as z from 'zod/mini';
import { deployedModel } from '../models/deployed-model.js';
import { RowError } from '../rows.js';

/** Rows per page: large enough that round trips do not dominate, small enough to stay a few MB. */
export const PREVIEW_PAGE_ROWS = 10_000;

export interface PreviewQuery {
  readonly modelVersion: string;
  /** scored_at ≥ from and < to. */
  readonly from: Date;
  readonly to: Date;
  readonly proposed: Thresholds;
  readonly current: Thresholds | null;
  readonly pageRows?: number;
  /** Called before each page after the first (the limit's clock, a client gone); may throw. */
  readonly betweenPages?: () => void;
}

function label(v: unknown): PreviewLabel {
  if (v === null) return LABEL_NONE;
  if (v === 'fraud') return LABEL_FRAUD;
  if (v === 'legitimate') return LABEL_LEGITIMATE;
  throw new RowError('transaction', `label ${JSON.stringify(v)}`);
}

function ruleHits(v: unknown): readonly { readonly action: string }[] | null {
  if (v === null) return null;
  if (Array.isArray(v) && v.every((h) => typeof (h as { action?: unknown }).action === 'string')) {
    return v as { action: string }[];
  }
  throw new RowError('transaction', 'rules is not an array of rule hits');
}

/** Every decision of the query's model version in its window, through one tally. */
export async function runPreview(sql: Sql, q: PreviewQuery): Promise<ThresholdsPreviewTally> {
  const tally = new ThresholdsPreviewTally(q.proposed, q.current);
  const limit = q.pageRows ?? PREVIEW_PAGE_ROWS;
  // One mutable row handed to the tally for every decision: no allocation per row.
  const row = { score: 0, amount: 0, label: LABEL_NONE as PreviewLabel, rules: 0 };
  let after: readonly [string, string] | null = null;
  for (;;) {
    // scored_at travels as Postgres's text (microseconds kept) only to continue after the page;
    // it goes back as text too: a parameter typed timestamptz is sent by postgres.js through a
    // JS Date, at milliseconds, and the page's last row would come again.
    const rows: unknown[][] = await sql`
      SELECT to_json(scored_at) #>> '{}', transaction_id, score, amount, label, rules
      FROM transactions
      WHERE model_version = ${q.modelVersion}
        AND scored_at >= ${q.from} AND scored_at < ${q.to}
        ${after ? sql`AND (scored_at, transaction_id) > (${after[0]}::text::timestamptz, ${after[1]})` : sql``}
      ORDER BY scored_at, transaction_id
      LIMIT ${limit}`.values();
    for (const r of rows) {
      const score = r[2];
      const amount = r[3];
      if (typeof score !== 'number' || typeof amount !== 'number') {
        throw new RowError('transaction', 'score or amount is not a number');
      }
      row.score = score;
      row.amount = amount;
      row.label = label(r[4]);
      row.rules = r[5] === null ? 0 : ruleBits(ruleHits(r[5]));
      tally.add(row);
    }
    if (rows.length < limit) return tally;
    const last: unknown[] = rows[rows.length - 1]!;
    after = [String(last[0]), String(last[1])];
    q.betweenPages?.();
  }
}

/** How recently an edge must have reported a model for it to count as served now. */
const SERVED_NOW_MS = 5 * 60_000;

/**
 * The model version a preview replays by default: the one edges reported serving most recently
 * (within five minutes of `now`), else the model of the newest decision in the window; null when
 * there is neither.
 */
export async function defaultModelVersion(
  sql: Sql,
  window: { readonly from: Date; readonly to: Date },
  now: Date,
): Promise<string | null> {
  const [served] = await sql<{ model_version: string }[]>`
    SELECT model_version FROM served_models
    WHERE seen_at >= ${new Date(now.getTime() - SERVED_NOW_MS)}
    ORDER BY seen_at DESC, model_version LIMIT 1`;
  if (served) return served.model_version;
  const [newest] = await sql<{ model_version: string }[]>`
    SELECT model_version FROM transactions
    WHERE scored_at >= ${window.from} AND scored_at < ${window.to}
    ORDER BY scored_at DESC, transaction_id DESC LIMIT 1`;
  return newest?.model_version ?? null;
}

const inForceRow = z.object({
  model_version: z.string(),
  review: z.number(),
  decline: z.number(),
  source: z.enum(['set', 'model']),
});

/**
 * The thresholds in force per model version (`versions`, or every version known): those set
 * through the API, else the model's own metadata's — the registry's (models), as its edges
 * reported it (served_models), or the deployed model's file — the order an edge resolves them in
 * (edge/src/scoring/served-models.ts's thresholdsOf). A version with none of these is absent.
 */
export async function thresholdsInForceByVersion(
  sql: Sql,
  versions?: readonly string[],
): Promise<Map<string, ThresholdsInForce>> {
  const only = versions === undefined ? null : (versions as string[]);
  const rows = await sql`
    SELECT DISTINCT ON (model_version) model_version, review, decline, source FROM (
      SELECT model_version, review, decline, 'set' AS source, 0 AS rank FROM thresholds
      UNION ALL
      SELECT version, (metadata #>> '{thresholds,review}')::float8,
             (metadata #>> '{thresholds,decline}')::float8, 'model', 1 FROM models
      UNION ALL
      SELECT model_version, review, decline, 'model', 2 FROM served_models
    ) known
    WHERE ${only === null ? sql`true` : sql`model_version = ANY(${only})`}
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
  sql: Sql,
  modelVersion: string,
): Promise<ThresholdsInForce | null> {
  return (await thresholdsInForceByVersion(sql, [modelVersion])).get(modelVersion) ?? null;
}
