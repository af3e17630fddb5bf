/**
 * The Worker's event sink. An isolate has no life of its own between requests (it may be evicted
 * the moment it is idle, and its timers die with the request), so it keeps nothing: each
 * request's events are one signed batch (a batch request's decisions included), delivered after
 * the response under that request's `waitUntil`.
 *
 * With the durable outbox (`handoff`: the EventOutbox Durable Object) the happy path is one direct
 * POST; any other answer hands the batch to the outbox, whose drain (outbox.ts, the Node edge's
 * too) applies the one delivery policy — retry, hold, or set a poison event aside. The direct
 * path retries once (network error, timeout, 408, 429, 5xx; not if the retry would start more than
 * 5 s after the emit) and hands a refusal (4xx) over at once. For a few seconds after a handoff
 * this isolate hands its batches over without a direct attempt rather than knock on a backplane
 * that just failed; once a direct delivery succeeds again it tells the outbox to deliver now
 * rather than after its backoff. Without an outbox (no EVENT_OUTBOX binding, a misconfiguration
 * create-worker-app.ts logs), up to four attempts within 20 s, then the events are dropped
 * (`retries_exhausted`; a refusal: `rejected`), counted and logged.
 */
import { MAX_INGEST_EVENTS, type EmitOptions, type EventSink, type VigilEvent } from '@vigil/core';
import type { Logger } from '../app/app-context.js';
import type { DeliveryMetrics, DropReason } from './delivery-metrics.js';
import { throttleLog, type ThrottledLog } from './log-throttle.js';
import {
  ingestBody,
  postBatch,
  retryDelayMs,
  type BackoffPolicy,
  type IngestTarget,
} from './ingest-client.js';
import type { AppendResult } from './outbox.js';

/** What the outbox answers a handoff; every event handed over is in exactly one count. */
export interface HandoffResult extends AppendResult {
  /** Of `stored`: already stored (the same event_id), a repeated handoff, harmless. */
  readonly duplicates: number;
  /** Not stored: they fail core's schemas (a bug). Lost, counted, logged. */
  readonly invalid: number;
}

/** The durable outbox as the request sink sees it (the EventOutbox Durable Object on Workers). */
export interface DurableHandoff {
  /** Keep `events` until the backplane takes them. Rejects if the outbox cannot be reached. */
  append(events: readonly VigilEvent[]): Promise<HandoffResult>;
  /** The backplane just took a direct delivery: deliver what is held now, not after the backoff. */
  resume(): Promise<void>;
}

export interface RequestEventSinkOptions {
  readonly target: IngestTarget;
  /** Where batches go when direct delivery fails: the durable outbox (default: none, dropped). */
  readonly handoff?: DurableHandoff;
  /** Direct attempts per batch (default 2 with a handoff, else 4). */
  readonly attempts?: number;
  /**
   * Give up on direct delivery once the next wait would end past this many ms after emit (default
   * 5 s with a handoff — a long Retry-After is the outbox's to honour — else 20 s).
   */
  readonly budgetMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly metrics: DeliveryMetrics;
  readonly log: Logger;
  readonly random?: () => number;
  /** After a handoff, hand batches over without a direct attempt for this long (default 5 s). */
  readonly pauseMs?: number;
}

/** Tries at handing a batch to the outbox, and the waits between them. */
const HANDOFF_WAITS_MS = [50, 250, 1_000];

/** Within waitUntil's 30 s after the response, with room for the last attempt's own deadline. */
export const REQUEST_BACKOFF: BackoffPolicy = {
  baseMs: 200,
  capMs: 2_000,
  maxRetryAfterMs: 10_000,
};

export class RequestEventSink implements EventSink {
  private inFlight = 0;
  /** Date.now() until which batches go straight to the outbox (the backplane just failed). */
  private pausedUntil = 0;
  /** This isolate handed events over since its last direct success: tell the outbox when one works. */
  private outboxHolds = false;
  private readonly throttled: ThrottledLog;

  constructor(private readonly options: RequestEventSinkOptions) {
    options.metrics.capacity.set(0);
    this.throttled = throttleLog(options.log);
  }

  emit(events: readonly VigilEvent[], options?: EmitOptions): void {
    if (events.length === 0) return;
    const work = this.deliverAll(events);
    options?.background?.(work);
  }

