/**
 * The backtest's per-day chart and the thresholds page's score histogram as uPlot's aligned
 * columns (x first), with their text alternatives. Pure.
 */
import type { BacktestAnswer, ThresholdsPreview } from '@vigil/core';
import { formatCountOf } from '../format/format.js';
import type { Columns } from './chart-data.js';

const DAY_S = 86_400;

/**
 * Per UTC day of the answer's window, oldest first: x = the day's start (s), matches, confirmed
 * frauds among them; days without decisions are 0 (the answer lists only days that have some), so
 * the axis spans the window chosen, not just the busy days.
 */
export function perDayColumns(a: BacktestAnswer | null): Columns {
  if (!a) return [[], [], []];
  const byDay = new Map(a.per_day.map((d) => [Date.parse(`${d.day}T00:00:00Z`) / 1000, d]));
  const dayOf = (iso: string) => Math.floor(Date.parse(iso) / 1000 / DAY_S) * DAY_S;
  const first = Math.min(dayOf(a.window.from), ...byDay.keys());
  // `to` is exclusive: a window ending at midnight does not reach into that day.
  const last = Math.max(
    dayOf(new Date(Date.parse(a.window.to) - 1).toISOString()),
    ...byDay.keys(),
  );
  const x: number[] = [];
  const matched: number[] = [];
  const fraud: number[] = [];
  for (let t = first; t <= last; t += DAY_S) {
    const d = byDay.get(t);
    x.push(t);
    matched.push(d?.matched ?? 0);
    fraud.push(d?.matched_fraud ?? 0);
  }
  return [x, matched, fraud];
}

/** A sentence for the per-day chart, for screen readers. */
export function perDaySummary(a: BacktestAnswer | null): string {
  if (!a) return 'Matches per day: no backtest yet.';
  const busiest = a.per_day.reduce<{ day: string; matched: number } | null>(
    (best, d) => (best === null || d.matched > best.matched ? d : best),
    null,
  );
  const head = `Matches per day over ${formatCountOf(a.per_day.length, 'day')}: ${formatCountOf(a.matched, 'match', 'matches')}, ${formatCountOf(a.matched_fraud, 'confirmed fraud')}`;
  return busiest && busiest.matched > 0
    ? `${head}; most on ${busiest.day} (${busiest.matched}).`
    : `${head}.`;
}

/**
 * The preview's histogram: x = each bin's centre over [0, 1]; fraud, legitimate and unlabelled
 * counts, empty bins null (the y axis is logarithmic: a few frauds beside thousands of good
 * payments must still show).
 */
export function scoreHistogramColumns(p: ThresholdsPreview | null): Columns {
  const h = p?.histogram;
  const bins = h?.bins ?? 0;
  const x = Array.from({ length: bins }, (_, i) => Math.round(((i + 0.5) / bins) * 1e4) / 1e4);
  const col = (v: readonly number[] | undefined) =>
    x.map((_, i) => {
      const n = v?.[i] ?? 0;
      return n > 0 ? n : null;
    });
  return [x, col(h?.fraud), col(h?.legitimate), col(h?.unlabelled)];
}

/** A sentence for the score histogram. */
export function scoreHistogramSummary(p: ThresholdsPreview | null): string {
  if (!p) return 'Score histogram: no preview yet.';
  const sum = (v: readonly number[]) => v.reduce((a, b) => a + b, 0);
  const h = p.histogram;
  return `Scores of ${formatCountOf(p.evaluated, 'decision')}: ${formatCountOf(sum(h.fraud), 'fraud')}, ${sum(h.legitimate)} legitimate, ${sum(h.unlabelled)} unlabelled.`;
}
