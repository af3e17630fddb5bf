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
 * Bound: at most `capacity` events queue in memory (plus the batch in flight). When an outage
 * outlasts that, then:
 * - without a spill, the oldest queued events are dropped (reason `outbox_full`), counted and
 *   logged at error level (at most once per 10 s, with the count); `close()` flushes within a
 *   bounded wait and drops what is left (reason `shutdown`). Memory, not durability.
 * - with a spill (OutboxSpill, on disk on Node), the newer events go to it instead, in order, and
 *   while anything is there new events follow them, so order holds: memory, then the spill oldest
 *   first, then the newest. The pump tops memory up from the spill as it drains, and tells the
 *   spill when what it read back is delivered. `close()` leaves what is undelivered after the
 *   grace period in the spill, ahead of the rest, for the next start to deliver first. Only the
 *   spill's own bound drops events (reason `outbox_full`, "disk spill full").
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
import type { OutboxSpill, SpillRead } from './outbox-spill.port.js';
import { SpillOverflow } from './spill-overflow.js';

export interface OutboxEventSinkOptions {
  readonly target: IngestTarget;
  /** Most events queued in memory (VIGIL_OUTBOX_CAPACITY); past it the spill, or a drop. */
  readonly capacity: number;
  /** Events per POST, and the backlog that sends at once (default 500; ≤ MAX_INGEST_EVENTS). */
  readonly maxBatch?: number;
  /** How long the first event of a batch may wait for company (default 50 ms). */
  readonly flushMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly metrics: DeliveryMetrics;
  readonly log: Logger;
  /** Where events past `capacity` go instead of being dropped (Node: VIGIL_OUTBOX_DIR). */
  readonly spill?: OutboxSpill;
  /** For tests: the jitter's source (default Math.random). */
  readonly random?: () => number;
}

export const DEFAULT_MAX_BATCH = 500;
export const DEFAULT_FLUSH_MS = 50;
/** A read-back from the spill takes up to this many batches' worth. */
const SPILL_READ_BATCHES = 4;

/** Let a timer not hold the process open (Node); a no-op where timers have no unref. */
function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}

/** What the pump took and could not finish before close() aborted it. */
interface Unsent {
  readonly events: VigilEvent[];
  readonly origins: number[];
}

