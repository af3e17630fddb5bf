/**
 * The Node edge's event sink: a bounded in-memory outbox drained to the backplane in signed
 * batches, off the latency path (`emit` only appends). A batch leaves when `maxBatch` events wait
 * or `flushMs` after the first one arrived; while one batch is in flight the next accumulates, so
 * under load each round trip carries what arrived during the previous one. One batch is in flight
 * at a time, which keeps events in order and bounds what a down backplane costs.
 *
 * Failures: a network error, timeout, 408, 429 or 5xx is retried, for as long as it takes, with
 * exponential backoff and full jitter, honouring Retry-After. Any other 4xx is a poison batch:
 * the sink checks it against core's schemas, drops the events that fail (reason `invalid`) and
 * resends the rest once; if the backplane still refuses, or every event passed, the batch is
 * dropped (reason `rejected`) and logged — never retried for ever.
 *
 * Bound: at most `capacity` events queue (plus the batch in flight). When an outage outlasts that,
 * the oldest queued events are dropped (reason `outbox_full`), counted and logged at error level
 * (at most once per 10 s, with the count since the last line). Memory, not durability: a crash
 * loses what is queued. `close()` stops taking events and flushes within a bounded wait.
 */
import { validateEvent, type EventSink, type VigilEvent } from '@vigil/core';
import type { Logger } from '../app/app-context.js';
import type { DeliveryMetrics, DropReason } from './delivery-metrics.js';
import { throttleLog, type ThrottledLog } from './log-throttle.js';
import {
  DEFAULT_BACKOFF,
  ingestBody,
  postBatch,
  retryDelayMs,
  type BackoffPolicy,
  type IngestTarget,
} from './ingest-client.js';

export interface OutboxEventSinkOptions {
  readonly target: IngestTarget;
  /** Most events queued (VIGIL_OUTBOX_CAPACITY); past it the oldest are dropped. */
  readonly capacity: number;
  /** Events per POST, and the backlog that sends at once (default 500; ≤ MAX_INGEST_EVENTS). */
  readonly maxBatch?: number;
  /** How long the first event of a batch may wait for company (default 50 ms). */
  readonly flushMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly metrics: DeliveryMetrics;
  readonly log: Logger;
  /** For tests: the jitter's source (default Math.random). */
  readonly random?: () => number;
}

export const DEFAULT_MAX_BATCH = 500;
export const DEFAULT_FLUSH_MS = 50;

/** Let a timer not hold the process open (Node); a no-op where timers have no unref. */
function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}

export class OutboxEventSink implements EventSink {
  private readonly maxBatch: number;
  private readonly flushMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  /** Queued events from `head` on, with their arrival times (performance.now()). */
  private queue: VigilEvent[] = [];
  private queuedAt: number[] = [];
  private head = 0;
  private inFlight = 0;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private pumping: Promise<void> | null = null;
  /** Cuts a backoff wait short (close() retries at once). */
  private wake: (() => void) | null = null;
  private closing = false;
  private closed = false;
  private readonly abort = new AbortController();
  /** One line per message every 10 s at most, saying how many it stands for. */
  private readonly throttled: ThrottledLog;

  constructor(private readonly options: OutboxEventSinkOptions) {
    this.maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
    this.throttled = throttleLog(options.log);
    if (!(options.capacity >= 1)) throw new Error('outbox: capacity must be at least 1');
    options.metrics.capacity.set(options.capacity);
  }

  /** Events waiting: queued and in flight. */
  get depth(): number {
    return this.queue.length - this.head + this.inFlight;
  }

  emit(events: readonly VigilEvent[]): void {
    if (this.closed) {
      this.drop('shutdown', events.length, 'event outbox: events emitted after close');
      return;
    }
    const now = performance.now();
    for (const e of events) {
      this.queue.push(e);
      this.queuedAt.push(now);
    }
    const over = this.queue.length - this.head - this.options.capacity;
    if (over > 0) {
      this.head += over;
      this.drop(
        'outbox_full',
        over,
        `event outbox full (VIGIL_OUTBOX_CAPACITY=${this.options.capacity}): dropped the oldest ` +
          `events; the backplane at ${this.options.target.backplaneUrl} is not taking them`,
      );
      this.compact();
    }
    this.options.metrics.depth.set(this.depth);
    this.schedule();
  }

  /**
   * Stop taking events and deliver what is queued, waiting at most `graceMs`; whatever is still
   * undelivered then is dropped (reason `shutdown`) and logged.
   */
  async close(graceMs = 5_000): Promise<void> {
    if (this.closing) return this.drained();
    this.closing = true;
    this.schedule();
    this.wake?.();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([this.drained(), deadline]);
    if (timer !== undefined) clearTimeout(timer);
    this.closed = true;
    const left = this.depth;
    if (left > 0) {
      this.abort.abort();
      await this.drained();
      this.head = this.queue.length;
      this.inFlight = 0;
      this.compact();
      this.options.metrics.depth.set(0);
      this.drop('shutdown', left, `event outbox: ${left} events undelivered after ${graceMs} ms`);
    }
  }

