/**
 * The Node edge's event sink: every event is appended to the outbox store (LMDB in
 * VIGIL_OUTBOX_DIR, or memory with VIGIL_OUTBOX_DIR=off) off the latency path (`emit` only starts
 * the append), and one drain at a time delivers the store to the backplane with the policy of
 * outbox.ts — the Worker's EventOutbox runs the same drain. A drain starts once `maxBatch` events
 * wait, or `flushMs` after the first one arrived, so under load each round trip carries what
 * arrived during the previous one; after a failure it starts again after nextDrain's backoff.
 *
 * `close()` delivers for at most `graceMs`; then what is left stays in a durable store for the
 * next start to deliver first, or is dropped (reason `shutdown`) from a memory one.
 */
import type { EventSink, VigilEvent } from '@vigil/core';
import type { Logger } from '../app/app-context.js';
import type { DeliveryMetrics, DropReason } from './delivery-metrics.js';
import type { BackoffPolicy, IngestTarget } from './ingest-client.js';
import { throttleLog, type ThrottledLog } from './log-throttle.js';
import { MemoryOutboxStore } from './memory-outbox-store.js';
import { drainOutbox, nextDrain, type DrainObserver, type OutboxStore } from './outbox.js';

/** A store the Node sink can use: synchronous counts, and, when durable, where it is. */
export interface NodeOutboxStore extends OutboxStore {
  depth(): number;
  /** A durable store: where it is (for log lines), its size, and how to let it go. */
  readonly where?: string;
  bytes?(): number;
  close?(): Promise<void>;
}

export interface OutboxEventSinkOptions {
  readonly target: IngestTarget;
  /** Default: in memory, at most `capacity` events. */
  readonly store?: NodeOutboxStore;
  /** VIGIL_OUTBOX_CAPACITY: the bound of the memory store (default 100,000). */
  readonly capacity?: number;
  /** Events per POST, and the backlog that starts a drain at once (default 500). */
  readonly maxBatch?: number;
  /** How long the first event of a batch may wait for company (default 50 ms). */
  readonly flushMs?: number;
  readonly metrics: DeliveryMetrics;
  readonly log: Logger;
  /** For tests: a shorter backoff (default OUTBOX_BACKOFF), the jitter's source. */
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
}

export const DEFAULT_MAX_BATCH = 500;
export const DEFAULT_FLUSH_MS = 50;

export class OutboxEventSink implements EventSink {
  private readonly store: NodeOutboxStore;
  private readonly throttled: ThrottledLog;
  private readonly observer: DrainObserver;
  private readonly abort = new AbortController();
  private appends: Promise<unknown> = Promise.resolve();
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When the timer fires: a flush (soon) or a backoff. */
  private backingOff = false;
  private draining: Promise<void> | null = null;
  private closing = false;
  private closed = false;

  constructor(private readonly options: OutboxEventSinkOptions) {
    const { metrics } = options;
    this.store = options.store ?? new MemoryOutboxStore(options.capacity ?? 100_000);
    this.throttled = throttleLog(options.log);
    this.observer = {
      delivered(rows) {
        metrics.sent.inc({}, rows.length);
        const now = Date.now();
        for (const r of rows) metrics.latency.observe(Math.max(0, now - r.at) / 1000);
      },
      failed: (reason, n) => metrics.failed.inc({ reason }, n),
      setAside: (reason, n) => metrics.dropped.inc({ reason }, n),
    };
    metrics.capacity.set(options.store ? 0 : (options.capacity ?? 100_000));
    const left = this.store.depth();
    if (left > 0) {
      // Left by an earlier run: older than anything this one emits, so delivered first.
      options.log({
        level: 'info',
        msg: `event outbox: ${left} events found in ${this.store.where}; delivering them first`,
      });
    }
    this.gauges();
    this.schedule();
  }

  /** Events waiting: stored (a durable store counts an append from its call). */
  get depth(): number {
    return this.store.depth();
  }

