/**
 * Drift of the champion (issue 18): hourly, and once at start, the population stability (PSI) of
 * its score and of each feature over the last window of stored decisions (VIGIL_DRIFT_WINDOW_MINUTES,
 * by `scored_at`) against the training reference in its metadata; the run is stored (drift_runs),
 * set on the /metrics gauges `vigil_drift_psi{feature}` and served by GET /api/drift.
 *
 * The same shape as retention: one run at a time per process, an advisory lock so that one
 * backplane computes a given run when several consume, a statement timeout, bounded work — the
 * newest `maxRows` decisions of the window at most, read in keyset pages of `score` and `features`
 * only and counted into core's bins as they come (the run holds counts, never rows).
 *
 * Hourly once a run had data; sooner when it could not (drift-schedule.ts): a run with no decisions
 * of the champion in the window, or a failed one, is tried again every few minutes, and a change
 * of champion (a promotion or a roll-back, on any backplane) is run within a minute — the job
 * looks at the registry's champion every DEFAULT_DRIFT_CHECK_MS.
 */
import {
  createDriftAccumulator,
  driftSummary,
  type DriftRun,
  type DriftStatus,
  type FeaturePsi,
} from '@vigil/core';
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { BackplaneMetrics } from '../http/backplane-metrics.js';
import type { ChampionSource, DriftChampion } from './drift-champion.js';
import {
  DEFAULT_DRIFT_CHECK_MS,
  DEFAULT_DRIFT_RETRY_MS,
  driftRunDue,
  type LastDriftRun,
} from './drift-schedule.js';
import { insertDriftRun } from './drift-store.js';

/** How often a run starts once one had data (one also runs at start). */
export const DEFAULT_DRIFT_INTERVAL_MS = 3_600_000;
/**
 * Most decisions one run reads. Measured on the embedded PGlite with every feature stored: 200,000
 * decisions in 5.6–6.2 s (4.2 s of CPU, PGlite's included; 18 s the first run of a process; the
 * pauses below add 0.8 s) on the shared 2-core machine — a few seconds of an hourly job, PSI being
 * stable far below that count.
 */
export const DEFAULT_DRIFT_MAX_ROWS = 200_000;
const PAGE = 5_000;
/** Rest between two pages, so the consumer's writes and the API's reads go first (as retention). */
const PAUSE_MS = 20;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface DriftOptions {
  readonly sql: Sql;
  readonly champion: ChampionSource;
  readonly windowMinutes: number;
  readonly log: Logger;
  readonly metrics: Pick<BackplaneMetrics, 'driftPsi' | 'driftFailures'>;
  readonly intervalMs?: number;
  /** After a run with no data or a failed one (default DEFAULT_DRIFT_RETRY_MS). */
  readonly retryMs?: number;
  /** How often the job looks whether a run is due (default DEFAULT_DRIFT_CHECK_MS). */
  readonly checkMs?: number;
  readonly maxRows?: number;
  readonly now?: () => Date;
}

export interface DriftMonitor {
  /** Compute, store and publish one run; null when another backplane holds the drift lock. */
  runOnce(): Promise<DriftRun | null>;
  /** Stop the timer and wait for a run in progress. */
  stop(): Promise<void>;
}

