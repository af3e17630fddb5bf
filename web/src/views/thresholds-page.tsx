/**
 * The Thresholds page: the scores of the stored decisions as a histogram of frauds, legitimate and
 * unlabelled payments, the review and decline thresholds on sliders, what they would have decided
 * beside what the thresholds in force decided (previewed as they move), and Apply — asked first —
 * which sets them for the model version the edges serve.
 */
import {
  createMemo,
  createSignal,
  For,
  onCleanup,
  onMount,
  Show,
  type Accessor,
  type JSX,
} from 'solid-js';
import uPlot from 'uplot';
import type { DecisionTally, Thresholds, ThresholdsOutcome } from '@vigil/core';
import {
  formatAmount,
  formatCount,
  formatDateTime,
  formatMs,
  formatScore,
} from '../format/format.js';
import type { ThresholdsStore } from '../stores/thresholds-store.js';
import type { Theme } from '../stores/theme-store.js';
import { scoreHistogramColumns, scoreHistogramSummary } from './analysis-chart-data.js';
import { axes, cssVar } from './charts.js';
import { InlineAlert } from './inline-alert.js';
import { UPlotChart } from './uplot-chart.js';
import { WindowSelect } from './window-select.js';

export interface ThresholdsPageProps {
  readonly thresholds: ThresholdsStore;
  readonly theme: Accessor<Theme>;
}

/**
 * The histogram's key, drawn as the series are: frauds and legitimate as boxes (bars), unlabelled
 * as a line with gaps (a bin with none has no point on a log scale). uPlot's own legend draws
 * every series as a box, which told the eye to look for a third kind of bar.
 */
export function ScoreLegend(): JSX.Element {
  return (
    <ul class="score-legend" data-testid="thresholds-legend" aria-label="Key">
      <li>
        <span class="legend-box legend-fraud" aria-hidden="true" />
        fraud
      </li>
      <li>
        <span class="legend-box legend-legitimate" aria-hidden="true" />
        legitimate
      </li>
      <li>
        <span class="legend-line" aria-hidden="true" />
        unlabelled (a line; a gap is a score range with none)
      </li>
    </ul>
  );
}

/** One threshold: a slider and a number field over [0, 1], its error under them. */
function ThresholdInput(props: {
  store: ThresholdsStore;
  field: keyof Thresholds;
  label: string;
}): JSX.Element {
  const id = `thresholds-${props.field}`;
  // A model's own thresholds have many digits (0.26813834…): shown to three, kept exact until moved.
  const shown = (): string => String(Math.round(props.store.draft()[props.field] * 1000) / 1000);
  const take = (raw: string): void => {
    const v = Number(raw);
    if (raw.trim() !== '' && Number.isFinite(v)) props.store.set(props.field, v);
  };
  return (
    <div class="threshold-input">
      <label for={id}>{props.label}</label>
      <div class="row">
        <input
          id={id}
          type="range"
          min="0"
          max="1"
          step="0.01"
          data-testid={id}
          value={shown()}
          onInput={(e) => take(e.currentTarget.value)}
        />
        <input
          type="number"
          class="mono"
          min="0"
          max="1"
          step="0.01"
          aria-label={`${props.label} (number)`}
          data-testid={`${id}-number`}
          value={shown()}
          onChange={(e) => take(e.currentTarget.value)}
        />
      </div>
      <Show when={props.store.fieldErrors()[`/${props.field}`]}>
        {(m) => (
          <p class="inline-error" data-testid={`${id}-error`}>
            {m()}
          </p>
        )}
      </Show>
    </div>
  );
}

const DECISION_ROWS = ['approve', 'review', 'decline'] as const;

/** A cell pair (current, proposed) of one number. */
function Pair(props: {
  current: number | null;
  proposed: number;
  testid: string;
  format?: (n: number) => string;
}): JSX.Element {
  const f = (n: number) => (props.format ?? formatCount)(n);
  return (
    <>
      <td class="num mono" data-testid={`${props.testid}-current`}>
        {props.current === null ? '—' : f(props.current)}
      </td>
      <td class="num mono" data-testid={`${props.testid}-proposed`} data-value={props.proposed}>
        {f(props.proposed)}
      </td>
    </>
  );
}

