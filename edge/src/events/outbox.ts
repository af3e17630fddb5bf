/**
 * The edge's one outbox: the port both runtimes store undelivered events behind (`OutboxStore`:
 * an array in memory, LMDB on Node, the EventOutbox Durable Object's SQLite on Workers), and the
 * one drain that owns the delivery policy — batching, what each backplane answer means, backoff,
 * and the log lines and metrics of all of it. The runtimes only decide when a drain runs (a timer
 * on Node, an alarm on Workers) with `nextDrain`.
 *
 * The policy, for each answer to a batch (oldest events first, ≤ 500 a POST):
 * - 2xx: delivered; the events leave the store.
 * - network error, timeout, 408, 429, 5xx: the backplane is away or busy — kept, retried with
 *   exponential backoff and full jitter (OUTBOX_BACKOFF), honouring Retry-After.
 * - 401, 403, 404: the edge and the backplane disagree on the secret or the address (a secret
 *   rotated on one side first, a wrong URL) — a fault a deploy heals, so kept and retried in the
 *   same way, logged at error level with what to check.
 * - 413 and any other 4xx (400/422 with per-event problems): something in the batch can never be
 *   accepted. The batch is split in halves and each half sent on its own, down to single events;
 *   only an event the backplane refuses on its own is set aside — removed, counted
 *   (`invalid` if it fails core's schemas, else `rejected`) and logged with its id and the
 *   backplane's problem. A poison event never blocks the queue, and never takes its batch with it.
 * Nothing else removes an event: what the edge answered 200 for is delivered, or set aside loudly.
 */
import { validateEvent, type VigilEvent } from '@vigil/core';
import type { FailureReason } from './delivery-metrics.js';
import { postBatch, retryDelayMs, type BackoffPolicy, type IngestTarget } from './ingest-client.js';
import type { ThrottledLog } from './log-throttle.js';

/** Events per POST. */
export const OUTBOX_BATCH = 500;

/**
 * The wait between failed drains: full jitter under 0.25 s·2ⁿ, capped at 10 s, so delivery
 * resumes within ~10 s of the backplane's return; Retry-After honoured up to 60 s.
 */
export const OUTBOX_BACKOFF: BackoffPolicy = {
  baseMs: 250,
  capMs: 10_000,
  maxRetryAfterMs: 60_000,
};

/** Answers that mean "misconfigured", not "bad batch": kept and retried, never dropped. */
export const HOLD_STATUSES: ReadonlySet<number> = new Set([401, 403, 404]);

/** One stored event. */
export interface OutboxRow {
  /** Its place in the queue (ascending = stored order). */
  readonly seq: number;
  /** The event as JSON, sent as stored. */
  readonly json: string;
  /** When it was stored (Date.now()). */
  readonly at: number;
}

/** What an append came to; every event appended is in exactly one count. */
export interface AppendResult {
  /** Stored (or already held, on Workers: a repeated handoff is harmless). */
  readonly stored: number;
  /** Not stored: the store is at its bound (VIGIL_OUTBOX_CAPACITY, …_SPILL_MAX_BYTES). */
  readonly refused: number;
}

/** A store of undelivered events. Methods may answer synchronously or with a promise. */
export interface OutboxStore {
  /** Keep `events` after everything stored; what is past the bound is refused, not stored. */
  append(events: readonly VigilEvent[]): AppendResult | Promise<AppendResult>;
  /** Up to `limit` of the oldest rows, oldest first. */
  oldest(limit: number): readonly OutboxRow[] | Promise<readonly OutboxRow[]>;
  /** Remove these rows for good (delivered, or set aside); rows already gone are ignored. */
  settle(rows: readonly OutboxRow[]): void | Promise<void>;
  /** Events stored. */
  depth(): number | Promise<number>;
}

/** Where the drain reports what happened to events (metrics: per process, or in the store). */
export interface DrainObserver {
  delivered(rows: readonly OutboxRow[]): void;
  /** Events of a failed attempt (they stay stored). */
  failed(reason: FailureReason, events: number): void;
  setAside(reason: 'invalid' | 'rejected', events: number): void;
}

export type DrainOutcome =
  /** The store is empty. */
  | { readonly kind: 'empty'; readonly delivered: number }
  /** The time budget ran out with events left: drain again at once. */
  | { readonly kind: 'more'; readonly delivered: number }
  /** The backplane is not taking events: back off, then drain again. */
  | {
      readonly kind: 'retry';
      readonly delivered: number;
      readonly status: number | null;
      readonly retryAfterMs: number | null;
      readonly error: unknown;
    };

export interface DrainOptions {
  readonly target: IngestTarget;
  readonly observer: DrainObserver;
  readonly log: ThrottledLog;
  /** Events per POST (default OUTBOX_BATCH). */
  readonly maxBatch?: number;
  /** Start no new batch after this long (default 20 s): one alarm invocation stays short. */
  readonly budgetMs?: number;
  /** Stops the drain (Node's close); nothing in flight is settled then. */
  readonly signal?: AbortSignal;
}

