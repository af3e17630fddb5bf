/**
 * The stored decisions of one model version in a window, streamed through core's preview engine
 * in keyset pages of (scored_at, transaction_id) — PGlite has no cursors, and a page is a short
 * statement, so the consumer's writes and the dashboard's reads take turns with a long preview on
 * a one-connection pool instead of waiting for it. Memory is one page, whatever the window holds.
 * Only the columns the preview reads: score, amount (and its currency), label and the rules that matched.
 */
import {
  LABEL_FRAUD,
  LABEL_LEGITIMATE,
  LABEL_NONE,
  ruleBits,
  ThresholdsPreviewTally,
  type PreviewLabel,
  type Thresholds,
} from '@vigil/core';
import type { Sql } from 'postgres';
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
  const row = {
    score: 0,
    amount: 0,
    currency: null as string | null,
    label: LABEL_NONE as PreviewLabel,
    rules: 0,
  };
  let after: readonly [string, string] | null = null;
  for (;;) {
    // scored_at travels as Postgres's text (microseconds kept) only to continue after the page;
    // it goes back as text too: a parameter typed timestamptz is sent by postgres.js through a
    // JS Date, at milliseconds, and the page's last row would come again.
    const rows: unknown[][] = await sql`
      SELECT to_json(scored_at) #>> '{}', transaction_id, score, amount, label, rules, currency
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
      row.currency = typeof r[6] === 'string' ? r[6] : null;
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
