/**
 * The Worker's durable outbox, the part that needs no Durable Object: what the request sink hands
 * over (`DurableHandoff`), what the outbox answers (`HandoffResult`), the storage it drains
 * (`OutboxStore`, SQLite in runtime/workers/event-outbox.ts, an array in tests) and the drain
 * itself — stored events, oldest first, in signed batches of ≤ 500 through the same ingest client
 * as direct delivery, each batch removed only once the backplane has acknowledged it.
 *
 * What an answer means here differs from the per-request sink in one respect: 401, 403 and 404 say
 * that the edge and the backplane disagree on the secret or the address — a configuration fault
 * that a deploy fixes, not a bad batch — so the outbox keeps those events and retries (logging at
 * error level) instead of dropping them. Other 4xx are poison, handled as the Node sink does: the
 * events that fail core's schemas are dropped (`invalid`), the rest resent once, and what the
 * backplane still refuses is dropped (`rejected`) and logged; a poison batch never blocks the queue.
 */
import { validateEvent, type VigilEvent } from '@vigil/core';
import type { Logger } from '../app/app-context.js';
import type { FailureReason } from './delivery-metrics.js';
import { postBatch, type BackoffPolicy, type IngestTarget } from './ingest-client.js';

/** Events per POST from the outbox. */
export const OUTBOX_BATCH = 500;

/**
 * The wait between the outbox's failed attempts: full jitter under 0.5 s·2ⁿ, capped at 30 s, so
 * the outbox delivers within ~30 s of the backplane's return (sooner when an isolate sees a direct
 * delivery succeed: `DurableHandoff.resume`). Retry-After is honoured up to the same 30 s.
 */
export const OUTBOX_BACKOFF: BackoffPolicy = {
  baseMs: 500,
  capMs: 30_000,
  maxRetryAfterMs: 30_000,
};

/** Answers that mean "misconfigured", not "bad batch": kept and retried, never dropped. */
export const HOLD_STATUSES: ReadonlySet<number> = new Set([401, 403, 404]);

/** What the outbox answers a handoff; every event handed over is in exactly one count. */
export interface HandoffResult {
  /** Newly stored. */
  readonly stored: number;
  /** Already stored (the same event_id): a re-handoff, harmless. */
  readonly duplicates: number;
  /** Not stored: the outbox holds VIGIL_OUTBOX_CAPACITY events. Lost, counted, logged. */
  readonly refused: number;
  /** Not stored: they fail core's schemas (a bug). Lost, counted, logged. */
  readonly invalid: number;
}

/** The durable outbox as the request sink sees it (the EventOutbox Durable Object on Workers). */
export interface DurableHandoff {
  /** Keep `events` until the backplane takes them. Rejects if the outbox cannot be reached. */
  store(events: readonly VigilEvent[]): Promise<HandoffResult>;
  /** The backplane just took a direct delivery: deliver what is held now, not after the backoff. */
  resume(): Promise<void>;
}

/** One stored event, as its JSON. */
export interface OutboxRow {
  /** Its place in the queue (ascending = stored order). */
  readonly seq: number;
  readonly json: string;
}

/** What the drain needs from the outbox's storage. Synchronous: SQLite in a Durable Object is. */
export interface OutboxStore {
  /** Up to `limit` of the oldest rows, oldest first. */
  oldest(limit: number): readonly OutboxRow[];
  /** Remove rows for good: delivered, or dropped as `invalid` or `rejected` (counted). */
  settle(rows: readonly OutboxRow[], outcome: 'delivered' | 'invalid' | 'rejected'): void;
  /** Count the events of a failed attempt (they stay stored). */
  failed(reason: FailureReason, events: number): void;
}

export type DrainOutcome =
  /** The outbox is empty. */
  | { readonly kind: 'empty'; readonly delivered: number }
  /** The time budget ran out with events left: drain again at once. */
  | { readonly kind: 'more'; readonly delivered: number }
  /** The backplane is not taking events: back off, then drain again. */
  | {
      readonly kind: 'retry';
      readonly delivered: number;
      readonly reason: FailureReason;
      readonly status: number | null;
      readonly retryAfterMs: number | null;
      readonly error: unknown;
    };

