/**
 * One delivery attempt of an event batch to the backplane: `POST {VIGIL_BACKPLANE_URL}/ingest/events`
 * with `{"events":[…]}`, signed with core's `X-Vigil-Signature` (HMAC-SHA256 with
 * VIGIL_EVENTS_SECRET, fresh for every attempt so a long retry never presents a stale signature),
 * and what its answer means. Both sinks (the Node outbox, the Worker's per-request delivery) are
 * built on it, with the backoff below.
 */
import { SIGNATURE_HEADER, signBody, type HmacSha256, type VigilEvent } from '@vigil/core';
import type { FailureReason } from './delivery-metrics.js';

export interface IngestTarget {
  /** VIGIL_BACKPLANE_URL, no trailing slash. */
  readonly backplaneUrl: string;
  /** VIGIL_EVENTS_SECRET. */
  readonly secret: string;
  readonly hmac: HmacSha256;
  /** Deadline of one attempt (default 10 s). */
  readonly timeoutMs?: number;
  /** Default: the global fetch. */
  readonly fetch?: typeof fetch;
}

/** What one attempt came to. */
export type AttemptOutcome =
  | { readonly kind: 'sent' }
  /** Worth retrying: network error, timeout, 408, 429 or 5xx; `retryAfterMs` from Retry-After. */
  | {
      readonly kind: 'retry';
      readonly reason: FailureReason;
      readonly status: number | null;
      readonly retryAfterMs: number | null;
      readonly error: unknown;
    }
  /** The backplane refused the batch itself (a 4xx other than 408/429): retrying cannot help. */
  | { readonly kind: 'rejected'; readonly status: number; readonly detail: string };

export const INGEST_PATH = '/ingest/events';
const DEFAULT_TIMEOUT_MS = 10_000;

/** The request body of a batch. */
export function ingestBody(events: readonly VigilEvent[]): string {
  return JSON.stringify({ events });
}

/** POST one batch once. Never throws. */
export async function postBatch(
  target: IngestTarget,
  body: string,
  signal?: AbortSignal,
): Promise<AttemptOutcome> {
  const doFetch = target.fetch ?? fetch;
  const timeout = AbortSignal.timeout(target.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let res: Response;
  try {
    const signature = await signBody(target.hmac, target.secret, body, Date.now() / 1000);
    res = await doFetch(target.backplaneUrl + INGEST_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature },
      body,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (error) {
    const timedOut = timeout.aborted && !signal?.aborted;
    return {
      kind: 'retry',
      reason: timedOut ? 'timeout' : 'network',
      status: null,
      retryAfterMs: null,
      error,
    };
  }
  // Read the (small) answer in full: an unread body would hold the connection.
  const text = await res.text().catch(() => '');
  if (res.ok) return { kind: 'sent' };
  const s = res.status;
  if (s === 408 || s === 429 || s >= 500) {
    return {
      kind: 'retry',
      reason: 'http',
      status: s,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), Date.now()),
      error: new Error(`backplane answered ${s}: ${text.slice(0, 300)}`),
    };
  }
  return { kind: 'rejected', status: s, detail: text.slice(0, 1_000) };
}

/** Retry-After as milliseconds from `nowMs` (delta-seconds or an HTTP date); null if absent/bad. */
export function parseRetryAfter(header: string | null, nowMs: number): number | null {
  if (header === null) return null;
  const v = header.trim();
  if (/^\d{1,9}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

export interface BackoffPolicy {
  /** First retry waits up to this (default 100 ms). */
  readonly baseMs: number;
  /** No wait is longer than this without a Retry-After (default 5 s). */
  readonly capMs: number;
  /** A Retry-After is honoured up to this (default 60 s). */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseMs: 100,
  capMs: 5_000,
  maxRetryAfterMs: 60_000,
};

/**
 * The wait before retry number `attempt` (0 = the first retry): exponential backoff with full
 * jitter (uniform in [0, min(cap, base·2^attempt)]), or, when the backplane said Retry-After,
 * that (capped) plus up to `baseMs` of jitter, so that edges told the same time do not all return
 * at once.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | null,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== null) {
    return Math.min(retryAfterMs, policy.maxRetryAfterMs) + random() * policy.baseMs;
  }
  return random() * Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
}
