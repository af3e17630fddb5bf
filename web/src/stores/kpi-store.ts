/** The KPI tiles' and charts' data: GET /api/stats polled every 2 s for the chosen window. */
import { createSignal, type Accessor } from 'solid-js';
import type { Stats, StatsWindow } from '@vigil/core';
import type { ApiClient } from '../api/client.js';
import { errorMessage } from '../api/api-error.js';
import { createPoller } from './poller.js';

export interface KpiStoreOptions {
  readonly client: Pick<ApiClient, 'getStats'>;
  readonly intervalMs?: number;
  readonly setTimeout?: (fn: () => void, ms: number) => unknown;
  readonly clearTimeout?: (h: unknown) => void;
}

export interface KpiStore {
  readonly stats: Accessor<Stats | null>;
  readonly window: Accessor<StatsWindow>;
  setWindow(w: StatsWindow): void;
  readonly error: Accessor<string | null>;
  /** When the shown stats were fetched (ms since epoch), for "updated … ago". */
  readonly updatedAt: Accessor<number | null>;
  start(): void;
  stop(): void;
  refresh(): Promise<void>;
  reset(): void;
}

/** Shares of each decision in the window, 0..1; null when there were none (nothing to share). */
export function decisionMix(s: Stats): { approve: number; review: number; decline: number } | null {
  const total = s.decisions.approve + s.decisions.review + s.decisions.decline;
  if (total === 0) return null;
  return {
    approve: s.decisions.approve / total,
    review: s.decisions.review / total,
    decline: s.decisions.decline / total,
  };
}

export function createKpiStore(opts: KpiStoreOptions): KpiStore {
  const [stats, setStats] = createSignal<Stats | null>(null);
  const [win, setWin] = createSignal<StatsWindow>('5m');
  const [error, setError] = createSignal<string | null>(null);
  const [updatedAt, setUpdatedAt] = createSignal<number | null>(null);

  async function tick(): Promise<void> {
    const asked = win();
    try {
      const s = await opts.client.getStats(asked);
      if (asked !== win()) return; // the window changed while this was in flight
      setStats(s);
      setUpdatedAt(Date.now());
      setError(null);
    } catch (err) {
      setError(`Stats unavailable: ${errorMessage(err)}`);
    }
  }

  const poller = createPoller({
    intervalMs: opts.intervalMs ?? 2000,
    tick,
    ...(opts.setTimeout ? { setTimeout: opts.setTimeout } : {}),
    ...(opts.clearTimeout ? { clearTimeout: opts.clearTimeout } : {}),
  });

  return {
    stats,
    window: win,
    setWindow(w) {
      if (w === win()) return;
      setWin(w);
      setStats(null);
      if (poller.running()) void poller.now();
    },
    error,
    updatedAt,
    start: () => poller.start(),
    stop: () => poller.stop(),
    refresh: () => poller.now(),
    reset() {
      poller.stop();
      setStats(null);
      setError(null);
      setUpdatedAt(null);
    },
  };
}