  private async drained(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private schedule(): void {
    if (this.pumping || this.abort.signal.aborted) return;
    const queued = this.queue.length - this.head;
    if (queued === 0) return;
    if (queued >= this.maxBatch || this.closing) {
      if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      this.startPump();
    } else if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.startPump();
      }, this.flushMs);
      unref(this.flushTimer);
    }
  }

  private startPump(): void {
    if (this.pumping) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      // Events that arrived after the loop's last look.
      this.schedule();
    });
  }

  /** Send batches back to back until the queue is empty. */
  private async pump(): Promise<void> {
    while (this.queue.length > this.head && !this.abort.signal.aborted) {
      const end = Math.min(this.head + this.maxBatch, this.queue.length);
      const batch = this.queue.slice(this.head, end);
      const at = this.queuedAt.slice(this.head, end);
      this.head = end;
      this.inFlight = batch.length;
      this.compact();
      try {
        await this.deliver(batch, at);
      } finally {
        this.inFlight = 0;
        this.options.metrics.depth.set(this.depth);
      }
    }
  }

  /** Deliver one batch: retried until sent, refused as poison, or the sink is aborted. */
  private async deliver(batch: VigilEvent[], at: number[]): Promise<void> {
    const { target, metrics } = this.options;
    let body = ingestBody(batch);
    let revalidated = false;
    for (let attempt = 0; ; attempt++) {
      const out = await postBatch(target, body, this.abort.signal);
      if (this.abort.signal.aborted) return; // close() counts what was left
      if (out.kind === 'sent') {
        metrics.sent.inc({}, batch.length);
        const now = performance.now();
        for (const t of at) metrics.latency.observe((now - t) / 1000);
        return;
      }
      if (out.kind === 'rejected') {
        if (!revalidated) {
          revalidated = true;
          const kept = this.dropInvalid(batch, at, out.status);
          if (kept.batch.length === 0) return;
          if (kept.batch.length < batch.length) {
            ({ batch, at } = kept);
            body = ingestBody(batch);
            attempt = -1;
            continue;
          }
        }
        this.drop(
          'rejected',
          batch.length,
          `event batch refused by the backplane (${out.status}): dropped; ` +
            (out.status === 401
              ? 'VIGIL_EVENTS_SECRET differs from the backplane’s'
              : 'the backplane does not accept events of this build'),
          { status: out.status, detail: out.detail },
        );
        return;
      }
      metrics.failed.inc({ reason: out.reason }, batch.length);
      this.warn(`event delivery failed (${out.reason}); retrying`, {
        status: out.status,
        queued: this.depth,
        error: out.error,
      });
      await this.sleep(retryDelayMs(attempt, out.retryAfterMs, this.backoff, this.random));
      if (this.abort.signal.aborted) return;
    }
  }

  /** The events of a refused batch that pass core's schemas; the others dropped as invalid. */
  private dropInvalid(
    batch: VigilEvent[],
    at: number[],
    status: number,
  ): { batch: VigilEvent[]; at: number[] } {
    const kept: VigilEvent[] = [];
    const keptAt: number[] = [];
    const bad: { index: number; event_id: unknown; issues: unknown }[] = [];
    batch.forEach((e, i) => {
      const v = validateEvent(e);
      if (v.ok) {
        kept.push(e);
        keptAt.push(at[i]!);
      } else if (bad.length < 10) {
        bad.push({ index: i, event_id: (e as { event_id?: unknown }).event_id, issues: v.issues });
      }
    });
    const invalid = batch.length - kept.length;
    if (invalid > 0) {
      this.drop('invalid', invalid, 'events that fail core’s schemas dropped (a bug: see issues)', {
        status,
        examples: bad,
      });
    }
    return { batch: kept, at: keptAt };
  }

  /** Wait, unless close() or abort cuts it short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.abort.signal.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      unref(timer);
      this.wake = done;
      this.abort.signal.addEventListener('abort', done);
    });
  }

  private compact(): void {
    if (this.head > 4_096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.queuedAt = this.queuedAt.slice(this.head);
      this.head = 0;
    }
  }

  /** Count lost events; log at error level, with how many were lost since the last such line. */
  private drop(reason: DropReason, n: number, msg: string, fields: object = {}): void {
    this.options.metrics.dropped.inc({ reason }, n);
    this.throttled('error', msg, { reason, ...fields }, n);
  }

  private warn(msg: string, fields: object): void {
    this.throttled('warn', msg, fields);
  }
}
