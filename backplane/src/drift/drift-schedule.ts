/**
 * When the drift job runs next. Hourly is the rhythm of a model in steady service, but a run that
 * found nothing to measure (no decisions of the champion in the window: a system just started, a
 * champion just promoted) or that failed would otherwise leave the tile saying so for an hour with
 * traffic flowing, and a promotion would leave it naming the old champion: those are run again
 * within minutes. Pure, so the rule is tested without a clock or a database.
 */
import type { DriftStatus } from '@vigil/core';

/** How often the job looks whether a run is due (a read of the registry's champion). */
export const DEFAULT_DRIFT_CHECK_MS = 60_000;
/** After a run with no data, or a failed one: the next one this soon, until one has data. */
export const DEFAULT_DRIFT_RETRY_MS = 300_000;

/** The last run this process started, as the schedule needs it. */
export interface LastDriftRun {
  readonly atMs: number;
  /** The run's status; `failed` when it threw, `elsewhere` when another backplane held the lock. */
  readonly status: DriftStatus | 'failed' | 'elsewhere';
  /** The registry's champion when it ran (null: none, the deployed model). */
  readonly champion: string | null;
}

export interface DriftTiming {
  readonly intervalMs: number;
  readonly retryMs: number;
}

/** True when a run is due at `nowMs`, the registry's champion being `champion`. */
export function driftRunDue(
  last: LastDriftRun | null,
  champion: string | null,
  nowMs: number,
  t: DriftTiming,
): boolean {
  if (last === null) return true;
  if (last.champion !== champion) return true;
  const since = nowMs - last.atMs;
  const soon = last.status === 'no_data' || last.status === 'failed';
  return since >= (soon ? Math.min(t.retryMs, t.intervalMs) : t.intervalMs);
}
