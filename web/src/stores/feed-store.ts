/**
 * The live decision feed: the newest decisions (a bounded ring buffer), fed by LiveHub frames that
 * are queued and applied once per animation frame, reloaded from the API on a gap.
 */
import { createSignal, type Accessor } from 'solid-js';
import type { LiveItem } from '@vigil/core';
import type { ApiClient } from '../api/client.js';
import { errorMessage } from '../api/api-error.js';
import type { LiveGap } from '../api/live-socket.js';
import { createFrameBatcher, type Scheduler } from './frame-batcher.js';
import { mergeRows, rowFromLive, rowFromSummary, type FeedRow } from './feed-row.js';
import {
  FILTER_SHORT_BELOW,
  filterDecisions,
  matchesFilter,
  withOlderRows,
  type FeedFilter,
} from './filter-reach.js';
import { RateMeter } from './rate-meter.js';
import { RingBuffer } from './ring-buffer.js';

export type { FeedFilter } from './filter-reach.js';

/**
 * Why the view is frozen: the user paused it, scrolled away from the newest rows, is pointing at
 * or focused on a row (at 2,000 decisions/s a row moves many times a second: it must hold still to
 * be clicked), or is reading a transaction in the drawer (closing it returns focus to the row it
 * was opened from, which must still show that transaction).
 */
export type HoldReason = 'user' | 'scroll' | 'pointer' | 'focus' | 'drawer';

/** Where live items come from (the LiveSocket, or a fake). */
export interface LiveSource {
  onItems(cb: (items: readonly LiveItem[]) => void): () => void;
  onGap(cb: (gap: LiveGap) => void): () => void;
}

export interface FeedStoreOptions {
  readonly client: Pick<ApiClient, 'listTransactions'>;
  readonly schedule: Scheduler;
  readonly now?: () => number;
  /** Decisions held (the default 5,000). */
  readonly capacity?: number;
  /** Rows asked of the API on a reload. */
  readonly reloadLimit?: number;
  readonly setInterval?: (fn: () => void, ms: number) => unknown;
  readonly clearInterval?: (h: unknown) => void;
}

export interface FeedStore {
  /** Rows to show, newest first, filtered; frozen while held. */
  readonly rows: Accessor<readonly FeedRow[]>;
  /** Decisions held (unfiltered). */
  readonly size: Accessor<number>;
  readonly filter: Accessor<FeedFilter>;
  /** Chooses the filter; resolves once a short view has asked the API for more. */
  setFilter(f: FeedFilter): Promise<void>;
  readonly paused: Accessor<boolean>;
  readonly pausedByUser: Accessor<boolean>;
  /** Freezes (`on`) or releases the view for one reason; it is live when no reason holds it. */
  hold(reason: HoldReason, on: boolean): void;
  /** Decisions that arrived while the view was frozen. */
  readonly newWhilePaused: Accessor<number>;
  /** Refreshes a frozen view to the newest rows (it stays frozen). */
  catchUp(): void;
  /** Decisions per second seen on the live feed (updated once a second). */
  readonly tps: Accessor<number>;
  readonly loading: Accessor<boolean>;
  readonly error: Accessor<string | null>;
  /** Queues live items; they are applied on the next frame. The one entry point for events. */
  ingest(items: readonly LiveItem[]): void;
  /** Replaces the held rows by the API's newest, keeping live rows it does not have yet. */
  reload(): Promise<void>;
  /** Subscribes to a live source and starts the tps clock; returns the disposer. */
  attach(source: LiveSource): () => void;
  /** Applies the queue now (tests, benchmarks). */
  flush(): void;
  /** Forgets everything (sign-out). */
  reset(): void;
  /** Counters for benchmarks: frames applied and events applied. */
  readonly counters: () => { flushes: number; events: number; dropped: number };
}

