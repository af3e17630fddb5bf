/**
 * What one try to hand a verdict to the edge's POST /v1/feedback means for the next one — pure, so
 * the rules are tested without an edge or a database. Only the edge's answer decides; nothing is
 * ever dropped silently: a verdict is `applied`, still `pending` (retried with capped backoff, so a
 * long outage costs a bounded number of tries per hour) or `failed` with the reason shown.
 */
import type { VerdictDeliveryState } from '@vigil/core';
import type { EdgeReply } from '../edge-client.js';

export interface VerdictRetryPolicy {
  /** Pause before the first retry, ms; doubled for each later one. */
  readonly firstRetryMs: number;
  /** Longest pause between retries, ms: the bound on tries per period of an outage. */
  readonly maxRetryMs: number;
  /**
   * How long a 404 (the edge does not know the transaction) is retried, ms from the resolution:
   * an edge restarting, or one whose state is replicated late, may learn it back; after this the
   * verdict is `failed` with the reason.
   */
  readonly notFoundWindowMs: number;
  /** A claimed verdict is not tried by another sweep for this long (the try's own bound), ms. */
  readonly leaseMs: number;
  /** Timeout of one POST to the edge, ms. */
  readonly timeoutMs: number;
  /** How often the background sweep looks for due verdicts, ms; 0 = no background sweep. */
  readonly sweepMs: number;
  /** Verdicts tried per sweep. */
  readonly batch: number;
}

export const DEFAULT_VERDICT_RETRY: VerdictRetryPolicy = {
  firstRetryMs: 5_000,
  maxRetryMs: 10 * 60_000,
  notFoundWindowMs: 30 * 60_000,
  leaseMs: 60_000,
  timeoutMs: 5_000,
  sweepMs: 5_000,
  batch: 20,
};

/** The delivery as it was before the try. */
export interface TriedDelivery {
  readonly transaction_id: string;
  /** Tries before this one. */
  readonly attempts: number;
  /** Start of this run of tries: the 404 window counts from here. */
  readonly retry_from: Date;
}

export interface NextDelivery {
  readonly state: VerdictDeliveryState;
  readonly last_status: number | null;
  readonly detail: string | null;
  /** When the next try is due; for applied and failed verdicts, the time of this outcome. */
  readonly next_attempt_at: Date;
}

/**
 * Statuses that say "not now" rather than "never": unreachable (null), a key the edge does not
 * accept yet (401/403: configuration, fixed by an operator, after which the verdict must still go
 * through), timeouts, rate limits and the edge's own failures.
 */
function transient(status: number | null): boolean {
  return (
    status === null ||
    status === 401 ||
    status === 403 ||
    status === 408 ||
    status === 425 ||
    status === 429 ||
    status >= 500
  );
}

/** The pause after the `n`-th try (n ≥ 1): firstRetryMs · 2^(n−1), at most maxRetryMs. */
export function retryDelayMs(n: number, p: VerdictRetryPolicy): number {
  const exp = Math.min(Math.max(n - 1, 0), 30);
  return Math.min(p.firstRetryMs * 2 ** exp, p.maxRetryMs);
}

/** The verdict's state after `reply`, its try number `d.attempts + 1`, at `now`. */
export function nextDelivery(
  reply: EdgeReply,
  d: TriedDelivery,
  now: Date,
  p: VerdictRetryPolicy,
): NextDelivery {
  if (reply.ok) {
    return { state: 'applied', last_status: reply.status, detail: null, next_attempt_at: now };
  }
  const retry = () => new Date(now.getTime() + retryDelayMs(d.attempts + 1, p));
  if (reply.status === 404) {
    const detail = `the edge does not know transaction ${d.transaction_id} (it never scored it, forgot it in a restart, or it is past its retention)`;
    const within = now.getTime() - d.retry_from.getTime() < p.notFoundWindowMs;
    return within
      ? { state: 'pending', last_status: 404, detail, next_attempt_at: retry() }
      : { state: 'failed', last_status: 404, detail, next_attempt_at: now };
  }
  if (transient(reply.status)) {
    return {
      state: 'pending',
      last_status: reply.status,
      detail: reply.detail,
      next_attempt_at: retry(),
    };
  }
  // Any other 4xx: the edge refused this verdict as it is; sending it again cannot change that.
  return { state: 'failed', last_status: reply.status, detail: reply.detail, next_attempt_at: now };
}
