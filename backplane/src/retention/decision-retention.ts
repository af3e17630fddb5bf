/**
 * Retention of decisions (VIGIL_RETENTION_DAYS): decisions scored longer ago than the window are
 * deleted, unless an analyst or a verdict made them part of the record — a label, a feedback row
 * or a case (and with it its comments) keeps the decision for ever. Without it `.vigil/pgdata`
 * grows by every decision (docs/operations.md has the measured bytes per decision).
 *
 * Deletes go in small batches, oldest first along the (scored_at, transaction_id) index, each its
 * own short transaction with a statement and lock timeout: the consumer's writes wait at most one
 * batch, and rows it holds are skipped (SKIP LOCKED), not waited for. An advisory lock taken per
 * batch lets one backplane prune at a time when several consume. Where a run got to is kept in
 * memory, so the decisions kept for ever are walked over once per process, not once per run. On the
 * embedded PGlite, which has no autovacuum, a run that deleted rows ends with a VACUUM so their
 * space is reused; PostgreSQL's autovacuum does that itself.
 */
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { BackplaneMetrics } from '../http/backplane-metrics.js';

/** Rows deleted per statement: a few milliseconds of work, so a writer never waits long. */
export const DEFAULT_BATCH = 1_000;
/** How often a run starts (one also runs at start). */
export const DEFAULT_INTERVAL_MS = 3_600_000;
/** Rest between two batches of a run, so the consumer's writes go first. */
const PAUSE_MS = 20;
const DAY_MS = 86_400_000;

export interface RetentionOptions {
  readonly sql: Sql;
  /** Days a decision is kept; 0 keeps every decision (no runs). */
  readonly days: number;
  readonly log: Logger;
  readonly metrics: Pick<BackplaneMetrics, 'retentionPruned' | 'retentionFailures'>;
  /** VACUUM the table after a run that deleted rows (the embedded PGlite has no autovacuum). */
  readonly vacuum: boolean;
  readonly batch?: number;
  readonly intervalMs?: number;
  readonly now?: () => Date;
}

export interface DecisionRetention {
  /** Prune everything due now, in batches; resolves with the number of decisions deleted. */
  runOnce(): Promise<number>;
  /** Stop the timer and wait for a run in progress to finish its batch. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Prune once per batch; null when another backplane holds the pruning lock. */
async function pruneBatch(
  sql: Sql,
  cutoff: Date,
  after: readonly [string, string] | null,
  batch: number,
): Promise<{ n: number; last: [string, string] | null } | null> {
  return sql.begin(async (tx) => {
    const [lock] = await tx<{ ok: boolean }[]>`
      SELECT pg_try_advisory_xact_lock(hashtext('vigil.retention')) AS ok`;
    if (!lock?.ok) return null;
    await tx`SET LOCAL lock_timeout = '2s'`;
    await tx`SET LOCAL statement_timeout = '30s'`;
    const [r] = await tx<{ n: number; scored_key: string | null; transaction_id: string | null }[]>`
      WITH doomed AS (
        SELECT t.transaction_id
        FROM transactions t
        WHERE t.scored_at < ${cutoff}
          ${
            after
              ? tx`AND (t.scored_at, t.transaction_id) > (${after[0]}::text::timestamptz, ${after[1]})`
              : tx``
          }
          AND t.label IS NULL
          AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.transaction_id = t.transaction_id)
          AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.transaction_id = t.transaction_id)
        ORDER BY t.scored_at, t.transaction_id
        LIMIT ${batch}
        FOR UPDATE OF t SKIP LOCKED
      ),
      gone AS (
        DELETE FROM transactions t USING doomed d
        WHERE t.transaction_id = d.transaction_id
        RETURNING t.scored_at, t.transaction_id
      )
      -- The furthest key deleted (as Postgres's text, to the microsecond): the next batch's start.
      SELECT (SELECT count(*)::int FROM gone) AS n,
             to_json(l.scored_at) #>> '{}' AS scored_key, l.transaction_id
      FROM (SELECT 1) AS one
      LEFT JOIN LATERAL (
        SELECT scored_at, transaction_id FROM gone
        ORDER BY scored_at DESC, transaction_id DESC LIMIT 1
      ) AS l ON true`;
    const last: [string, string] | null =
      r?.scored_key != null && r.transaction_id != null ? [r.scored_key, r.transaction_id] : null;
    return { n: r?.n ?? 0, last };
  });
}

/** Start pruning now and every interval; with `days` 0, a retention that does nothing. */
export function startDecisionRetention(o: RetentionOptions): DecisionRetention {
  const batch = o.batch ?? DEFAULT_BATCH;
  const now = o.now ?? (() => new Date());
  let stopped = false;
  let running: Promise<number> | null = null;
  // The key of the last decision deleted: every kept one before it has been looked at already.
  let after: [string, string] | null = null;

  const run = async (): Promise<number> => {
    const cutoff = new Date(now().getTime() - o.days * DAY_MS);
    let total = 0;
    for (;;) {
      const r = await pruneBatch(o.sql, cutoff, after, batch);
      if (r === null) break;
      total += r.n;
      o.metrics.retentionPruned.inc(r.n);
      if (r.last) after = r.last;
      if (r.n < batch || stopped) break;
      await sleep(PAUSE_MS);
    }
    if (total > 0 && o.vacuum && !stopped) await o.sql`VACUUM transactions`;
    if (total > 0) o.log.info({ pruned: total, days: o.days }, 'retention: old decisions pruned');
    return total;
  };

  const runOnce = (): Promise<number> => {
    if (o.days === 0) return Promise.resolve(0);
    // One run at a time: a timer tick during a long run joins it.
    running ??= run().finally(() => {
      running = null;
    });
    return running;
  };

  const tick = () => {
    runOnce().catch((err: unknown) => {
      // The next tick tries again (the database may be restarting): nothing is lost by waiting.
      o.metrics.retentionFailures.inc();
      o.log.warn({ err }, 'retention: a run failed; retrying at the next interval');
    });
  };

  let timer: NodeJS.Timeout | null = null;
  if (o.days > 0) {
    tick();
    timer = setInterval(tick, o.intervalMs ?? DEFAULT_INTERVAL_MS);
    timer.unref();
  }

  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
