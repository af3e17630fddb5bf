/**
 * Search as you type, in SQL: ids that begin with the query, as a range in byte order. Each range
 * reads an index of migration 009 (COLLATE "C": a prefix is a range there, under any database
 * collation) and stops after SEARCH_LIMIT matches; a card's or terminal's count and latest time
 * come from the same index (it holds ts), so a short prefix costs the matches' rows, not a scan.
 */
import {
  SEARCH_LIMIT,
  type CustomerMatch,
  type SearchResult,
  type TerminalMatch,
} from '@vigil/core';
import type { Sql } from 'postgres';
import * as z from 'zod/mini';
import { RowError, summaryColumns, toSummary } from './rows.js';

/**
 * The first string past every string that starts with `q`, in byte order: `q` with its last
 * character one higher. `q` is ASCII (the ids' alphabet, checked by the route), so this is exact.
 */
export function prefixEnd(q: string): string {
  return q.slice(0, -1) + String.fromCharCode(q.charCodeAt(q.length - 1) + 1);
}

const matchRow = z.object({ id: z.string(), count: z.number(), last_at: z.date() });

function toMatch(row: unknown): z.infer<typeof matchRow> {
  const r = z.safeParse(matchRow, row);
  if (!r.success) throw new RowError('search match', r.error);
  return r.data;
}

/** Cards or terminals whose id starts with `q`, in byte order. */
function entities(sql: Sql, column: 'customer_id' | 'terminal_id', q: string) {
  const id = sql`(${sql(column)} COLLATE "C")`;
  return sql`
    SELECT ${id} AS id, count(*)::int AS count, max(ts) AS last_at
    FROM transactions
    WHERE ${id} >= ${q} AND ${id} < ${prefixEnd(q)}
    GROUP BY 1 ORDER BY 1
    LIMIT ${SEARCH_LIMIT}`;
}

/** GET /search: transactions, cards and terminals whose id starts with `q` (`q` itself first). */
export async function search(sql: Sql, q: string): Promise<SearchResult> {
  const txId = sql`(t.transaction_id COLLATE "C")`;
  const [transactions, customers, terminals] = await Promise.all([
    sql`
      SELECT ${summaryColumns(sql)}
      FROM transactions t LEFT JOIN cases c ON c.transaction_id = t.transaction_id
      WHERE ${txId} >= ${q} AND ${txId} < ${prefixEnd(q)}
      ORDER BY ${txId}
      LIMIT ${SEARCH_LIMIT}`,
    entities(sql, 'customer_id', q),
    entities(sql, 'terminal_id', q),
  ]);
  return {
    q,
    transactions: transactions.map(toSummary),
    customers: customers.map(toMatch).map((m): CustomerMatch => ({
      customer_id: m.id,
      count: m.count,
      last_at: m.last_at.toISOString(),
    })),
    terminals: terminals.map(toMatch).map((m): TerminalMatch => ({
      terminal_id: m.id,
      count: m.count,
      last_at: m.last_at.toISOString(),
    })),
  };
}