export function createFeedStore(opts: FeedStoreOptions): FeedStore {
  const capacity = opts.capacity ?? 5000;
  const now = opts.now ?? (() => Date.now());
  const setI = opts.setInterval ?? ((fn, ms) => globalThis.setInterval(fn, ms));
  const clearI =
    opts.clearInterval ??
    ((h) => globalThis.clearInterval(h as ReturnType<typeof globalThis.setInterval>));

  const ring = new RingBuffer<FeedRow>(capacity);
  /** transaction_id → absolute ring position. */
  const index = new Map<string, number>();
  const meter = new RateMeter(5);

  const [version, setVersion] = createSignal(0);
  const [filter, setFilterSignal] = createSignal<FeedFilter>('all');
  const [holds, setHolds] = createSignal<ReadonlySet<HoldReason>>(new Set());
  const [newWhilePaused, setNewWhilePaused] = createSignal(0);
  const [tps, setTps] = createSignal(0);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const counters = { flushes: 0, events: 0, dropped: 0 };

  const paused = (): boolean => holds().size > 0;
  let frozen: readonly FeedRow[] = [];
  let cache: { version: number; filter: FeedFilter; rows: readonly FeedRow[] } = {
    version: -1,
    filter: 'all',
    rows: [],
  };

  function liveRows(): readonly FeedRow[] {
    const v = version();
    const f = filter();
    if (cache.version === v && cache.filter === f) return cache.rows;
    const all = ring.toArrayNewestFirst();
    const rows =
      f === 'all'
        ? all
        : withOlderRows(
            all.filter((r) => matchesFilter(f, r)),
            older.filter === f ? older.rows : [],
            (id) => index.has(id),
          );
    cache = { version: v, filter: f, rows };
    return rows;
  }

  function upsert(row: FeedRow): boolean {
    const pos = index.get(row.transaction_id);
    if (pos !== undefined) {
      const held = ring.atPosition(pos);
      if (held) {
        ring.replaceAt(pos, mergeRows(row, held));
        return false;
      }
    }
    const { position, evicted } = ring.push(row);
    index.set(row.transaction_id, position);
    if (evicted && index.get(evicted.transaction_id) === position - capacity) {
      index.delete(evicted.transaction_id);
    }
    return true;
  }

  function patch(transactionId: string, fn: (row: FeedRow) => FeedRow): void {
    const pos = index.get(transactionId);
    if (pos === undefined) return;
    const row = ring.atPosition(pos);
    if (row) ring.replaceAt(pos, fn(row));
  }

  function apply(items: LiveItem[]): void {
    let decisions = 0;
    for (const { event } of items) {
      switch (event.kind) {
        case 'decision':
          if (upsert(rowFromLive(event))) decisions++;
          break;
        case 'feedback':
          patch(event.transaction_id, (r) => ({ ...r, label: event.label }));
          break;
        case 'case':
          patch(event.transaction_id, (r) => (r.case_id ? r : { ...r, case_id: event.case_id }));
          break;
      }
    }
    counters.flushes++;
    counters.events += items.length;
    meter.add(decisions, now());
    if (paused()) setNewWhilePaused((n) => n + decisions);
    setVersion((v) => v + 1);
  }

  const batcher = createFrameBatcher<LiveItem>({
    apply,
    schedule: opts.schedule,
    // Well past what one frame brings; only a long-hidden tab gets here, and a reload heals it.
    maxQueued: capacity * 10,
    onOverflow: (dropped) => {
      counters.dropped += dropped;
      void reload();
    },
  });

  /** The API's newest rows of a filter, shown below the ring's (see filter-reach.ts). */
  let older: { filter: FeedFilter; rows: readonly FeedRow[] } = { filter: 'all', rows: [] };
  let olderSeq = 0;

  async function reachFor(f: FeedFilter): Promise<void> {
    const decision = filterDecisions(f);
    if (!decision) return;
    const seq = ++olderSeq;
    try {
      const page = await opts.client.listTransactions({
        decision,
        limit: opts.reloadLimit ?? 500,
      });
      if (seq !== olderSeq || filter() !== f) return; // another filter was chosen meanwhile
      older = { filter: f, rows: page.items.map(rowFromSummary) };
      if (paused()) frozen = liveRows();
      setVersion((v) => v + 1);
    } catch (err) {
      if (seq === olderSeq) setError(`Could not load older decisions: ${errorMessage(err)}`);
    }
  }

  /** Asks the API for the filter's rows when the ring alone leaves the view short. */
  function reachIfShort(): Promise<void> {
    const f = filter();
    if (f === 'all' || (older.filter === f && older.rows.length > 0)) return Promise.resolve();
    if (liveRows().length >= FILTER_SHORT_BELOW) return Promise.resolve();
    return reachFor(f);
  }

  let reloading: Promise<void> | null = null;
  let reloadAgain = false;

  async function reloadOnce(): Promise<void> {
    setLoading(true);
    try {
      const page = await opts.client.listTransactions({ limit: opts.reloadLimit ?? 500 });
      const byId = new Map<string, FeedRow>();
      for (const s of page.items) byId.set(s.transaction_id, rowFromSummary(s));
      // Live rows that arrived meanwhile are kept: they are newer than the page, or richer.
      for (const live of ring.toArrayNewestFirst()) {
        const api = byId.get(live.transaction_id);
        byId.set(live.transaction_id, api ? mergeRows(live, api) : live);
      }
      const merged = [...byId.values()]
        .map((r) => ({ r, t: Date.parse(r.scored_at) }))
        .sort((a, b) => a.t - b.t) // oldest first, as pushes go
        .slice(-capacity);
      ring.clear();
      index.clear();
      for (const { r } of merged) upsert(r);
      setError(null);
      setVersion((v) => v + 1);
    } catch (err) {
      setError(`Could not load recent decisions: ${errorMessage(err)}`);
    } finally {
      setLoading(false);
    }
  }

  function reload(): Promise<void> {
    if (reloading) {
      reloadAgain = true;
      return reloading;
    }
    reloading = (async () => {
      do {
        reloadAgain = false;
        // Apply what is queued first, so the merge sees every live row we hold.
        batcher.flush();
        await reloadOnce();
        // The filter's older rows are asked again: the reloaded ring may reach further now.
        older = { filter: 'all', rows: [] };
        await reachIfShort();
      } while (reloadAgain);
    })().finally(() => {
      reloading = null;
    });
    return reloading;
  }

  return {
    rows: () => (paused() ? frozen : liveRows()),
    size: () => {
      version();
      return ring.size;
    },
    filter,
    setFilter(f) {
      setFilterSignal(f);
      if (paused()) frozen = liveRows();
      setVersion((v) => v + 1);
      return reachIfShort();
    },
    paused,
    pausedByUser: () => holds().has('user'),
    hold(reason, on) {
      const current = holds();
      if (current.has(reason) === on) return;
      const next = new Set(current);
      if (on) next.add(reason);
      else next.delete(reason);
      if (current.size === 0 && next.size > 0) {
        frozen = liveRows();
        setNewWhilePaused(0);
      }
      if (next.size === 0) setNewWhilePaused(0);
      setHolds(next);
    },
    newWhilePaused,
    catchUp() {
      if (!paused()) return;
      frozen = liveRows();
      setNewWhilePaused(0);
      setHolds(new Set(holds())); // the frozen rows changed: tell the readers
    },
    tps,
    loading,
    error,
    ingest: (items) => batcher.push(items),
    reload,
    attach(source) {
      const offItems = source.onItems((items) => batcher.push(items));
      const offGap = source.onGap(() => void reload());
      const timer = setI(() => setTps(meter.rate(now())), 1000);
      return () => {
        offItems();
        offGap();
        clearI(timer);
      };
    },
    flush: () => batcher.flush(),
    reset() {
      batcher.clear();
      ring.clear();
      index.clear();
      meter.reset();
      frozen = [];
      older = { filter: 'all', rows: [] };
      olderSeq++;
      setHolds(new Set<HoldReason>());
      setNewWhilePaused(0);
      setTps(0);
      setError(null);
      setVersion((v) => v + 1);
    },
    counters: () => ({ ...counters }),
  };
}
