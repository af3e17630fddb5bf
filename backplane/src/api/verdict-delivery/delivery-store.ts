/**
 * The `verdict_deliveries` table (migration 005) in SQL: a verdict is recorded in the resolution's
 * own transaction, claimed by one sweep at a time (FOR UPDATE SKIP LOCKED plus a lease, so
 * several backplanes share the work and a crashed one's claims come back), and updated after each
 * try. Rows are validated by schema on the way out.
 */
import type { Sql, TransactionSql } from 'postgres';
import * as z from 'zod/mini';
import { RowError } from '../rows.js';
import type { NextDelivery } from './delivery-policy.js';

/** A verdict to hand to the edge, as the sweep claims it. */
export interface DueVerdict {
  readonly case_id: string;
  readonly transaction_id: string;
  readonly label: 'fraud' | 'legitimate';
  /** The verdict's timestamp (ISO), the same as its feedback event's. */
  readonly timestamp: string;
  readonly attempts: number;
  readonly retry_from: Date;
}

const dueRow = z.object({
  case_id: z.string(),
  transaction_id: z.string(),
  label: z.enum(['fraud', 'legitimate']),
  ts: z.date(),
  attempts: z.number(),
  retry_from: z.date(),
});

function toDue(row: unknown): DueVerdict {
  const r = z.safeParse(dueRow, row);
  if (!r.success) throw new RowError('verdict delivery', r.error);
  return { ...r.data, timestamp: r.data.ts.toISOString() };
}

const RETURNING = 'case_id, transaction_id, label, ts, attempts, retry_from';

/**
 * Record a verdict as pending, inside the resolution's transaction. Its first try is leased to
 * the caller until `leaseUntil` (the API tries it right after the commit); should that process die
 * first, a sweep takes it when the lease ends. null when the case has a delivery already.
 */
export async function insertPending(
  tx: Sql | TransactionSql,
  v: {
    case_id: string;
    transaction_id: string;
    label: 'fraud' | 'legitimate';
    timestamp: string;
    event_id: string;
  },
  now: Date,
  leaseUntil: Date,
): Promise<DueVerdict | null> {
  const [row] = await tx`
    INSERT INTO verdict_deliveries (case_id, transaction_id, label, ts, event_id, state,
      next_attempt_at, retry_from, created_at, updated_at)
    VALUES (${v.case_id}, ${v.transaction_id}, ${v.label}, ${v.timestamp}, ${v.event_id},
      'pending', ${leaseUntil}, ${now}, ${now}, ${now})
    ON CONFLICT (case_id) DO NOTHING
    RETURNING ${tx.unsafe(RETURNING)}`;
  return row ? toDue(row) : null;
}

/**
 * Put a verdict that is not applied back to pending with a fresh 404 window and lease it to the
 * caller (an analyst's retry); null when it is applied already or there is none.
 */
export async function requeue(
  sql: Sql,
  caseId: string,
  now: Date,
  leaseUntil: Date,
): Promise<DueVerdict | null> {
  const [row] = await sql`
    UPDATE verdict_deliveries
    SET state = 'pending', next_attempt_at = ${leaseUntil}, retry_from = ${now}, updated_at = ${now}
    WHERE case_id = ${caseId} AND state <> 'applied'
    RETURNING ${sql.unsafe(RETURNING)}`;
  return row ? toDue(row) : null;
}

/** Claim up to `limit` due pending verdicts, oldest due first, leasing each until `leaseUntil`. */
export async function claimDue(
  sql: Sql,
  now: Date,
  leaseUntil: Date,
  limit: number,
): Promise<DueVerdict[]> {
  const rows = await sql`
    UPDATE verdict_deliveries d SET next_attempt_at = ${leaseUntil}
    WHERE d.case_id IN (
      SELECT case_id FROM verdict_deliveries
      WHERE state = 'pending' AND next_attempt_at <= ${now}
      ORDER BY next_attempt_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING ${sql.unsafe(RETURNING.replace(/(\w+)/g, 'd.$1'))}`;
  return rows.map(toDue);
}

/** Record a try's outcome; false if the verdict was no longer pending (nothing changed). */
export async function recordTry(
  sql: Sql,
  caseId: string,
  next: NextDelivery,
  now: Date,
): Promise<boolean> {
  const rows = await sql`
    UPDATE verdict_deliveries
    SET state = ${next.state}, attempts = attempts + 1, last_status = ${next.last_status},
        detail = ${next.detail}, next_attempt_at = ${next.next_attempt_at}, updated_at = ${now}
    WHERE case_id = ${caseId} AND state = 'pending'
    RETURNING case_id`;
  return rows.length > 0;
}

/** Verdicts not applied, by state (for the metrics). */
export async function countBacklog(sql: Sql): Promise<{ pending: number; failed: number }> {
  const rows = await sql<{ state: string; n: number }[]>`
    SELECT state, count(*)::int AS n FROM verdict_deliveries
    WHERE state <> 'applied' GROUP BY state`;
  const n = (s: string) => rows.find((r) => r.state === s)?.n ?? 0;
  return { pending: n('pending'), failed: n('failed') };
}
