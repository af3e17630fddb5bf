/**
 * The Worker's event sink. An isolate has no life of its own between requests (it may be evicted
 * the moment it is idle, and its timers die with the request), so there is no outbox: each
 * request's events are one signed batch (a batch request's decisions included), delivered after
 * the response under that request's `waitUntil`, with a few retries inside a time budget well
 * within waitUntil's 30 s. Past the budget, or on a poison answer (a 4xx other than 408/429), the
 * events are dropped, counted and logged. A deployment that must survive longer backplane
 * outages puts a durable queue here (Cloudflare Queues); see edge/README.md.
 */
import { MAX_INGEST_EVENTS, type EmitOptions, type EventSink, type VigilEvent } from '@vigil/core';
import type { Logger } from '../app/app-context.js';
import type { DeliveryMetrics } from './delivery-metrics.js';
import {
  ingestBody,
  postBatch,
  retryDelayMs,
  type BackoffPolicy,
  type IngestTarget,
} from './ingest-client.js';

export interface RequestEventSinkOptions {
  readonly target: IngestTarget;
  /** Attempts per batch (default 4). */
  readonly attempts?: number;
  /** Give up once the next wait would end past this many ms after emit (default 20 s). */
  readonly budgetMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly metrics: DeliveryMetrics;
  readonly log: Logger;
  readonly random?: () => number;
}

/** Within waitUntil's 30 s after the response, with room for the last attempt's own deadline. */
export const REQUEST_BACKOFF: BackoffPolicy = {
  baseMs: 200,
  capMs: 2_000,
  maxRetryAfterMs: 10_000,
};

export class RequestEventSink implements EventSink {
  private inFlight = 0;

  constructor(private readonly options: RequestEventSinkOptions) {
    options.metrics.capacity.set(0);
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
    const { target, metrics, log } = this.options;
    const attempts = this.options.attempts ?? 4;
    const budgetMs = this.options.budgetMs ?? 20_000;
    const backoff = this.options.backoff ?? REQUEST_BACKOFF;
    const body = ingestBody(batch);
    for (let attempt = 0; ; attempt++) {
      const out = await postBatch(target, body);
      if (out.kind === 'sent') {
        metrics.sent.inc({}, batch.length);
        metrics.latency.observe((performance.now() - started) / 1000, batch.length);
        return;
      }
      if (out.kind === 'rejected') {
        metrics.dropped.inc({ reason: 'rejected' }, batch.length);
        log({
          level: 'error',
          msg: `event batch refused by the backplane (${out.status}): dropped`,
          dropped: batch.length,
          status: out.status,
          detail: out.detail,
        });
        return;
      }
      metrics.failed.inc({ reason: out.reason }, batch.length);
      const wait = retryDelayMs(attempt, out.retryAfterMs, backoff, this.options.random);
      if (attempt + 1 >= attempts || performance.now() - started + wait > budgetMs) {
        metrics.dropped.inc({ reason: 'retries_exhausted' }, batch.length);
        log({
          level: 'error',
          msg: `event delivery failed ${attempt + 1} times: dropped`,
          dropped: batch.length,
          status: out.status,
          error: out.error,
        });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