function Comparison(props: {
  current: ThresholdsOutcome | null;
  proposed: ThresholdsOutcome;
  /** The decisions' one currency, for its sign as the rest of the app shows it; else null. */
  currency: string | null;
}): JSX.Element {
  const tally = (o: ThresholdsOutcome | null, d: (typeof DECISION_ROWS)[number]) =>
    o ? o[d] : null;
  const money = (n: number) => formatAmount(n, props.currency);
  const pick = (t: DecisionTally | null, k: keyof DecisionTally) => (t ? t[k] : null);
  return (
    <table class="table compact thresholds-compare" data-testid="thresholds-compare">
      <thead>
        <tr>
          <th scope="col" />
          <th scope="col" class="num">
            In force{' '}
            <span class="muted mono">
              {props.current
                ? `${formatScore(props.current.thresholds.review)} / ${formatScore(props.current.thresholds.decline)}`
                : 'unknown'}
            </span>
          </th>
          <th scope="col" class="num">
            Proposed{' '}
            <span class="muted mono">
              {formatScore(props.proposed.thresholds.review)} /{' '}
              {formatScore(props.proposed.thresholds.decline)}
            </span>
          </th>
        </tr>
      </thead>
      <tbody>
        <For each={DECISION_ROWS}>
          {(d) => (
            <>
              <tr>
                <th scope="row">{d} — decisions</th>
                <Pair
                  current={pick(tally(props.current, d), 'count')}
                  proposed={props.proposed[d].count}
                  testid={`thresholds-${d}-count`}
                />
              </tr>
              <tr>
                <th scope="row" class="muted">
                  {d} — amount
                </th>
                <Pair
                  current={pick(tally(props.current, d), 'amount')}
                  proposed={props.proposed[d].amount}
                  testid={`thresholds-${d}-amount`}
                  format={money}
                />
              </tr>
              <tr>
                <th scope="row" class="muted">
                  {d} — of them fraud
                </th>
                <Pair
                  current={pick(tally(props.current, d), 'fraud')}
                  proposed={props.proposed[d].fraud}
                  testid={`thresholds-${d}-fraud`}
                />
              </tr>
            </>
          )}
        </For>
        <tr>
          <th scope="row">Frauds caught (review or decline)</th>
          <Pair
            current={props.current?.frauds_caught ?? null}
            proposed={props.proposed.frauds_caught}
            testid="thresholds-caught"
          />
        </tr>
        <tr>
          <th scope="row">Frauds missed (approved)</th>
          <Pair
            current={props.current?.frauds_missed ?? null}
            proposed={props.proposed.frauds_missed}
            testid="thresholds-missed"
          />
        </tr>
        <tr>
          <th scope="row">Legitimate reviewed or declined</th>
          <Pair
            current={props.current?.legitimate_flagged ?? null}
            proposed={props.proposed.legitimate_flagged}
            testid="thresholds-flagged"
          />
        </tr>
      </tbody>
    </table>
  );
}

const STATE_TEXT: Record<string, string> = {
  idle: '',
  waiting: 'Previewing once you stop…',
  running: 'Previewing…',
  busy: 'A preview is already running; trying again in a moment…',
  done: '',
  failed: '',
};