type Held = Extract<DrainOutcome, { kind: 'retry' }>;

/**
 * Deliver stored events, oldest first, batch after batch, until the store is empty, the backplane
 * fails, the time budget is spent or `signal` aborts. Never throws on the backplane's account.
 */
export async function drainOutbox(
  store: OutboxStore,
  options: DrainOptions,
): Promise<DrainOutcome> {
  const budgetMs = options.budgetMs ?? 20_000;
  const started = Date.now();
  const progress = { delivered: 0 };
  for (;;) {
    const rows = await store.oldest(options.maxBatch ?? OUTBOX_BATCH);
    if (rows.length === 0) return { kind: 'empty', delivered: progress.delivered };
    const held = await deliver(store, rows, options, progress);
    if (held) return held;
    if (options.signal?.aborted || Date.now() - started >= budgetMs) {
      return { kind: 'more', delivered: progress.delivered };
    }
  }
}

/** Send `rows`; settle what is delivered or poison. Null when done, else why it must wait. */
async function deliver(
  store: OutboxStore,
  rows: readonly OutboxRow[],
  options: DrainOptions,
  progress: { delivered: number },
): Promise<Held | null> {
  const { observer, log } = options;
  const out = await postBatch(options.target, batchBody(rows), options.signal);
  if (out.kind === 'sent') {
    await store.settle(rows);
    observer.delivered(rows);
    progress.delivered += rows.length;
    return null;
  }
  if (out.kind === 'retry' || HOLD_STATUSES.has(out.status)) {
    const reason: FailureReason = out.kind === 'retry' ? out.reason : 'http';
    observer.failed(reason, rows.length);
    if (options.signal?.aborted) return held(progress, out.status, null, out);
    if (out.kind === 'retry') {
      log('warn', `event delivery failed (${reason}); kept and retried`, {
        status: out.status,
        error: out.error,
      });
      return held(progress, out.status, out.retryAfterMs, out.error);
    }
    log('error', `backplane answered ${out.status}: ${misconfiguration(out.status)}`, {
      detail: out.detail,
    });
    return held(progress, out.status, null, new Error(`backplane answered ${out.status}`));
  }
  if (rows.length > 1) {
    // Poison somewhere in the batch: find it by halves, delivering the rest.
    const half = Math.ceil(rows.length / 2);
    return (
      (await deliver(store, rows.slice(0, half), options, progress)) ??
      (await deliver(store, rows.slice(half), options, progress))
    );
  }
  const row = rows[0]!;
  const reason = isEvent(row.json) ? 'rejected' : 'invalid';
  await store.settle(rows);
  observer.setAside(reason, 1);
  log(
    'error',
    reason === 'invalid'
      ? 'event outbox: an event that fails core’s schemas set aside (a bug: see detail)'
      : `event outbox: an event the backplane refuses (${out.status}) set aside`,
    { reason, event: eventId(row.json), status: out.status, detail: out.detail },
    1,
  );
  return null;
}

function held(
  progress: { delivered: number },
  status: number | null,
  retryAfterMs: number | null,
  error: unknown,
): Held {
  return { kind: 'retry', delivered: progress.delivered, status, retryAfterMs, error };
}

/**
 * When to drain next after `outcome`, given the failed drains before it (`failures`): never
 * (empty: an append starts the next), at once, or after the backoff, which any progress resets.
 */
export function nextDrain(
  outcome: DrainOutcome,
  failures: number,
  policy: BackoffPolicy = OUTBOX_BACKOFF,
  random: () => number = Math.random,
): { readonly inMs: number | null; readonly failures: number } {
  if (outcome.kind === 'empty') return { inMs: null, failures: 0 };
  if (outcome.kind === 'more') return { inMs: 0, failures: 0 };
  const n = outcome.delivered > 0 ? 0 : failures;
  return { inMs: retryDelayMs(n, outcome.retryAfterMs, policy, random), failures: n + 1 };
}

/** The ingest body of stored rows, without parsing them again. */
function batchBody(rows: readonly OutboxRow[]): string {
  let body = '{"events":[';
  for (let i = 0; i < rows.length; i++) body += (i === 0 ? '' : ',') + rows[i]!.json;
  return body + ']}';
}

function parse(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

function isEvent(json: string): boolean {
  return validateEvent(parse(json)).ok;
}

function eventId(json: string): unknown {
  return (parse(json) as { event_id?: unknown } | undefined)?.event_id;
}

/** What a held answer most likely means, for the log. */
export function misconfiguration(status: number): string {
  if (status === 401) return 'VIGIL_EVENTS_SECRET differs from the backplane’s; events are kept';
  if (status === 404) {
    return 'no ingest at VIGIL_BACKPLANE_URL/ingest/events (wrong URL?); events are kept';
  }
  return 'the backplane refuses this edge; events are kept';
}