export interface DrainOptions {
  readonly target: IngestTarget;
  readonly log: Logger;
  /** Events per POST (default OUTBOX_BATCH). */
  readonly maxBatch?: number;
  /** Start no new batch after this long (default 20 s): one alarm invocation stays short. */
  readonly budgetMs?: number;
}

/**
 * Deliver stored events, oldest first, batch after batch, until the outbox is empty, the backplane
 * fails, or the time budget is spent. Never throws on the backplane's account.
 */
export async function drainOutbox(
  store: OutboxStore,
  options: DrainOptions,
): Promise<DrainOutcome> {
  const maxBatch = options.maxBatch ?? OUTBOX_BATCH;
  const budgetMs = options.budgetMs ?? 20_000;
  const started = Date.now();
  let delivered = 0;
  for (;;) {
    let rows = store.oldest(maxBatch);
    if (rows.length === 0) return { kind: 'empty', delivered };
    let revalidated = false;
    for (;;) {
      const out = await postBatch(options.target, batchBody(rows));
      if (out.kind === 'sent') {
        store.settle(rows, 'delivered');
        delivered += rows.length;
        break;
      }
      if (out.kind === 'retry') {
        store.failed(out.reason, rows.length);
        return { ...out, delivered };
      }
      if (HOLD_STATUSES.has(out.status)) {
        store.failed('http', rows.length);
        return {
          kind: 'retry',
          delivered,
          reason: 'http',
          status: out.status,
          retryAfterMs: null,
          error: new Error(`backplane answered ${out.status}: ${misconfiguration(out.status)}`),
        };
      }
      // Poison: find the events that are not valid, drop them, resend the rest once.
      if (!revalidated) {
        revalidated = true;
        const { valid, invalid } = splitValid(rows);
        if (invalid.length > 0) {
          store.settle(invalid, 'invalid');
          options.log({
            level: 'error',
            msg: 'durable outbox: events that fail core’s schemas dropped (a bug)',
            dropped: invalid.length,
            status: out.status,
            detail: out.detail,
          });
        }
        if (valid.length === 0) break;
        if (invalid.length > 0) {
          rows = valid;
          continue;
        }
      }
      store.settle(rows, 'rejected');
      options.log({
        level: 'error',
        msg: `durable outbox: event batch refused by the backplane (${out.status}): dropped`,
        dropped: rows.length,
        status: out.status,
        detail: out.detail,
      });
      break;
    }
    if (Date.now() - started >= budgetMs) return { kind: 'more', delivered };
  }
}

/** The ingest body of stored rows, without parsing them again. */
function batchBody(rows: readonly OutboxRow[]): string {
  let body = '{"events":[';
  for (let i = 0; i < rows.length; i++) body += (i === 0 ? '' : ',') + rows[i]!.json;
  return body + ']}';
}

/** Rows read back from storage, checked against core's schemas. */
function splitValid(rows: readonly OutboxRow[]): { valid: OutboxRow[]; invalid: OutboxRow[] } {
  const valid: OutboxRow[] = [];
  const invalid: OutboxRow[] = [];
  for (const row of rows) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.json);
    } catch {
      invalid.push(row);
      continue;
    }
    (validateEvent(parsed).ok ? valid : invalid).push(row);
  }
  return { valid, invalid };
}

/** What a held answer most likely means, for the log. */
export function misconfiguration(status: number): string {
  if (status === 401) return 'VIGIL_EVENTS_SECRET differs from the backplane’s; events are kept';
  if (status === 404) {
    return 'no ingest at VIGIL_BACKPLANE_URL/ingest/events (wrong URL?); events are kept';
  }
  return 'the backplane refuses this edge; events are kept';
}
