/**
 * The LiveHub publisher: POST {hub}/internal/hub/publish with `Authorization: Bearer
 * VIGIL_HUB_SECRET` and a HubPublishRequest body, from a bounded in-memory queue, up to
 * `maxInFlight` requests at once, retried with capped exponential backoff. The hub drops events it
 * already has (by event_id), so a retry or a redelivered batch is harmless. When the queue is full
 * the oldest events are dropped and counted: the hub being down never holds up the Postgres
 * writes, and dashboards reload from the API after a gap.
 */
import { HUB_PUBLISH_PATH } from '@vigil/core';
import type { HubPublishRequest, LiveEvent } from '@vigil/core';
import type { Logger } from 'pino';
import type { HubPublisher, PublishOutcome } from '../hub-publisher.port.js';

/** What the publisher reports to metrics. */
export interface HubPublisherObserver {
  published(events: number, seconds: number): void;
  failed(): void;
  dropped(events: number): void;
}

export interface HttpHubPublisherOptions {
  /** The hub's base URL (VIGIL_HUB_URL). */
  readonly url: string;
  readonly secret: string;
  readonly log: Logger;
  readonly observer?: HubPublisherObserver;
  /** Most events queued (default 50,000); past it the oldest are dropped. */
  readonly maxQueue?: number;
  /** Most events per request (default 1,000). */
  readonly maxBatch?: number;
  /** Requests in flight at once (default 4); the hub numbers events in arrival order. */
  readonly maxInFlight?: number;
  /** Per-request deadline (default 5 s). */
  readonly timeoutMs?: number;
  /** Longest wait between retries (default 5 s). */
  readonly maxBackoffMs?: number;
  readonly fetch?: typeof fetch;
}

interface Ticket {
  remaining: number;
  settled: boolean;
  resolve(outcome: PublishOutcome): void;
}

interface Entry {
  readonly event: LiveEvent;
  readonly ticket: Ticket;
}

function settle(t: Ticket, outcome: PublishOutcome): void {
  if (t.settled) return;
  t.settled = true;
  t.resolve(outcome);
}

/** Statuses a retry cannot fix: the request itself is wrong. */
const PERMANENT = new Set([400, 404, 413, 422]);

export class HttpHubPublisher implements HubPublisher {
  healthy = true;
  private queue: Entry[] = [];
  /** Batches being posted. */
  private readonly inflight = new Set<Entry[]>();
  private inflightEvents = 0;
  private readonly workers = new Set<Promise<void>>();
  private closing = false;
  private stopped = false;
  private readonly sleepers = new Set<() => void>();
  private lastWarn = 0;
  private readonly endpoint: string;
  private readonly maxQueue: number;
  private readonly maxBatch: number;
  private readonly timeoutMs: number;
  private readonly maxBackoffMs: number;
  private readonly fetchFn: typeof fetch;
  private readonly observer: HubPublisherObserver | undefined;
  private readonly maxInFlight: number;

  constructor(private readonly options: HttpHubPublisherOptions) {
    this.endpoint = options.url.replace(/\/+$/, '') + HUB_PUBLISH_PATH;
    this.maxQueue = options.maxQueue ?? 50_000;
    this.maxBatch = options.maxBatch ?? 1_000;
    this.maxInFlight = options.maxInFlight ?? 4;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.fetchFn = options.fetch ?? fetch;
    this.observer = options.observer;
  }

  get depth(): number {
    return this.queue.length + this.inflightEvents;
  }

  publish(events: readonly LiveEvent[]): Promise<PublishOutcome> {
    if (events.length === 0) return Promise.resolve('published');
    if (this.closing) {
      this.observer?.dropped(events.length);
      return Promise.resolve('dropped');
    }
    return new Promise<PublishOutcome>((resolve) => {
      const ticket: Ticket = { remaining: events.length, settled: false, resolve };
      for (const event of events) this.queue.push({ event, ticket });
      this.enforceBound();
      this.startPump();
    });
  }