export class OutboxEventSink implements EventSink {
  private readonly maxBatch: number;
  private readonly flushMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly spill: OutboxSpill | undefined;
  /**
   * Queued events from `head` on, with their arrival times (performance.now(); NaN for those that
   * went through the spill) and the spill segment each was read back from (0: never spilled).
   */
  private queue: VigilEvent[] = [];
  private queuedAt: number[] = [];
  private origin: number[] = [];
  private head = 0;
  private inFlight = 0;
  private unsent: Unsent | null = null;
  /** With a spill: the newest events, on their way to it. */
  private readonly overflow: SpillOverflow | undefined;
  private reading = false;
  private readFailures = 0;
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
    this.spill = options.spill;
    this.throttled = throttleLog(options.log);
    this.overflow = this.spill
      ? new SpillOverflow(this.spill, this.flushMs, options.target.backplaneUrl, {
          written: () => {
            if (!this.closed) this.fromOverflow();
            this.gauges();
            this.schedule();
          },
          dropped: (reason, n, msg, fields) => this.drop(reason, n, msg, fields),
        })
      : undefined;
    if (!(options.capacity >= 1)) throw new Error('outbox: capacity must be at least 1');
    options.metrics.capacity.set(options.capacity);
    if (this.spill && this.spill.unread > 0) {
      // Left by an earlier run: older than anything this one emits, so delivered first.
      options.log({
        level: 'info',
        msg: `event outbox: ${this.spill.unread} events found in ${this.spill.where}; delivering them first`,
      });
    }
    this.gauges();
    this.schedule();
  }

  /** Events waiting: queued, in flight, and spilled (or on their way to the spill). */
  get depth(): number {
    return this.queue.length - this.head + this.inFlight + this.spilled;
  }

  /** Events past the memory queue: waiting to be appended to the spill, being appended, on it. */
  private get spilled(): number {
    return (this.overflow?.size ?? 0) + (this.spill?.unread ?? 0);
  }

  emit(events: readonly VigilEvent[]): void {
    if (this.closed) {
      this.drop('shutdown', events.length, 'event outbox: events emitted after close');
      return;
    }
    const now = performance.now();
    if (this.overflow) {
      // To memory while nothing older is spilled and there is room; the rest after, in order.
      let i = 0;
      if (this.overflow.size === 0 && !this.reading && this.spill!.unread === 0) {
        const room = this.options.capacity - (this.queue.length - this.head);
        for (; i < events.length && i < room; i++) this.enqueue(events[i]!, now, 0);
      }
      if (i < events.length) this.overflow.push(events, i);
    } else {
      for (const e of events) this.enqueue(e, now, 0);
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
    }
    this.gauges();
    this.schedule();
  }

  /**
   * Stop taking events and deliver what is queued, waiting at most `graceMs`. What is still
   * undelivered then goes to the spill, if there is one (awaited); else it is dropped (reason
   * `shutdown`) and logged.
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
    if (this.spill && this.overflow) return this.closeSpill(this.spill, this.overflow, graceMs);
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

  /** close() with a spill: the overflow appended, then memory (and the batch in flight) ahead. */
  private async closeSpill(
    spill: OutboxSpill,
    overflow: SpillOverflow,
    graceMs: number,
  ): Promise<void> {
    this.abort.abort();
    await this.drained();
    await overflow.flush();
    const head = [...(this.unsent?.events ?? []), ...this.queue.slice(this.head)];
    const origins = [...(this.unsent?.origins ?? []), ...this.origin.slice(this.head)];
    this.unsent = null;
    this.head = this.queue.length;
    this.compact();
    let kept = head.length + spill.unread;
    try {
      await spill.close(head, origins);
    } catch (error) {
      kept -= head.length;
      this.drop('shutdown', head.length, 'event outbox: cannot keep undelivered events on disk', {
        where: spill.where,
        error,
      });
    }
    const { metrics } = this.options;
    metrics.depth.set(kept);
    metrics.spilled.set(kept);
    if (kept > 0) {
      this.options.log({
        level: 'warn',
        msg:
          `event outbox: ${kept} events undelivered after ${graceMs} ms are kept in ` +
          `${spill.where} and will be delivered on the next start`,
      });
    }
  }

  private async drained(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private enqueue(e: VigilEvent, at: number, origin: number): void {
    this.queue.push(e);
    this.queuedAt.push(at);
    this.origin.push(origin);
  }

  /** Take back what waits for the spill while nothing older is on disk, as far as there is room. */
  private fromOverflow(): void {
    if (!this.overflow || this.reading || this.spill!.unread > 0) return;
    const room = this.options.capacity - (this.queue.length - this.head);
    for (const e of this.overflow.take(room)) this.enqueue(e, NaN, 0);
  }

  private schedule(): void {
    if (this.pumping || this.abort.signal.aborted) return;
    const queued = this.queue.length - this.head;
    // Spilled events are old already: no reason to wait for company.
    const spilled = this.spilled > 0;
    if (queued === 0 && !spilled) return;
    if (queued >= this.maxBatch || this.closing || spilled) {
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

  /** Send batches back to back until the queue (and the spill) is empty. */
  private async pump(): Promise<void> {
    for (;;) {
      if (this.spill) await this.refill(this.spill);
      if (this.queue.length <= this.head || this.abort.signal.aborted) return;
      const end = Math.min(this.head + this.maxBatch, this.queue.length);
      const batch = this.queue.slice(this.head, end);
      const at = this.queuedAt.slice(this.head, end);
      const origins = this.origin.slice(this.head, end);
      this.head = end;
      this.inFlight = batch.length;
      this.compact();
      let done = false;
      try {
        done = await this.deliver(batch, at);
      } finally {
        this.inFlight = 0;
        this.gauges();
      }
      if (!done) this.unsent = { events: batch, origins };
      else if (this.spill) await this.settle(this.spill, origins);
    }
  }

  /**
   * Top memory up from the spill, oldest first, when less than a batch is queued: what is on disk,
   * else what has not reached it yet.
   */
  private async refill(spill: OutboxSpill): Promise<void> {
    const queued = this.queue.length - this.head;
    const room = this.options.capacity - queued;
    if (queued >= this.maxBatch || room <= 0 || this.abort.signal.aborted) return;
    // Events being appended are older than those waiting: let them land, then read them back.
    const landing = this.overflow?.landing;
    if (spill.unread === 0 && landing) await landing;
    if (spill.unread > 0) {
      let read: SpillRead | undefined;
      this.reading = true;
      try {
        read = await spill.read(Math.min(room, this.maxBatch * SPILL_READ_BATCHES));
      } catch (error) {
        this.warn('event outbox: cannot read the disk spill; retrying', {
          where: spill.where,
          error,
        });
      } finally {
        this.reading = false;
      }
      // In the same step as `reading = false`: an emit must not overtake what was read.
      if (read) {
        this.readFailures = 0;
        for (const e of read.events) this.enqueue(e, NaN, read.segment);
        if (read.lost > 0) {
          this.drop(
            'invalid',
            read.lost,
            'event outbox: lines of the disk spill that are not events (torn by a crash, or ' +
              'corrupt) dropped',
            { where: spill.where },
          );
        }
      } else {
        // What is unread stays on disk: wait, then try again.
        await this.sleep(retryDelayMs(this.readFailures++, null, this.backoff, this.random));
      }
    }
    this.fromOverflow();
    this.gauges();
  }

  /** Tell the spill which of its events a finished batch carried (runs of one segment). */
  private async settle(spill: OutboxSpill, origins: readonly number[]): Promise<void> {
    for (let i = 0; i < origins.length;) {
      const segment = origins[i]!;
      let j = i + 1;
      while (j < origins.length && origins[j] === segment) j++;
      if (segment !== 0) {
        await spill.settle(segment, j - i).catch((error: unknown) =>
          this.warn('event outbox: cannot delete a delivered spill segment', {
            where: spill.where,
            error,
          }),
        );
      }
      i = j;
    }
    this.gauges();
  }

  /**
   * Deliver one batch: retried until sent, refused as poison, or the sink is aborted. True when
   * the batch is done with (sent or dropped), false when aborted.
   */
  private async deliver(batch: VigilEvent[], at: number[]): Promise<boolean> {
    const { target, metrics } = this.options;
    let body = ingestBody(batch);
    let revalidated = false;
    for (let attempt = 0; ; attempt++) {
      const out = await postBatch(target, body, this.abort.signal);
      if (this.abort.signal.aborted) return false; // close() counts or keeps what was left
      if (out.kind === 'sent') {
        metrics.sent.inc({}, batch.length);
        const now = performance.now();
        // Events that went through the spill have no arrival time here.
        for (const t of at) if (!Number.isNaN(t)) metrics.latency.observe((now - t) / 1000);
        return true;
      }
      if (out.kind === 'rejected') {
        if (!revalidated) {
          revalidated = true;
          const kept = this.dropInvalid(batch, at, out.status);
          if (kept.batch.length === 0) return true;
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
        return true;
      }
      metrics.failed.inc({ reason: out.reason }, batch.length);
      this.warn(`event delivery failed (${out.reason}); retrying`, {
        status: out.status,
        queued: this.depth,
        error: out.error,
      });
      await this.sleep(retryDelayMs(attempt, out.retryAfterMs, this.backoff, this.random));
      if (this.abort.signal.aborted) return false;
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
      this.origin = this.origin.slice(this.head);
      this.head = 0;
    }
  }

  private gauges(): void {
    const { metrics } = this.options;
    metrics.depth.set(this.depth);
    if (this.spill) {
      metrics.spilled.set(this.spilled);
      metrics.spillBytes.set(this.spill.bytes);
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
