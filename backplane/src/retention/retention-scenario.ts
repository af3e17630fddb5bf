/**
 * For the retention tests, on PGlite (decision-retention.test.ts) and on a real PostgreSQL
 * (backplane/test/retention.test.ts): decisions that must go and decisions that must stay, and the
 * checks that each did. One scenario, so both databases are held to the same rules.
 */
import { pino } from 'pino';
import type { Sql } from 'postgres';
import { expect } from 'vitest';
import { insertMany, insertTransaction } from '../api/test-support.js';
import { BackplaneMetrics } from '../http/backplane-metrics.js';
import { startDecisionRetention, type DecisionRetention } from './decision-retention.js';

/** The clock of the scenario; the window is 30 days. */
export const NOW = new Date('2026-06-01T00:00:00Z');
export const DAYS = 30;
const OLD = new Date('2026-01-01T00:00:00Z');
const RECENT = new Date('2026-05-25T00:00:00Z');
/** Old unlabelled approvals without a case: more than two batches of BATCH. */
export const DOOMED = 2_345;
export const BATCH = 1_000;

/** Seed the scenario's decisions. */
export async function seedRetention(sql: Sql): Promise<void> {
  await insertMany(
    sql,
    Array.from({ length: DOOMED }, (_, i) => ({
      transaction_id: `tx_old_${String(i).padStart(5, '0')}`,
      // Spread over an hour, two per millisecond: batches end inside a millisecond too.
      scored_at: new Date(OLD.getTime() + Math.floor(i / 2)),
    })),
  );
  // Kept: a label, a case (with a comment), a verdict whose label is not applied yet, recent.
  await insertTransaction(sql, { transaction_id: 'tx_keep_label', scored_at: OLD, label: 'fraud' });
  await insertTransaction(sql, {
    transaction_id: 'tx_keep_case',
    scored_at: OLD,
    decision: 'review',
  });
  await sql`INSERT INTO case_comments (case_id, author, body)
            VALUES ('case_tx_keep_case', 'Ada', 'looked at it')`;
  await insertTransaction(sql, { transaction_id: 'tx_keep_feedback', scored_at: OLD });
  await sql`INSERT INTO feedback (event_id, transaction_id, label, ts, source)
            VALUES ('fb:tx_keep_feedback', 'tx_keep_feedback', 'legitimate', ${OLD}, 'api')`;
  await insertTransaction(sql, { transaction_id: 'tx_keep_recent', scored_at: RECENT });
}

/** A retention over `sql` on the scenario's clock, not started on a timer (interval: a day). */
export function retentionFor(sql: Sql, o: { days?: number; vacuum: boolean }) {
  const metrics = new BackplaneMetrics({ processMetrics: false });
  const retention: DecisionRetention = startDecisionRetention({
    sql,
    days: o.days ?? DAYS,
    log: pino({ level: 'silent' }),
    metrics,
    vacuum: o.vacuum,
    batch: BATCH,
    intervalMs: 86_400_000,
    now: () => NOW,
  });
  const pruned = async () => (await metrics.retentionPruned.get()).values[0]?.value ?? 0;
  return { retention, pruned };
}

/** The decisions left, by id. */
export async function remaining(sql: Sql): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    SELECT transaction_id AS id FROM transactions ORDER BY transaction_id`;
  return rows.map((r) => r.id);
}

/** Check that only the kept decisions are left, with their case, comment and feedback. */
export async function expectOnlyKeptLeft(sql: Sql): Promise<void> {
  expect(await remaining(sql)).toEqual([
    'tx_keep_case',
    'tx_keep_feedback',
    'tx_keep_label',
    'tx_keep_recent',
  ]);
  const [c] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM case_comments WHERE case_id = 'case_tx_keep_case'`;
  expect(c?.n).toBe(1);
  const [f] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM feedback`;
  expect(f?.n).toBe(1);
}
