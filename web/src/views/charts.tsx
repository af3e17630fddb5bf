/** The three trend charts: score distribution, edge latency, decisions over time. */
import { createMemo, type Accessor, type JSX } from 'solid-js';
import uPlot from 'uplot';
import type { Stats } from '@vigil/core';
import type { Theme } from '../stores/theme-store.js';
import { formatMs } from '../format/format.js';
import {
  decisionColumns,
  histogramColumns,
  histogramSummary,
  latencyColumns,
  utcTickLabels,
} from './chart-data.js';
import { UPlotChart } from './uplot-chart.js';

export interface ChartsProps {
  readonly stats: Accessor<Stats | null>;
  readonly theme: Accessor<Theme>;
}

/** A CSS custom property of the document (colours follow the theme). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export function axes(xTime: boolean, yLabel: string): uPlot.Axis[] {
  const text = cssVar('--text-muted');
  const grid = cssVar('--grid');
  const common = {
    stroke: text,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
    font: '11px system-ui, sans-serif',
  };
  return [
    {
      ...common,
      values: xTime
        ? (_u: uPlot, v: number[]) => utcTickLabels(v)
        : (_u: uPlot, v: number[]) => v.map((x) => x.toFixed(1)),
    },
    { ...common, label: yLabel, labelFont: '11px system-ui, sans-serif', size: 52 },
  ];
}

export function Charts(props: ChartsProps): JSX.Element {
  const hist = createMemo(() => histogramColumns(props.stats()));
  const latency = createMemo(() => latencyColumns(props.stats()));
  const decisions = createMemo(() => decisionColumns(props.stats()));
  const bars = uPlot.paths.bars?.({ size: [0.9, 60] });

  return (
    <section class="charts" aria-label="Trends">
      <UPlotChart
        title="Score distribution"
        testid="chart-score-histogram"
        rebuildKey={props.theme}
        data={hist}
        summary={() => histogramSummary(props.stats())}
        options={(width, height) => ({
          width,
          height,
          legend: { show: false },
          cursor: { drag: { x: false, y: false } },
          scales: {
            x: { time: false, range: [0, 1] },
            y: { distr: 3, log: 10, range: (_u, _min, max) => [1, Math.max(10, max * 1.5)] },
          },
          axes: axes(false, 'decisions (log)'),
          series: [
            { label: 'score' },
            {
              label: 'decisions',
              stroke: cssVar('--accent'),
              fill: cssVar('--accent-fill'),
              ...(bars ? { paths: bars } : {}),
              points: { show: false },
            },
          ],
        })}
      />
      <UPlotChart
        title="Edge latency (p50 / p99)"
        testid="chart-latency"
        rebuildKey={props.theme}
        data={latency}
        summary={() => {
          const s = props.stats();
          return s
            ? `Edge latency in this window: p50 ${formatMs(s.latency_ms.p50)}, p99 ${formatMs(s.latency_ms.p99)}.`
            : 'Edge latency: no data yet.';
        }}
        options={(width, height) => ({
          width,
          height,
          legend: { show: true, live: false },
          scales: {
            x: { time: true },
            y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.2)] },
          },
          axes: axes(true, 'ms'),
          series: [
            {},
            { label: 'p50', stroke: cssVar('--accent'), width: 2, spanGaps: false },
            { label: 'p99', stroke: cssVar('--review'), width: 2, spanGaps: false },
          ],
        })}
      />
      <UPlotChart
        title="Decisions over time"
        testid="chart-decisions"
        rebuildKey={props.theme}
        data={decisions}
        summary={() => {
          const s = props.stats();
          return s
            ? `Decisions in this window: ${s.decisions.approve} approved, ${s.decisions.review} to review, ${s.decisions.decline} declined.`
            : 'Decisions over time: no data yet.';
        }}
        options={(width, height) => ({
          width,
          height,
          legend: { show: true, live: false },
          scales: {
            x: { time: true },
            y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
          },
          axes: axes(true, 'per bucket'),
          series: [
            {},
            { label: 'approve', stroke: cssVar('--approve'), width: 2 },
            { label: 'review', stroke: cssVar('--review'), width: 2 },
            { label: 'decline', stroke: cssVar('--decline'), width: 2 },
          ],
        })}
      />
    </section>
  );
}