  private enforceBound(): void {
    const over = this.queue.length + this.inflightEvents - this.maxQueue;
    if (over <= 0) return;
    const dropped = this.queue.splice(0, Math.min(over, this.queue.length));
    for (const e of dropped) settle(e.ticket, 'dropped');
    this.observer?.dropped(dropped.length);
    this.warn({ dropped: dropped.length }, 'hub publish queue full: oldest events dropped');
  }

  private warn(fields: object, msg: string): void {
    // One line per 10 s: a hub outage must not flood the logs.
    const now = Date.now();
    if (now - this.lastWarn < 10_000) return;
    this.lastWarn = now;
    this.options.log.warn(fields, msg);
  }

  private startPump(): void {
    // One worker per batch waiting, at most maxInFlight; each runs until the queue is empty.
    const wanted = Math.min(this.maxInFlight, Math.ceil(this.queue.length / this.maxBatch));
    while (this.workers.size < wanted) {
      const worker: Promise<void> = this.pump().finally(() => this.workers.delete(worker));
      this.workers.add(worker);
    }
  }

  private async pump(): Promise<void> {
    let attempt = 0;
    while (this.queue.length > 0 && !this.stopped) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inflight.add(batch);
      this.inflightEvents += batch.length;
      const outcome = await this.post(batch.map((e) => e.event));
      this.inflight.delete(batch);
      this.inflightEvents -= batch.length;
      if (outcome === 'ok' || outcome === 'permanent') {
        attempt = 0;
        for (const e of batch) {
          if (outcome === 'permanent') settle(e.ticket, 'dropped');
          else if (--e.ticket.remaining === 0) settle(e.ticket, 'published');
        }
        if (outcome === 'permanent') this.observer?.dropped(batch.length);
        continue;
      }
      // Transient: put the batch back in front and wait before the next attempt.
      this.queue.unshift(...batch);
      this.enforceBound();
      const delay = Math.min(this.maxBackoffMs, 100 * 2 ** Math.min(attempt++, 10));
      await this.sleep(delay * (0.5 + Math.random() / 2));
    }
  }

  /** Backoff; close() cuts it short once, for a last attempt. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.closing ? Math.min(ms, 100) : ms);
      this.sleepers.add(done);
    });
  }

  private async post(events: readonly LiveEvent[]): Promise<'ok' | 'transient' | 'permanent'> {
    const body: HubPublishRequest = { events };
    const t0 = performance.now();
    try {
      const res = await this.fetchFn(this.endpoint, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.options.secret}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        this.healthy = true;
        this.observer?.published(events.length, (performance.now() - t0) / 1000);
        return 'ok';
      }
      this.healthy = false;
      this.observer?.failed();
      if (PERMANENT.has(res.status)) {
        this.options.log.error(
          { status: res.status, events: events.length, first_event_id: events[0]?.event_id },
          'hub refused a publish: events dropped',
        );
        return 'permanent';
      }
      this.warn({ status: res.status, queued: this.depth }, 'hub publish failed; retrying');
      return 'transient';
    } catch (error) {
      this.healthy = false;
      this.observer?.failed();
      this.warn({ err: error, queued: this.depth }, 'hub publish failed; retrying');
      return 'transient';
    }
  }

  async close(graceMs = 3_000): Promise<void> {
    this.closing = true;
    const deadline = new Promise<void>((r) => setTimeout(r, graceMs).unref());
    // Cut the current backoff short: one last attempt to deliver what is queued.
    for (const wake of [...this.sleepers]) wake();
    await Promise.race([Promise.all([...this.workers]), deadline]);
    this.stopped = true;
    for (const wake of [...this.sleepers]) wake();
    const rest = [...[...this.inflight].flat(), ...this.queue];
    this.queue = [];
    for (const e of rest) settle(e.ticket, 'dropped');
    if (rest.length > 0) {
      this.observer?.dropped(rest.length);
      this.options.log.warn({ dropped: rest.length }, 'hub publisher closed with events queued');
    }
  }
}

/** No hub configured: every publish is 'disabled' (logged once by main.ts). */
export const disabledHubPublisher: HubPublisher = {
  healthy: true,
  depth: 0,
  publish: () => Promise.resolve('disabled'),
  close: () => Promise.resolve(),
};
