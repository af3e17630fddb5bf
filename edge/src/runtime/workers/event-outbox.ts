/**
 * The EventOutbox Durable Object: the Worker's durable outbox. One instance
 * (`idFromName('global')`), SQLite-backed (wrangler.toml's migration `v2`). When an isolate cannot
 * deliver a request's events directly (request-event-sink.ts), it hands them here (`store`, RPC);
 * they are written to SQLite — one row per event, its JSON keyed by `event_id`, `INSERT OR IGNORE`
 * so a repeated handoff is harmless — and an alarm runs the edge's one drain (events/outbox.ts,
 * which the Node edge runs over LMDB): oldest first, signed batches of ≤ 500, each removed once the
 * backplane has acknowledged it, held or set aside by the same policy. While the backplane fails,
 * the alarm reschedules itself after the drain's backoff (nextDrain), explicitly — the runtime's
 * own retries of a throwing alarm give up after a few — and an isolate whose direct delivery works
 * again pulls it forward (`resume`).
 *
 * Bounded: at most VIGIL_OUTBOX_CAPACITY events (default 100,000; a decision event is ~1.6 kB, so
 * ~160 MB of SQLite). When full it refuses new events rather than dropping stored ones: refusals
 * are returned to the isolate, which counts them (`vigil_events_dropped_total{reason="outbox_full"}`),
 * counted here too and logged at error level.
 *
 * Nothing correctness depends on lives only in memory: the events, the counters and the backoff
 * state are in SQLite, the schedule is the alarm. `held` is a cache of COUNT(*) rebuilt on every
 * wake-up, exact because only this object writes the table.
 *
 * Why one instance: handoffs happen only while the backplane is failing, one RPC per request then;
 * one object takes on the order of a thousand such calls a second, and one queue keeps one order
 * and one depth. A deployment that fails over more traffic than that would shard by a hash of the
 * event's customer (the Kafka key) over N names and sum the shards' stats on /metrics.
 */
import { DurableObject } from 'cloudflare:workers';
import { validateEvent, type VigilEvent } from '@vigil/core';
import { consoleLogger } from '../../app/create-app.js';
import { loadConfig } from '../../config/index.js';
import {
  createWebCryptoHmac,
  drainOutbox,
  nextDrain,
  throttleLog,
  type DrainObserver,
  type DrainOutcome,
  type FailureReason,
  type HandoffResult,
  type IngestTarget,
  type OutboxRow,
  type OutboxStats,
  type OutboxStore,
  type ThrottledLog,
} from '../../events/index.js';

/** The bindings the outbox reads (the Worker's own). */
export interface OutboxEnv {
  readonly VIGIL_BACKPLANE_URL?: string;
  readonly VIGIL_EVENTS_SECRET?: string;
  readonly VIGIL_OUTBOX_CAPACITY?: string;
}

/** Counters kept in outbox_meta (monotonic, survive restarts), and the backoff's attempt number. */
type MetaKey =
  | 'stored'
  | 'duplicates'
  | 'refused_full'
  | 'refused_invalid'
  | 'delivered'
  | `failed_${FailureReason}`
  | 'dropped_invalid'
  | 'dropped_rejected'
  | 'attempt';

export class EventOutbox extends DurableObject<OutboxEnv> implements OutboxStore {
  private readonly sql: SqlStorage;
  private readonly capacity: number;
  private readonly target: IngestTarget | null;
  private readonly throttled: ThrottledLog;
  private held: number;

