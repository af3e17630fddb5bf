/**
 * GET /api/models/compare: the champion's stored decisions in a window that the challenger also
 * scored (transactions.challenger, written by the consumer from the decision event), read in
 * keyset pages of (scored_at, transaction_id) as the thresholds preview reads them (PGlite has no
 * cursors). Ranking metrics (AUC, AP, CP@100) are core's, over the decisions labelled now; alert
 * rates and agreement over every decision both scored.
 */
import {
  averagePrecision,
  cardPrecisionAtK,
  DECISIONS,
  MAX_COMPARE_DISAGREEMENTS,
  rocAuc,
  type CompareDisagreement,
  type CompareMetrics,
  type ModelCompare,
} from '@vigil/core';
import type { Sql } from 'postgres';
import * as z from 'zod/mini';
import { RowError } from '../rows.js';

/** Rows per page, as the thresholds preview. */
export const COMPARE_PAGE_ROWS = 10_000;
const DAY_MS = 86_400_000;

export interface CompareWindow {
  readonly from: Date;
  readonly to: Date;
}

const compareRow = z.object({
  at: z.string(),
  transaction_id: z.string(),
  customer_id: z.string(),
  ts: z.date(),
  score: z.number(),
  decision: z.enum(DECISIONS),
  label: z.nullable(z.enum(['fraud', 'legitimate'])),
  challenger: z.object({ score: z.number(), decision: z.enum(DECISIONS) }),
});
type CompareRow = z.infer<typeof compareRow>;

/** The rows' metrics for one model, `pick` reading its score and decision. */
function metricsOf(
  rows: readonly CompareRow[],
  labelled: readonly CompareRow[],
  pick: (r: CompareRow) => { score: number; decision: string },
): CompareMetrics {
  const y = labelled.map((r) => (r.label === 'fraud' ? 1 : 0));
  const s = labelled.map((r) => pick(r).score);
  // Cards and UTC days of the transactions' own time, as the handbook's CP@k counts them.
  const cards = new Map<string, number>();
  const card = labelled.map((r) => {
    let id = cards.get(r.customer_id);
    if (id === undefined) cards.set(r.customer_id, (id = cards.size));
    return id;
  });
  const day = labelled.map((r) => Math.floor(r.ts.getTime() / DAY_MS));
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  const alerts = rows.filter((r) => pick(r).decision !== 'approve').length;
  return {
    auc: finite(rocAuc(y, s)),
    ap: finite(averagePrecision(y, s)),
    cp_at_100: labelled.length === 0 ? null : cardPrecisionAtK(card, day, y, s, 100),
    alert_rate: rows.length === 0 ? null : alerts / rows.length,
  };
}

/** Compare `champion` and `challenger` over the window's decisions both scored. */
export async function compareModels(
  sql: Sql,
  champion: string,
  challenger: string,
  window: CompareWindow,
  pageRows = COMPARE_PAGE_ROWS,
): Promise<ModelCompare> {
  const rows: CompareRow[] = [];
  let after: readonly [string, string] | null = null;
  for (;;) {
    // scored_at goes back as Postgres's text (microseconds kept): see preview-query.ts.
    const page = await sql`
      SELECT to_json(scored_at) #>> '{}' AS at, transaction_id, customer_id, ts, score, decision,
             label, challenger
      FROM transactions
      WHERE model_version = ${champion} AND challenger ->> 'model_version' = ${challenger}
        AND scored_at >= ${window.from} AND scored_at < ${window.to}
        ${after ? sql`AND (scored_at, transaction_id) > (${after[0]}::text::timestamptz, ${after[1]})` : sql``}
      ORDER BY scored_at, transaction_id
      LIMIT ${pageRows}`;
    for (const row of page) {
      const r = z.safeParse(compareRow, row);
      if (!r.success) throw new RowError('compared transaction', r.error);
      rows.push(r.data);
    }
    if (page.length < pageRows) break;
    const last = rows[rows.length - 1]!;
    after = [last.at, last.transaction_id];
  }
  const labelled = rows.filter((r) => r.label !== null);
  const differ: CompareDisagreement[] = rows
    .filter((r) => r.decision !== r.challenger.decision)
    .map((r) => ({
      transaction_id: r.transaction_id,
      champion: { score: r.score, decision: r.decision },
      challenger: { score: r.challenger.score, decision: r.challenger.decision },
      label: r.label,
    }));
  // The largest score gaps first: where the two models see a transaction most differently.
  const gap = (d: CompareDisagreement) => Math.abs(d.champion.score - d.challenger.score);
  differ.sort((a, b) => gap(b) - gap(a) || (a.transaction_id < b.transaction_id ? -1 : 1));
  return {
    window: { from: window.from.toISOString(), to: window.to.toISOString() },
    champion_version: champion,
    challenger_version: challenger,
    evaluated: rows.length,
    labelled: labelled.length,
    champion: metricsOf(rows, labelled, (r) => r),
    challenger: metricsOf(rows, labelled, (r) => r.challenger),
    agreement: rows.length === 0 ? null : (rows.length - differ.length) / rows.length,
    disagreements: differ.slice(0, MAX_COMPARE_DISAGREEMENTS),
  };
}
