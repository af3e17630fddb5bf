/**
 * The transactions list and one transaction in full, as SQL. The list pages by keyset on
 * (scored_at DESC, transaction_id DESC), which the index transactions_listing serves, so page
 * 1,000 costs what page 1 does.
 */
import type { Decision, Page, TransactionDetail, TransactionSummary } from '@vigil/core';
import type { Sql } from 'postgres';
import { encodeCursor } from './cursor.js';
import {
  caseColumns,
  detailColumns,
  summaryColumns,
  toCase,
  toDetailCore,
  toFeedbackRecord,
  toSummary,
} from './rows.js';

/** How many earlier transactions of the customer and of the terminal a detail shows. */
export const HISTORY_LENGTH = 10;

export interface TransactionFilter {
  readonly decision?: readonly Decision[];
  readonly minScore?: number;
  readonly maxScore?: number;
  readonly customerId?: string;
  readonly terminalId?: string;
  /** scored_at ≥ from. */
  readonly from?: Date;
  /** scored_at < to. */
  readonly to?: Date;
  /** The latest verdict; 'none' for transactions without one. */
  readonly label?: 'fraud' | 'legitimate' | 'none';
  readonly limit: number;
  /**
   * The previous page's last (scored_at as Postgres text, transaction_id). It is bound as
   * `$n::text::timestamptz`: a bare `$n::timestamptz` makes postgres.js send it through
   * `new Date(x).toISOString()`, which drops the microseconds (a page boundary inside one
   * millisecond skips rows) and throws on a bad string with the statement half sent (the
   * connection hangs); as text, Postgres parses it, to the microsecond, or refuses it (SQLSTATE 22).
   */
  readonly after?: readonly [string, string];
}

/** One page of transactions, newest decision first. */
export async function listTransactions(
  sql: Sql,
  f: TransactionFilter,
): Promise<Page<TransactionSummary>> {
  const none = sql``;
  const rows = await sql`
    SELECT ${summaryColumns(sql)}, to_json(t.scored_at) #>> '{}' AS scored_key
    FROM transactions t LEFT JOIN cases c ON c.transaction_id = t.transaction_id
    WHERE true
      ${f.decision ? sql`AND t.decision IN ${sql(f.decision)}` : none}
      ${
        // Spelled out for the planner: it lets the partial index transactions_decision (review
        // and decline only, migration 004) serve the filter, which a bound IN list cannot prove.
        f.decision && !f.decision.includes('approve') ? sql`AND t.decision <> 'approve'` : none
      }
      ${f.minScore !== undefined ? sql`AND t.score >= ${f.minScore}` : none}
      ${f.maxScore !== undefined ? sql`AND t.score <= ${f.maxScore}` : none}
      ${f.customerId !== undefined ? sql`AND t.customer_id = ${f.customerId}` : none}
      ${f.terminalId !== undefined ? sql`AND t.terminal_id = ${f.terminalId}` : none}
      ${f.from ? sql`AND t.scored_at >= ${f.from}` : none}
      ${f.to ? sql`AND t.scored_at < ${f.to}` : none}
      ${
        f.label === 'none'
          ? sql`AND t.label IS NULL`
          : f.label
            ? sql`AND t.label = ${f.label}`
            : none
      }
      ${
        f.after
          ? sql`AND (t.scored_at, t.transaction_id) < (${f.after[0]}::text::timestamptz, ${f.after[1]})`
          : none
      }
    ORDER BY t.scored_at DESC, t.transaction_id DESC
    LIMIT ${f.limit + 1}`;
  const more = rows.length > f.limit;
  const page = more ? rows.slice(0, f.limit) : rows;
  const last = page[page.length - 1];
  return {
    items: page.map(toSummary),
    next_cursor:
      more && last
        ? encodeCursor('tx', [String(last.scored_key), String(last.transaction_id)])
        : null,
  };
}

/** The customer's or the terminal's transactions before (ts, id), newest first. */
function history(
  sql: Sql,
  column: 'customer_id' | 'terminal_id',
  id: string,
  tsKey: string,
  txId: string,
) {
  return sql`
    SELECT ${summaryColumns(sql)}
    FROM transactions t LEFT JOIN cases c ON c.transaction_id = t.transaction_id
    WHERE t.${sql(column)} = ${id} AND (t.ts, t.transaction_id) < (${tsKey}::text::timestamptz, ${txId})
    ORDER BY t.ts DESC, t.transaction_id DESC
    LIMIT ${HISTORY_LENGTH}`;
}

/** One transaction with its verdicts, case and history; null until its decision is in Postgres. */
export async function getTransaction(sql: Sql, id: string): Promise<TransactionDetail | null> {
  const [row] = await sql`
    SELECT ${detailColumns(sql)}, to_json(t.ts) #>> '{}' AS ts_key
    FROM transactions t LEFT JOIN cases c ON c.transaction_id = t.transaction_id
    WHERE t.transaction_id = ${id}`;
  if (!row) return null;
  const core = toDetailCore(row);
  const tsKey = String(row.ts_key);
  const [feedback, cases, byCustomer, byTerminal] = await Promise.all([
    sql`SELECT event_id, label, ts, source, actor FROM feedback
        WHERE transaction_id = ${id} ORDER BY ts, event_id`,
    sql`SELECT ${caseColumns(sql)} FROM cases c JOIN transactions t USING (transaction_id)
        WHERE c.transaction_id = ${id}`,
    history(sql, 'customer_id', core.customer_id, tsKey, id),
    history(sql, 'terminal_id', core.terminal_id, tsKey, id),
  ]);
  return {
    ...core,
    feedback: feedback.map(toFeedbackRecord),
    case: cases[0] ? toCase(cases[0]) : null,
    history: { customer: byCustomer.map(toSummary), terminal: byTerminal.map(toSummary) },
  };
}