  constructor(ctx: DurableObjectState, env: OutboxEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    const config = loadConfig({
      VIGIL_BACKPLANE_URL: env.VIGIL_BACKPLANE_URL,
      VIGIL_EVENTS_SECRET: env.VIGIL_EVENTS_SECRET,
      VIGIL_OUTBOX_CAPACITY: env.VIGIL_OUTBOX_CAPACITY,
    });
    this.capacity = config.outboxCapacity;
    this.target = config.backplane
      ? {
          backplaneUrl: config.backplane.url,
          secret: config.backplane.eventsSecret,
          hmac: createWebCryptoHmac(),
        }
      : null;
    this.throttled = throttleLog(consoleLogger);
    // Runs on every wake-up: idempotent and synchronous.
    this.sql.exec(
      'CREATE TABLE IF NOT EXISTS outbox_events (seq INTEGER PRIMARY KEY, ' +
        'event_id TEXT NOT NULL UNIQUE, event TEXT NOT NULL, stored_at INTEGER NOT NULL)',
    );
    this.sql.exec(
      'CREATE TABLE IF NOT EXISTS outbox_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)',
    );
    this.held = this.countRows();
  }

  /** RPC from the Worker: keep these events until the backplane takes them. */
  async append(events: readonly VigilEvent[]): Promise<HandoffResult> {
    let stored = 0;
    let duplicates = 0;
    let refused = 0;
    let invalid = 0;
    const now = Date.now();
    // The cache moves only once the transaction has committed.
    let depth = this.held;
    this.ctx.storage.transactionSync(() => {
      for (const e of events) {
        // The RPC is a border: rows must be events the backplane's schemas accept.
        const v = validateEvent(e);
        if (!v.ok) {
          invalid++;
          continue;
        }
        const id = v.value.event_id;
        if (depth >= this.capacity) {
          const known = this.sql
            .exec('SELECT 1 FROM outbox_events WHERE event_id = ?', id)
            .toArray().length;
          if (known > 0) duplicates++;
          else refused++;
          continue;
        }
        const c = this.sql.exec(
          'INSERT OR IGNORE INTO outbox_events (event_id, event, stored_at) VALUES (?, ?, ?)',
          id,
          JSON.stringify(v.value),
          now,
        );
        if (c.rowsWritten > 0) {
          stored++;
          depth++;
        } else {
          duplicates++;
        }
      }
      this.count({ stored, duplicates, refused_full: refused, refused_invalid: invalid });
    });
    this.held = depth;
    if (refused > 0) {
      this.throttled(
        'error',
        `durable outbox full (VIGIL_OUTBOX_CAPACITY=${this.capacity}): new events refused; ` +
          'the backplane has not taken events for a while',
        { depth: this.held, backplane: this.target?.backplaneUrl },
        refused,
      );
    }
    if (invalid > 0) {
      this.throttled('error', 'durable outbox: events that fail core’s schemas refused (a bug)', {
        example: (events.find((e) => !validateEvent(e).ok) as { event_id?: unknown } | undefined)
          ?.event_id,
      });
    }
    if (stored > 0) await this.ensureScheduled();
    return { stored: stored + duplicates, duplicates, refused, invalid };
  }

  /** RPC: the backplane took a direct delivery; deliver now instead of waiting out the backoff. */
  async resume(): Promise<void> {
    if (this.held === 0) return;
    const at = await this.ctx.storage.getAlarm();
    if (at === null || at > Date.now() + 1_000) await this.ctx.storage.setAlarm(Date.now());
  }

  /** RPC: depth and counters for the Worker's /metrics. Also repairs a missing alarm. */
  async stats(): Promise<OutboxStats> {
    await this.ensureScheduled();
    const meta = new Map<string, number>();
    for (const r of this.sql.exec<{ key: string; value: number }>('SELECT * FROM outbox_meta')) {
      meta.set(r.key, r.value);
    }
    const get = (k: MetaKey) => meta.get(k) ?? 0;
    const oldest = this.sql
      .exec<{ stored_at: number }>('SELECT stored_at FROM outbox_events ORDER BY seq LIMIT 1')
      .toArray()[0];
    return {
      depth: this.held,
      capacity: this.capacity,
      oldestAgeSeconds: oldest ? Math.max(0, Date.now() - oldest.stored_at) / 1000 : 0,
      stored: get('stored'),
      duplicates: get('duplicates'),
      refused: { full: get('refused_full'), invalid: get('refused_invalid') },
      delivered: get('delivered'),
      failed: {
        network: get('failed_network'),
        timeout: get('failed_timeout'),
        http: get('failed_http'),
      },
      dropped: { invalid: get('dropped_invalid'), rejected: get('dropped_rejected') },
      consecutiveFailures: get('attempt'),
    };
  }