interface ScoreRow {
  scored_key: string;
  transaction_id: string;
  score: number;
  features: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** One run inside one transaction holding the drift lock; null when the lock is taken. */
async function compute(
  sql: Sql,
  c: DriftChampion | null,
  from: Date,
  to: Date,
  maxRows: number,
): Promise<Omit<DriftRun, 'computed_at' | 'max_psi' | 'level'> | null> {
  return sql.begin(async (tx) => {
    const [lock] = await tx<{ ok: boolean }[]>`
      SELECT pg_try_advisory_xact_lock(hashtext('vigil.drift')) AS ok`;
    if (!lock?.ok) return null;
    await tx`SET LOCAL statement_timeout = '30s'`;
    const base = { from: from.toISOString(), to: to.toISOString() };
    const none = { score_psi: null, features: [] as FeaturePsi[] };
    let version = c?.version ?? null;
    if (version === null) {
      // No model registered: the edge serves its shipped model; name what the newest decision says.
      const [newest] = await tx<{ v: string }[]>`
        SELECT model_version AS v FROM transactions ORDER BY scored_at DESC LIMIT 1`;
      version = newest?.v ?? null;
    }
    const reference = c?.reference ?? null;
    if (reference === null || version === null) {
      const [n] = await tx<{ n: number }[]>`
        SELECT count(*)::int AS n FROM transactions
        WHERE scored_at >= ${from} AND scored_at < ${to} AND model_version = ${version ?? ''}`;
      const rows = n?.n ?? 0;
      const status: DriftStatus = rows === 0 ? 'no_data' : 'no_reference';
      return { ...base, ...none, model_version: version, rows, status };
    }
    const acc = createDriftAccumulator(reference);
    let after: [string, string] | null = null;
    for (let read = 0; read < maxRows;) {
      const limit = Math.min(PAGE, maxRows - read);
      // Newest first along (scored_at, transaction_id): past maxRows, the window's latest count.
      const page: ScoreRow[] = await tx<ScoreRow[]>`
        SELECT to_json(scored_at) #>> '{}' AS scored_key, transaction_id, score, features
        FROM transactions
        WHERE scored_at >= ${from} AND scored_at < ${to} AND model_version = ${version}
          ${
            after
              ? tx`AND (scored_at, transaction_id) < (${after[0]}::text::timestamptz, ${after[1]})`
              : tx``
          }
        ORDER BY scored_at DESC, transaction_id DESC
        LIMIT ${limit}`;
      for (const r of page) {
        // Rows are validated as they are read: a malformed one is left out, not trusted.
        if (typeof r.score === 'number' && Number.isFinite(r.score) && isRecord(r.features))
          acc.add(r.score, r.features);
      }
      read += page.length;
      const last = page.at(-1);
      if (!last || page.length < limit) break;
      after = [last.scored_key, last.transaction_id];
      await sleep(PAUSE_MS);
    }
    const result = acc.result();
    if (result.rows === 0)
      return { ...base, ...none, model_version: version, rows: 0, status: 'no_data' };
    return {
      ...base,
      model_version: version,
      rows: result.rows,
      status: 'ok',
      score_psi: result.score,
      features: [...result.features],
    };
  });
}

/** Start computing drift now, then as drift-schedule.ts says (hourly once a run had data). */
export function startDriftMonitor(o: DriftOptions): DriftMonitor {
  const now = o.now ?? (() => new Date());
  const maxRows = o.maxRows ?? DEFAULT_DRIFT_MAX_ROWS;
  const timing = {
    intervalMs: o.intervalMs ?? DEFAULT_DRIFT_INTERVAL_MS,
    retryMs: o.retryMs ?? DEFAULT_DRIFT_RETRY_MS,
  };
  let running: Promise<DriftRun | null> | null = null;
  let checking: Promise<void> | null = null;
  let last: LastDriftRun | null = null;

  const publish = (run: DriftRun): void => {
    // Only the latest run's series: a feature or model gone since must not linger on a dashboard.
    o.metrics.driftPsi.reset();
    if (run.status !== 'ok' || run.score_psi === null) return;
    o.metrics.driftPsi.set({ feature: 'score' }, run.score_psi);
    for (const f of run.features) o.metrics.driftPsi.set({ feature: f.feature }, f.psi);
  };

  const run = async (): Promise<DriftRun | null> => {
    const to = now();
    const from = new Date(to.getTime() - o.windowMinutes * 60_000);
    let champion: string | null = last?.champion ?? null;
    let r: Awaited<ReturnType<typeof compute>>;
    try {
      const c = await o.champion();
      champion = c?.version ?? null;
      r = await compute(o.sql, c, from, to, maxRows);
    } catch (err) {
      last = { atMs: to.getTime(), status: 'failed', champion };
      throw err;
    }
    last = { atMs: to.getTime(), status: r?.status ?? 'elsewhere', champion };
    if (r === null) return null;
    const done: DriftRun = {
      ...r,
      computed_at: to.toISOString(),
      ...driftSummary(r.score_psi, r.features),
    };
    await insertDriftRun(o.sql, done);
    publish(done);
    o.log.info(
      { model: done.model_version, rows: done.rows, status: done.status, max_psi: done.max_psi },
      'drift: run stored',
    );
    return done;
  };

  const runOnce = (): Promise<DriftRun | null> => {
    running ??= run().finally(() => {
      running = null;
    });
    return running;
  };

  const check = async (): Promise<void> => {
    // The champion now (one indexed read): a promotion since the last run makes one due at once.
    const c = await o.champion();
    if (driftRunDue(last, c?.version ?? null, now().getTime(), timing)) await runOnce();
  };
  const tick = () => {
    checking ??= check()
      .catch((err: unknown) => {
        // Tried again within minutes (the database may be restarting); the last run stays served.
        o.metrics.driftFailures.inc();
        o.log.warn({ err }, 'drift: a run failed; retrying within minutes');
      })
      .finally(() => {
        checking = null;
      });
  };
  tick();
  const timer = setInterval(tick, o.checkMs ?? DEFAULT_DRIFT_CHECK_MS);
  timer.unref();

  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await checking;
      await running?.catch(() => undefined);
    },
  };
}
