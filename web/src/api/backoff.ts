/** Reconnect delays: exponential growth with a cap, and jitter so dashboards do not reconnect in step. */
export interface BackoffOptions {
  /** Delay ceiling of the first retry (ms). */
  readonly baseMs: number;
  /** Largest delay ceiling (ms). */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

/**
 * The delay before retry number `attempt` (1 = first retry): "equal jitter", half of the
 * exponential ceiling fixed and half random, so a retry never comes immediately after a failure
 * yet a hub restart does not bring every client back in the same millisecond.
 */
export function backoffDelay(
  attempt: number,
  random: () => number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const n = Math.max(1, Math.floor(attempt));
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(n - 1, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