  /** RPC (each isolate's first request): make sure stored events have an alarm to deliver them. */
  async ensureScheduled(): Promise<void> {
    if (this.held > 0 && (await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now());
    }
  }

  /** Deliver what is stored; then sleep (empty), go on (more) or back off (the backplane failed). */
  override async alarm(): Promise<void> {
    if (this.target === null) {
      this.throttled('error', 'durable outbox: events stored but no VIGIL_BACKPLANE_URL', {
        depth: this.held,
      });
      return; // the next isolate with a backplane reschedules (ensureScheduled)
    }
    let outcome: DrainOutcome;
    try {
      outcome = await drainOutbox(this, {
        target: this.target,
        observer: this.observer,
        log: this.throttled,
      });
    } catch (error) {
      // A bug or a storage failure: never let the schedule die with it.
      consoleLogger({ level: 'error', msg: 'durable outbox: drain failed', error });
      outcome = { kind: 'retry', delivered: 0, status: null, retryAfterMs: null, error };
    }
    if (outcome.kind === 'empty') this.held = this.countRows(); // cheap: the cache never drifts
    const next = nextDrain(outcome, this.meta('attempt'));
    if (this.meta('attempt') !== next.failures) this.setMeta('attempt', next.failures);
    if (next.inMs !== null) await this.ctx.storage.setAlarm(Date.now() + next.inMs);
    else if (this.held > 0) await this.ctx.storage.setAlarm(Date.now());
  }

  /** The drain's counts, kept in outbox_meta. */
  private readonly observer: DrainObserver = {
    delivered: (rows) => this.count({ delivered: rows.length }),
    failed: (reason, n) => this.count({ [`failed_${reason}`]: n }),
    setAside: (reason, n) => this.count({ [`dropped_${reason}`]: n }),
  };

  // OutboxStore, for the drain.

  oldest(limit: number): readonly OutboxRow[] {
    return this.sql
      .exec<{ seq: number; event: string; stored_at: number }>(
        'SELECT seq, event, stored_at FROM outbox_events ORDER BY seq LIMIT ?',
        limit,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, json: r.event, at: r.stored_at }));
  }

  settle(rows: readonly OutboxRow[]): void {
    const removed = this.ctx.storage.transactionSync(() => {
      let n = 0;
      for (const row of rows) {
        // rowsWritten counts index entries too: > 0 means the row was there.
        n +=
          this.sql.exec('DELETE FROM outbox_events WHERE seq = ?', row.seq).rowsWritten > 0 ? 1 : 0;
      }
      return n;
    });
    this.held -= removed;
  }

  depth(): number {
    return this.held;
  }

  private count(by: Partial<Record<MetaKey, number>>): void {
    for (const [key, n] of Object.entries(by)) {
      if (n === 0) continue;
      this.sql.exec(
        'INSERT INTO outbox_meta (key, value) VALUES (?, ?) ' +
          'ON CONFLICT (key) DO UPDATE SET value = value + excluded.value',
        key,
        n,
      );
    }
  }

  private countRows(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM outbox_events').one().n;
  }

  private meta(key: MetaKey): number {
    const row = this.sql
      .exec<{ value: number }>('SELECT value FROM outbox_meta WHERE key = ?', key)
      .toArray()[0];
    return row?.value ?? 0;
  }

  private setMeta(key: MetaKey, value: number): void {
    this.sql.exec(
      'INSERT INTO outbox_meta (key, value) VALUES (?, ?) ' +
        'ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      key,
      value,
    );
  }
}