  private async deliverAll(events: readonly VigilEvent[]): Promise<void> {
    const started = performance.now();
    this.inFlight += events.length;
    this.options.metrics.depth.set(this.inFlight);
    try {
      // A macrotask first: the response goes out before the batch is serialised and signed.
      await new Promise((resolve) => setTimeout(resolve, 0));
      for (let i = 0; i < events.length; i += MAX_INGEST_EVENTS) {
        await this.deliver(events.slice(i, i + MAX_INGEST_EVENTS), started);
      }
    } catch (error) {
      // deliver() handles every outcome; this is a bug, but never an unhandled rejection.
      this.options.log({ level: 'error', msg: 'event delivery crashed', error });
    } finally {
      this.inFlight -= events.length;
      this.options.metrics.depth.set(this.inFlight);
    }
  }

  private async deliver(batch: readonly VigilEvent[], started: number): Promise<void> {
    const { target, metrics, handoff } = this.options;
    if (handoff && Date.now() < this.pausedUntil) return this.handOff(handoff, batch, null);
    const attempts = this.options.attempts ?? (handoff ? 2 : 4);
    const budgetMs = this.options.budgetMs ?? (handoff ? 5_000 : 20_000);
    const backoff = this.options.backoff ?? REQUEST_BACKOFF;
    const body = ingestBody(batch);
    for (let attempt = 0; ; attempt++) {
      const out = await postBatch(target, body);
      if (out.kind === 'sent') {
        metrics.sent.inc({}, batch.length);
        metrics.latency.observe((performance.now() - started) / 1000, batch.length);
        if (handoff && this.outboxHolds) await this.resume(handoff);
        return;
      }
      if (out.kind === 'rejected') {
        if (handoff) return this.handOff(handoff, batch, `backplane answered ${out.status}`);
        this.drop('rejected', batch.length, `event batch refused by the backplane: dropped`, {
          status: out.status,
          detail: out.detail,
        });
        return;
      }
      metrics.failed.inc({ reason: out.reason }, batch.length);
      const wait = retryDelayMs(attempt, out.retryAfterMs, backoff, this.options.random);
      if (attempt + 1 >= attempts || performance.now() - started + wait > budgetMs) {
        if (handoff) return this.handOff(handoff, batch, out.error);
        this.drop('retries_exhausted', batch.length, `event delivery failed: dropped`, {
          attempts: attempt + 1,
          status: out.status,
          error: out.error,
        });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /**
   * Give the batch to the durable outbox (a few tries: the object may be restarting). What it
   * refuses (full, invalid) and what cannot be handed over at all is counted and logged as lost.
   */
  private async handOff(
    handoff: DurableHandoff,
    batch: readonly VigilEvent[],
    cause: unknown,
  ): Promise<void> {
    const { metrics } = this.options;
    if (cause !== null) this.pausedUntil = Date.now() + (this.options.pauseMs ?? 5_000);
    let error: unknown;
    for (let i = 0; ; i++) {
      try {
        const r = await handoff.append(batch);
        this.outboxHolds = true;
        metrics.handedOff.inc({}, r.stored);
        if (cause !== null) {
          this.throttled('warn', 'backplane unreachable: events handed to the durable outbox', {
            events: batch.length,
            error: cause,
          });
        }
        if (r.refused > 0) {
          this.drop(
            'outbox_full',
            r.refused,
            'durable outbox full (VIGIL_OUTBOX_CAPACITY): dropped',
          );
        }
        if (r.invalid > 0) {
          this.drop('invalid', r.invalid, 'events that fail core’s schemas dropped (a bug)');
        }
        return;
      } catch (e) {
        error = e;
      }
      const wait = HANDOFF_WAITS_MS[i];
      if (wait === undefined) break;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    this.drop('outbox_unavailable', batch.length, 'durable outbox unreachable: events dropped', {
      error,
      cause,
    });
  }

  /** A direct delivery worked after handoffs: the outbox need not wait out its backoff. */
  private async resume(handoff: DurableHandoff): Promise<void> {
    this.outboxHolds = false;
    try {
      await handoff.resume();
    } catch (error) {
      // Its own backoff still brings it round; nothing is lost.
      this.throttled('warn', 'durable outbox: could not prompt delivery', { error });
    }
  }

  /** Count lost events and log them (one line per kind every 10 s at most, with the count). */
  private drop(reason: DropReason, n: number, msg: string, fields: object = {}): void {
    this.options.metrics.dropped.inc({ reason }, n);
    this.throttled('error', msg, { reason, ...fields }, n);
  }
}
