/** The KPI tiles over the chosen stats window, plus the live feed's own throughput. */
import { For, Show, type JSX } from 'solid-js';
import type { StatsWindow } from '@vigil/core';
import type { KpiStore } from '../stores/kpi-store.js';
import { decisionMix } from '../stores/kpi-store.js';
import type { FeedStore } from '../stores/feed-store.js';
import {
  edgeMsNote,
  formatCount,
  formatEdgeMs,
  formatPercent,
  formatRate,
} from '../format/format.js';
import { MoneyTiles } from './money-tiles.js';
import { Tile } from './tile.js';

// core exports STATS_WINDOWS as a type only; the labels' keys are the same list.
const WINDOW_LABELS: Record<StatsWindow, string> = {
  '5m': 'Last 5 minutes',
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  all: 'All time',
};

export interface KpiTilesProps {
  readonly kpi: KpiStore;
  readonly feed: FeedStore;
}

/**
 * "4.00 / 17 ms": the unit once, and a no-break space inside each figure, so the tile wraps (if it
 * must) only between the two figures, never inside one ("4.00 ms /" over "ms" did at 1,440 px).
 */
export function latencyPair(p50: number, p99: number): string {
  const [a, b] = [formatEdgeMs(p50), formatEdgeMs(p99)];
  const first = a.endsWith(' ms') && b.endsWith(' ms') ? a.slice(0, -3) : a;
  return `${first} / ${b}`.replace(/(\S) (ms)$/, '$1\u00a0$2').replace(/< /g, '<\u00a0');
}

export function KpiTiles(props: KpiTilesProps): JSX.Element {
  const s = (): ReturnType<KpiStore['stats']> => props.kpi.stats();
  const mix = (): { approve: number; review: number; decline: number } | null => {
    const st = s();
    return st ? decisionMix(st) : null;
  };
  const latencyNote = (): string | null => {
    const st = s();
    if (!st) return null;
    return edgeMsNote(st.latency_ms.p50) ?? edgeMsNote(st.latency_ms.p99);
  };

  return (
    <section class="kpis" aria-labelledby="kpi-heading">
      <div class="section-head">
        <h2 id="kpi-heading">Overview</h2>
        <label class="field-inline">
          <span>Window</span>
          <select
            data-testid="stats-window"
            value={props.kpi.window()}
            onChange={(e) => props.kpi.setWindow(e.currentTarget.value as StatsWindow)}
          >
            <For each={Object.keys(WINDOW_LABELS) as StatsWindow[]}>
              {(w) => <option value={w}>{WINDOW_LABELS[w]}</option>}
            </For>
          </select>
        </label>
        <Show when={props.kpi.error()}>
          {(e) => (
            <span class="inline-error" role="alert">
              {e()}
            </span>
          )}
        </Show>
      </div>
      <dl class="tiles">
        <Tile
          testid="kpi-tps"
          label="Transactions/s (live)"
          value={formatRate(props.feed.tps())}
          sub={<>window average {s() ? formatRate(s()!.tps) : '—'}</>}
        />
        <Tile
          testid="kpi-decision-mix"
          label="Decision mix"
          value={mix() ? `${formatPercent(mix()!.decline)} declined` : '—'}
          sub={
            <Show when={mix()} fallback={<>no decisions yet</>}>
              {(m) => (
                <span class="mix">
                  <span class="mix-approve">{formatPercent(m().approve)} approve</span>
                  {' · '}
                  <span class="mix-review">{formatPercent(m().review)} review</span>
                </span>
              )}
            </Show>
          }
        />
        <Tile
          testid="kpi-labelled-fraud"
          label="Labelled fraud share"
          value={(() => {
            const r = s()?.labelled_fraud_rate;
            return r === null || r === undefined ? '—' : formatPercent(r);
          })()}
          sub={
            <>
              verdicts so far ÷ {s() ? formatCount(s()!.transactions) : '—'} transactions: analysts'
              throughput, not the fraud rate
            </>
          }
        />
        <Tile
          testid="kpi-latency"
          label="Edge latency p50 / p99"
          value={
            s() && s()!.transactions > 0
              ? latencyPair(s()!.latency_ms.p50, s()!.latency_ms.p99)
              : '—'
          }
          title={latencyNote()}
          sub={<>{latencyNote() ? 'coarse clock: under 1 ms' : 'server time per decision'}</>}
        />
        <Tile
          testid="kpi-consumer-lag"
          label="Consumer lag"
          value={s() ? formatCount(s()!.consumer_lag) : '—'}
          sub={<>events not yet in Postgres</>}
        />
        <Tile
          testid="kpi-open-cases"
          label="Open cases"
          value={s() ? formatCount(s()!.open_cases) : '—'}
          sub={<>awaiting an analyst</>}
        />
      </dl>
      <MoneyTiles stats={s} />
    </section>
  );
}
