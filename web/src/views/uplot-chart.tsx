/**
 * One uPlot canvas: sized to its container, rebuilt when `rebuildKey` changes (the theme's
 * colours are baked into a chart), fed new data at most once per `minIntervalMs`.
 */
import { createEffect, on, onCleanup, onMount, type JSX } from 'solid-js';
import uPlot from 'uplot';
import type { Columns } from './chart-data.js';

export interface UPlotChartProps {
  readonly title: string;
  readonly testid: string;
  /** uPlot options for a width (height is `height`). */
  readonly options: (width: number, height: number) => uPlot.Options;
  readonly data: () => Columns;
  readonly rebuildKey: () => unknown;
  /** Text alternative of the canvas. */
  readonly summary: () => string;
  readonly height?: number;
  readonly minIntervalMs?: number;
  readonly children?: JSX.Element;
}

export function UPlotChart(props: UPlotChartProps): JSX.Element {
  let host!: HTMLDivElement;
  let chart: uPlot | null = null;
  let lastSet = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const height = (): number => props.height ?? 180;
  const minInterval = (): number => props.minIntervalMs ?? 1000;

  const width = (): number => Math.max(200, Math.floor(host.clientWidth));

  function setData(d: Columns): void {
    if (!chart) return;
    chart.setData(d);
    lastSet = performance.now();
  }

  onMount(() => {
    const ro = new ResizeObserver(() => {
      if (chart) chart.setSize({ width: width(), height: height() });
    });
    ro.observe(host);

    createEffect(
      on(props.rebuildKey, () => {
        chart?.destroy();
        chart = new uPlot(props.options(width(), height()), props.data(), host);
        lastSet = performance.now();
      }),
    );

    // Throttled: a chart redraw is a few ms of canvas work; once a second is plenty for a trend.
    createEffect(
      on(
        props.data,
        (d) => {
          const wait = minInterval() - (performance.now() - lastSet);
          if (timer !== null) clearTimeout(timer);
          timer = null;
          if (wait <= 0) setData(d);
          else
            timer = setTimeout(() => {
              timer = null;
              setData(props.data());
            }, wait);
        },
        { defer: true },
      ),
    );

    onCleanup(() => {
      ro.disconnect();
      if (timer !== null) clearTimeout(timer);
      chart?.destroy();
      chart = null;
    });
  });

  return (
    <figure class="chart" data-testid={props.testid}>
      <figcaption class="chart-title">{props.title}</figcaption>
      <div ref={host} class="chart-canvas" role="img" aria-label={props.summary()} />
      {props.children}
    </figure>
  );
}
