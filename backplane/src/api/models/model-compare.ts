/**
 * GET /api/models/compare: the champion's stored decisions in a window that the challenger also
 * scored (transactions.challenger, written by the consumer from the decision event), read in
 * keyset pages of (scored_at, transaction_id) as the thresholds preview reads them (PGlite has no
 * cursors). Ranking metrics (AUC, AP, CP@100) are core's, over the decisions labelled now; alert
 * rates and agreement over every decision both scored. Model against model: the stored decision
 * includes rules and lists (a block-listed card declined at score 0.004), the challenger's is its
 * model alone, so the champion's side is its score under the thresholds in force for its version
 * (the one rule, thresholds-in-force.ts; core's decide); the stored decision rides along as context.
 */
import {
  averagePrecision,
  cardPrecisionAtK,
  decide,
  DECISIONS,
  MAX_COMPARE_DISAGREEMENTS,
  rocAuc,
  type CompareDisagreement,
  type CompareMetrics,
  type ModelCompare,
} from '@vigil/core';
import type { Sql } from 'postgres';
import * as z from 'zod/mini';
import { ProblemError } from '../../http/problem.js';
import { RowError } from '../rows.js';
import { thresholdsInForce } from '../thresholds/thresholds-in-force.js';

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

/** What one model's side of the comparison accumulates. */
class Side {
  readonly scores: number[] = [];
  alerts = 0;

  metrics(
    y: readonly number[],
    card: readonly number[],
    day: readonly number[],
    n: number,
  ): CompareMetrics {
    const finite = (v: number) => (Number.isFinite(v) ? v : null);
    // With one class only nothing is ranked: AP over frauds alone is a vacuous 1 (rankingWarning).
    const ranks = y.includes(0) && y.includes(1);
    return {
      auc: ranks ? finite(rocAuc(y, this.scores)) : null,
      ap: ranks ? finite(averagePrecision(y, this.scores)) : null,
      // Cards and UTC days of the transactions' own time, as the handbook's CP@k counts them.
      cp_at_100: y.length === 0 ? null : cardPrecisionAtK(card, day, y, this.scores, 100),
      alert_rate: n === 0 ? null : this.alerts / n,
    };
  }
}

/** The largest score gaps first: where the two models see a transaction most differently. */
const gap = (d: CompareDisagreement) => Math.abs(d.champion.score - d.challenger.score);
const widestFirst = (a: CompareDisagreement, b: CompareDisagreement) =>
  gap(b) - gap(a) || (a.transaction_id < b.transaction_id ? -1 : 1);

/** Why AUC and AP are null over labels `y` of one class only; null when both classes are there. */
export function rankingWarning(y: readonly number[]): string | null {
  if (y.length === 0) return null;
  if (!y.includes(0)) return 'no legitimate labels in the window: AUC and AP cannot rank';
  if (!y.includes(1)) return 'no fraud labels in the window: AUC and AP cannot rank';
  return null;
}

/**
 * Compare `champion` and `challenger` over the window's decisions both scored. Memory is one page
 * plus, per labelled decision, two scores, a card and a day (the ranking metrics need them all);
 * disagreements are kept to the widest few.
 */
export async function compareModels(
  sql: Sql,
  champion: string,
  challenger: string,
  window: CompareWindow,
  pageRows = COMPARE_PAGE_ROWS,
  betweenPages?: () => void,
): Promise<ModelCompare> {
  const inForce = await thresholdsInForce(sql, champion);
  if (inForce === null) {
    // No thresholds set, registered, reported by an edge or deployed: no decision of it is stored.
    throw new ProblemError('not-found', `no thresholds are known for model ${champion}`, {
      errors: [{ path: '/champion', message: 'no model of this version has decided' }],
    });
  }
  const thresholds = inForce.thresholds;
  const champ = new Side();
  const chal = new Side();
  const y: number[] = [];
  const card: number[] = [];
  const day: number[] = [];
  const cards = new Map<string, number>();
  let differ: CompareDisagreement[] = [];
  let differCount = 0;
  let evaluated = 0;
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
    let last: CompareRow | undefined;
    for (const row of page) {
      const parsed = z.safeParse(compareRow, row);
      if (!parsed.success) throw new RowError('compared transaction', parsed.error);
      const r = (last = parsed.data);
      evaluated++;
      const modelDecision = decide(r.score, thresholds);
      if (modelDecision !== 'approve') champ.alerts++;
      if (r.challenger.decision !== 'approve') chal.alerts++;
      if (r.label !== null) {
        y.push(r.label === 'fraud' ? 1 : 0);
        champ.scores.push(r.score);
        chal.scores.push(r.challenger.score);
        let id = cards.get(r.customer_id);
        if (id === undefined) cards.set(r.customer_id, (id = cards.size));
        card.push(id);
        day.push(Math.floor(r.ts.getTime() / DAY_MS));
      }
      if (modelDecision !== r.challenger.decision) {
        differCount++;
        differ.push({
          transaction_id: r.transaction_id,
          champion: { score: r.score, decision: modelDecision },
          challenger: { score: r.challenger.score, decision: r.challenger.decision },
          stored_decision: r.decision,
          label: r.label,
        });
        if (differ.length > 10 * MAX_COMPARE_DISAGREEMENTS) {
          differ = differ.sort(widestFirst).slice(0, MAX_COMPARE_DISAGREEMENTS);
        }
      }
    }
    if (page.length < pageRows || !last) break;
    after = [last.at, last.transaction_id];
    // The limit's clock and a client gone (heavy-reads.ts), as the backtest and the preview.
    betweenPages?.();
  }
  return {
    window: { from: window.from.toISOString(), to: window.to.toISOString() },
    champion_version: champion,
    challenger_version: challenger,
    evaluated,
    labelled: y.length,
    champion_thresholds: thresholds,
    champion: champ.metrics(y, card, day, evaluated),
    challenger: chal.metrics(y, card, day, evaluated),
    ranking_warning: rankingWarning(y),
    agreement: evaluated === 0 ? null : (evaluated - differCount) / evaluated,
    disagreements: differ.sort(widestFirst).slice(0, MAX_COMPARE_DISAGREEMENTS),
  };
}
