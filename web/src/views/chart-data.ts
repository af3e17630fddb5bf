/** The charts' data from /api/stats, as uPlot's aligned columns (x first). Pure. */
import type { Stats } from '@vigil/core';
import { formatCountOf } from '../format/format.js';

export type Columns = [number[], ...(number | null)[][]];

/** 20 bins over [0, 1]: x = each bin's centre; empty bins null (the y axis is logarithmic). */
export function histogramColumns(s: Stats | null): Columns {
  const bins = s?.score_histogram ?? [];
  const x: number[] = [];
  const y: (number | null)[] = [];
  const width = bins.length > 0 ? 1 / bins.length : 0.05;
  bins.forEach((count, i) => {
    x.push(Math.round((i + 0.5) * width * 1e4) / 1e4);
    y.push(onLog(count));
  });
  return [x, y];
}

function seconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

/** Latency over time: x = bucket start (s), p50 and p99 (ms); buckets without data are gaps. */
export function latencyColumns(s: Stats | null): Columns {
  const series = s?.series ?? [];
  const x: number[] = [];
  const p50: (number | null)[] = [];
  const p99: (number | null)[] = [];
  for (const b of series) {
    const empty = b.approve + b.review + b.decline === 0;
    x.push(seconds(b.t));
    p50.push(empty ? null : b.p50_ms);
    p99.push(empty ? null : b.p99_ms);
  }
  return [x, p50, p99];
}

/** A count on a logarithmic axis: 0 has no place there, so it is a gap (null). */
const onLog = (n: number): number | null => (n > 0 ? n : null);

/**
 * Decisions per bucket over time: approve, review, decline, for a logarithmic y axis (empty
 * buckets are gaps). On a linear axis approvals (~98 %) flatten reviews and declines into the
 * floor; on a log axis each line keeps its own shape.
 */
export function decisionColumns(s: Stats | null): Columns {
  const series = s?.series ?? [];
  return [
    series.map((b) => seconds(b.t)),
    series.map((b) => onLog(b.approve)),
    series.map((b) => onLog(b.review)),
    series.map((b) => onLog(b.decline)),
  ];
}

/** A sentence describing the score histogram, for screen readers. */
export function histogramSummary(s: Stats | null): string {
  if (!s || s.transactions === 0) return 'Score distribution: no decisions in this window.';
  const bins = s.score_histogram;
  const high = bins.slice(Math.floor(bins.length / 2)).reduce((a, b) => a + b, 0);
  return `Score distribution of ${formatCountOf(s.transactions, 'decision')}; ${high} scored 0.5 or more.`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Tick labels for a time axis, in UTC like the rest of the dashboard: HH:MM, with seconds when
 * ticks are less than a minute apart, and the date where the day changes (or on the first tick)
 * when they are a day or more apart.
 */
export function utcTickLabels(splits: readonly number[]): string[] {
  const step = splits.length > 1 ? Math.abs(splits[1]! - splits[0]!) : 60;
  let lastDay = '';
  return splits.map((s) => {
    const d = new Date(s * 1000);
    const day = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
    const hm = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
    const newDay = day !== lastDay;
    lastDay = day;
    if (step >= 86_400) return day;
    if (step < 60) return `${hm}:${pad2(d.getUTCSeconds())}`;
    return newDay && step >= 3600 ? `${day.slice(5)} ${hm}` : hm;
  });
}