export function ThresholdsPage(props: ThresholdsPageProps): JSX.Element {
  const s = props.thresholds;
  const [asking, setAsking] = createSignal(false);
  const hist = createMemo(() => scoreHistogramColumns(s.preview()));
  const bars = uPlot.paths.bars?.({ size: [0.9, 40] });
  onMount(() => void s.load());
  onCleanup(() => s.dispose());

  /** The draft's thresholds as vertical lines over the histogram. */
  const drawThresholds = (u: uPlot): void => {
    const { ctx } = u;
    const top = u.bbox.top;
    const height = u.bbox.height;
    const lines: [number, string][] = [
      [s.draft().review, cssVar('--review')],
      [s.draft().decline, cssVar('--decline')],
    ];
    ctx.save();
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
    for (const [x, colour] of lines) {
      const px = u.valToPos(x, 'x', true);
      ctx.strokeStyle = colour;
      ctx.beginPath();
      ctx.moveTo(px, top);
      ctx.lineTo(px, top + height);
      ctx.stroke();
    }
    ctx.restore();
  };

  return (
    <main id="main" class="page thresholds-page" data-testid="thresholds-page">
      <section class="panel">
        <div class="section-head">
          <h2>Thresholds</h2>
          <span
            class="muted"
            data-testid="thresholds-model"
            data-model-version={s.modelVersion() ?? ''}
          >
            <Show when={s.modelVersion()} fallback="No model version reported yet">
              {(v) => (
                <>
                  Model <span class="mono">{v()}</span>
                  <Show when={s.inForce()}>
                    {(t) => (
                      <span data-testid="thresholds-in-force">
                        {' '}
                        · in force: review ≥ {formatScore(t().review)}, decline ≥{' '}
                        {formatScore(t().decline)}
                      </span>
                    )}
                  </Show>
                </>
              )}
            </Show>
          </span>
          <div class="spacer" />
          <WindowSelect
            value={s.window()}
            onChange={(d) => s.setWindow(d)}
            testid="thresholds-window"
          />
        </div>
        <p class="muted">
          A score at or above <b>decline</b> declines, at or above <b>review</b> sends to review;
          rules keep their outcome. The preview replays the stored decisions of the window with the
          labels known now. Applied thresholds reach every edge serving this model within 5 s.
        </p>
        <InlineAlert message={s.loadError()} testid="thresholds-load-error" />
        <div class="thresholds-grid">
          <div>
            <UPlotChart
              title="Scores: frauds, legitimate and unlabelled (log scale)"
              testid="thresholds-histogram"
              rebuildKey={props.theme}
              data={hist}
              minIntervalMs={0}
              height={220}
              summary={() => scoreHistogramSummary(s.preview())}
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
                hooks: { draw: [drawThresholds] },
                series: [
                  { label: 'score' },
                  {
                    label: 'fraud',
                    stroke: cssVar('--decline'),
                    fill: cssVar('--decline-bg'),
                    ...(bars ? { paths: bars } : {}),
                    points: { show: false },
                  },
                  {
                    label: 'legitimate',
                    stroke: cssVar('--approve'),
                    fill: cssVar('--approve-bg'),
                    ...(bars ? { paths: bars } : {}),
                    points: { show: false },
                  },
                  {
                    label: 'unlabelled',
                    stroke: cssVar('--text-muted'),
                    width: 1,
                    points: { show: false },
                  },
                ],
              })}
            />
            <ScoreLegend />
            <div class="thresholds-inputs">
              <ThresholdInput store={s} field="review" label="Review at score ≥" />
              <ThresholdInput store={s} field="decline" label="Decline at score ≥" />
            </div>
          </div>
          <div
            data-testid="thresholds-preview"
            data-state={s.previewState()}
            aria-busy={s.previewState() === 'running' || s.previewState() === 'busy'}
          >
            <p class="muted" role="status" data-testid="thresholds-status">
              {STATE_TEXT[s.previewState()]}
            </p>
            <InlineAlert message={s.previewError()} testid="thresholds-preview-error" />
            <Show
              when={s.preview()}
              fallback={
                <p class="empty">{s.previewState() === 'failed' ? '' : 'Loading the preview…'}</p>
              }
            >
              {(p) => (
                <div class={s.previewState() === 'done' ? '' : 'stale'}>
                  <p class="muted" data-testid="thresholds-evaluated" data-value={p().evaluated}>
                    {formatCount(p().evaluated)} decisions of{' '}
                    <span class="mono">{p().model_version ?? 'no model'}</span> from{' '}
                    {formatDateTime(p().window.from)} to {formatDateTime(p().window.to)} (took{' '}
                    {formatMs(p().elapsed_ms)}).
                  </p>
                  <Comparison
                    current={p().current}
                    proposed={p().proposed}
                    currency={p().currencies.length === 1 ? (p().currencies[0] ?? null) : null}
                  />
                  <Show when={p().currencies.length > 1 || p().currencies[0] === null}>
                    <p class="muted" data-testid="thresholds-currency-note">
                      Amounts: {p().currency_note}.
                    </p>
                  </Show>
                </div>
              )}
            </Show>
            <InlineAlert message={s.applyError()} testid="thresholds-apply-error" />
            <Show
              when={asking()}
              fallback={
                <button
                  type="button"
                  class="btn btn-primary"
                  data-testid="thresholds-apply"
                  disabled={
                    s.applying() ||
                    s.modelVersion() === null ||
                    Object.keys(s.fieldErrors()).length > 0
                  }
                  onClick={() => setAsking(true)}
                >
                  Apply…
                </button>
              }
            >
              <div class="rule-confirm" role="group" aria-label="Confirm the new thresholds">
                <p class="warning" data-testid="thresholds-apply-warning">
                  Every edge serving <span class="mono">{s.modelVersion()}</span> will review at ≥{' '}
                  {formatScore(s.draft().review)} and decline at ≥ {formatScore(s.draft().decline)}{' '}
                  within 5 s.
                </p>
                <button
                  type="button"
                  class="btn btn-primary"
                  data-testid="thresholds-apply-confirm"
                  disabled={s.applying()}
                  onClick={() => {
                    setAsking(false);
                    void s.apply();
                  }}
                >
                  Apply these thresholds
                </button>
                <button
                  type="button"
                  class="btn btn-ghost"
                  data-testid="thresholds-apply-keep"
                  onClick={() => setAsking(false)}
                >
                  Keep
                </button>
              </div>
            </Show>
            <Show when={s.applied()}>
              {(a) => (
                <p class="notice" role="status" data-testid="thresholds-applied">
                  Applied to <span class="mono">{a().model_version}</span>: review ≥{' '}
                  {formatScore(a().review)}, decline ≥ {formatScore(a().decline)}, by{' '}
                  {a().updated_by} at {formatDateTime(a().updated_at)}.
                </p>
              )}
            </Show>
          </div>
        </div>
      </section>
    </main>
  );
}