  emit(events: readonly VigilEvent[]): void {
    if (events.length === 0) return;
    if (this.closed) {
      this.drop('shutdown', events.length, 'event outbox: events emitted after close');
      return;
    }
    let appended: ReturnType<OutboxStore['append']>;
    try {
      appended = this.store.append(events);
    } catch (error) {
      appended = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const done = Promise.resolve(appended)
      .then(
        (r) => {
          if (r.refused > 0) {
            this.drop('outbox_full', r.refused, 'event outbox full: new events refused', {
              where: this.store.where ?? 'memory (VIGIL_OUTBOX_CAPACITY)',
              backplane: this.options.target.backplaneUrl,
            });
          }
        },
        (error: unknown) =>
          this.drop('outbox_unavailable', events.length, 'event outbox: cannot store events', {
            where: this.store.where,
            error,
          }),
      )
      .finally(() => {
        this.gauges();
        this.schedule();
      });
    this.appends = Promise.all([this.appends, done]);
  }

  /**
   * Stop taking events and deliver what is stored, waiting at most `graceMs`; then keep the rest
   * (durable store: delivered after the next start) or drop it (memory: reason `shutdown`).
   */
  async close(graceMs = 5_000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.appends;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    const idle = (async () => {
      while (this.depth > 0 && !this.abort.signal.aborted) {
        this.startDrain();
        await this.draining;
      }
    })();
    await Promise.race([idle, deadline]);
    if (timer !== undefined) clearTimeout(timer);
    this.closed = true;
    this.abort.abort();
    this.stopTimer();
    await idle;
    await this.appends; // emits during the grace period
    const left = this.depth;
    if (this.store.close) {
      await this.store.close();
      if (left > 0) {
        this.options.log({
          level: 'warn',
          msg:
            `event outbox: ${left} events undelivered after ${graceMs} ms are kept in ` +
            `${this.store.where} and will be delivered on the next start`,
        });
      }
    } else if (left > 0) {
      await this.store.settle(await this.store.oldest(left));
      this.drop('shutdown', left, `event outbox: ${left} events undelivered after ${graceMs} ms`);
    }
    this.gauges();
  }

  /** A drain soon: at once past a batch's worth (or when closing), else after flushMs. */
  private schedule(): void {
    if (this.draining || this.abort.signal.aborted || this.store.depth() === 0) return;
    if (this.store.depth() >= (this.options.maxBatch ?? DEFAULT_MAX_BATCH) || this.closing) {
      if (this.backingOff && !this.closing) return;
      this.startDrain();
    } else if (this.timer === undefined) {
      this.wakeIn(this.options.flushMs ?? DEFAULT_FLUSH_MS, false);
    }
  }

  private wakeIn(ms: number, backoff: boolean): void {
    this.stopTimer();
    this.backingOff = backoff;
    this.timer = setTimeout(() => this.startDrain(), ms);
    // Node: a pending drain does not hold the process open (close() delivers what is left).
    (this.timer as { unref?: () => void }).unref?.();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private startDrain(): void {
    this.stopTimer();
    this.backingOff = false;
    if (this.draining || this.abort.signal.aborted) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      this.gauges();
      if (!this.backingOff) this.schedule();
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const outcome = await drainOutbox(this.store, {
        target: this.options.target,
        observer: this.observer,
        log: this.throttled,
        maxBatch: this.options.maxBatch ?? DEFAULT_MAX_BATCH,
        signal: this.abort.signal,
      }).catch((error: unknown) => {
        // A bug or a storage failure: the events stay stored; try again after the backoff.
        this.throttled('error', 'event outbox: drain failed', { error });
        return { kind: 'retry', delivered: 0, status: null, retryAfterMs: null, error } as const;
      });
      this.gauges();
      const next = nextDrain(outcome, this.failures, this.options.backoff, this.options.random);
      this.failures = next.failures;
      if (next.inMs === null || this.abort.signal.aborted) return;
      if (next.inMs > 0 && !this.closing) return this.wakeIn(next.inMs, true);
      if (next.inMs > 0) await this.sleep(next.inMs);
    }
  }

  /** Wait, unless the sink is aborted (close's grace period is over). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.abort.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }

  private gauges(): void {
    const { metrics } = this.options;
    metrics.depth.set(this.depth);
    metrics.spilled.set(this.store.where ? this.depth : 0);
    metrics.spillBytes.set(this.store.bytes?.() ?? 0);
  }

  /** Count lost events; log at error level, with how many were lost since the last such line. */
  private drop(reason: DropReason, n: number, msg: string, fields: object = {}): void {
    this.options.metrics.dropped.inc({ reason }, n);
    this.throttled('error', msg, { reason, ...fields }, n);
  }
}
