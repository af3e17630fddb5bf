/**
 * What the rule being written would have done to the stored decisions: the counts by label, the
 * money, the decisions it changes, matches and confirmed frauds per day, examples that open the
 * transaction drawer, the thresholds each model version's own decisions were derived with (and
 * "estimated" plainly where the backplane knows none), and — for a rule in shadow mode — what it
 * matched live beside them.
 */
import { createMemo, For, Show, type Accessor, type JSX } from 'solid-js';
import uPlot from 'uplot';
import type { BacktestAnswer, ModelThresholdsUsed } from '@vigil/core';
import {
  formatAmount,
  formatCount,
  formatDateTime,
  formatMs,
  formatScore,
} from '../format/format.js';
import type { BacktestStore } from '../stores/backtest-store.js';
import type { Theme } from '../stores/theme-store.js';
import { perDayColumns, perDaySummary } from './analysis-chart-data.js';
import { axes, cssVar } from './charts.js';
import { DecisionBadge, LabelTag } from './decision-badge.js';
import { InlineAlert } from './inline-alert.js';
import { UPlotChart } from './uplot-chart.js';
import { WindowSelect } from './window-select.js';

export interface RuleBacktestProps {
  readonly backtest: BacktestStore;
  readonly theme: Accessor<Theme>;
  readonly onOpenTransaction: (id: string) => void;
}

/**
 * The footer's velocity clause: for which rules the counters were recomputed — this rule, or the
 * rules in force that read them while this one does not (said once, plainly).
 */
export function velocityNote(by: BacktestAnswer['velocity_read_by'], from: string): string {
  const others = by.rules.join(', ');
  if (by.candidate) {
    return `velocity recomputed from ${from} (this rule reads it${others ? `, as do ${others}` : ''})`;
  }
  if (!others) return `velocity recomputed from ${from}`;
  return `velocity recomputed from ${from} for ${others} in force (this rule does not read it)`;
}

/** The one currency of the matched decisions, for formatting; null when none or several. */
function currencyOf(a: BacktestAnswer): string | null {
  return a.amount.currencies.length === 1 ? (a.amount.currencies[0] ?? null) : null;
}

function Count(props: { label: string; value: number; testid: string; extra?: string }) {
  return (
    <div class="backtest-count">
      <dt>{props.label}</dt>
      <dd class="mono" data-testid={props.testid} data-value={props.value}>
        {formatCount(props.value)}
        <Show when={props.extra}>
          <span class="muted"> · {props.extra}</span>
        </Show>
      </dd>
    </div>
  );
}

/** Where a model version's thresholds came from, in the analyst's words. */
const SOURCE_TEXT: Record<ModelThresholdsUsed['source'], string> = {
  set: 'set for this model',
  model: 'the model’s own',
  estimated: 'estimated',
};

/**
 * The thresholds the changes above were reckoned with, per model version: a rule's change is
 * measured from the model's own decision, which is derived from them; an estimate says so.
 */
function ModelThresholds(props: { used: readonly ModelThresholdsUsed[] }) {
  return (
    <table class="table compact" data-testid="backtest-model-thresholds">
      <caption>Model decisions derived with</caption>
      <thead>
        <tr>
          <th scope="col">Model version</th>
          <th scope="col">Thresholds</th>
          <th scope="col">From</th>
        </tr>
      </thead>
      <tbody>
        <For each={props.used}>
          {(m) => (
            <tr
              data-testid="backtest-model-threshold"
              data-model-version={m.model_version}
              data-source={m.source}
            >
              <td class="mono">{m.model_version}</td>
              <td class="mono" data-testid="backtest-model-threshold-values">
                <Show
                  when={m.thresholds}
                  fallback="estimated from the scores of its decisions no rule changed"
                >
                  {(t) => (
                    <>
                      review ≥ {formatScore(t().review)}, decline ≥ {formatScore(t().decline)}
                    </>
                  )}
                </Show>
              </td>
              <td data-testid="backtest-model-threshold-source">{SOURCE_TEXT[m.source]}</td>
            </tr>
          )}
        </For>
      </tbody>
    </table>
  );
}

const STATE_TEXT: Record<string, string> = {
  idle: 'Type an expression that checks to see what it would have done.',
  waiting: 'Backtesting once you pause…',
  running: 'Backtesting…',
  busy: 'A backtest is already running; trying again in a moment…',
  done: '',
  failed: '',
};

export function RuleBacktest(props: RuleBacktestProps): JSX.Element {
  const b = props.backtest;
  const days = createMemo(() => perDayColumns(b.answer()));
  const bars = uPlot.paths.bars?.({ size: [0.8, 40] });

  return (
    <section
      class="backtest"
      data-testid="backtest"
      data-state={b.state()}
      aria-busy={b.state() === 'running' || b.state() === 'busy'}
      aria-label="Backtest"
    >
      <div class="section-head">
        <h4>Backtest</h4>
        <WindowSelect
          value={b.window()}
          onChange={(d) => b.setWindow(d)}
          testid="backtest-window"
        />
        <span class="muted" role="status" data-testid="backtest-status">
          {STATE_TEXT[b.state()]}
        </span>
      </div>
      <InlineAlert message={b.error()} testid="backtest-error" />
      <Show when={b.answer()}>
        {(a) => {
          const money = (n: number) => formatAmount(n, currencyOf(a()));
          return (
            <div class={b.state() === 'done' ? 'backtest-body' : 'backtest-body stale'}>
              <dl class="backtest-counts">
                <Count
                  label="Decisions evaluated"
                  value={a().evaluated}
                  testid="backtest-evaluated"
                />
                <Count
                  label="Matched"
                  value={a().matched}
                  testid="backtest-matched"
                  extra={money(a().amount.matched)}
                />
                <Count
                  label="Confirmed fraud"
                  value={a().matched_fraud}
                  testid="backtest-matched-fraud"
                  extra={money(a().amount.matched_fraud)}
                />
                <Count
                  label="Legitimate"
                  value={a().matched_legitimate}
                  testid="backtest-matched-legitimate"
                  extra={money(a().amount.matched_legitimate)}
                />
                <Count
                  label="Unlabelled"
                  value={a().matched_unlabelled}
                  testid="backtest-matched-unlabelled"
                />
                <Show when={a().shadow}>
                  {(s) => (
                    <div class="backtest-count backtest-shadow" data-testid="backtest-shadow">
                      <dt>Live in shadow</dt>
                      <dd class="mono">
                        <span data-testid="backtest-shadow-matched">
                          {formatCount(s().matched)}
                        </span>{' '}
                        of {formatCount(s().evaluated)} ·{' '}
                        <span data-testid="backtest-shadow-fraud">
                          {formatCount(s().matched_fraud)}
                        </span>{' '}
                        fraud, {formatCount(s().matched_legitimate)} legitimate,{' '}
                        {formatCount(s().matched_unlabelled)} unlabelled
                      </dd>
                    </div>
                  )}
                </Show>
              </dl>
              <Show when={a().amount.currency_note}>
                <p class="muted">{a().amount.currency_note}</p>
              </Show>
              <Show
                when={a().decision_changes.length > 0}
                fallback={
                  <p class="muted" data-testid="backtest-no-changes">
                    It would have changed no decision.
                  </p>
                }
              >
                <table class="table compact" data-testid="backtest-changes">
                  <caption>Decisions it would have changed</caption>
                  <thead>
                    <tr>
                      <th scope="col">From</th>
                      <th scope="col">To</th>
                      <th scope="col" class="num">
                        Decisions
                      </th>
                      <th scope="col" class="num">
                        Amount
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={a().decision_changes}>
                      {(c) => (
                        <tr data-testid="backtest-change" data-from={c.from} data-to={c.to}>
                          <td>
                            <DecisionBadge decision={c.from} />
                          </td>
                          <td>
                            <DecisionBadge decision={c.to} />
                          </td>
                          <td class="num mono" data-testid="backtest-change-count">
                            {formatCount(c.count)}
                          </td>
                          <td class="num mono">{money(c.amount)}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </Show>
              <Show when={a().model_thresholds.length > 0}>
                <ModelThresholds used={a().model_thresholds} />
              </Show>
              <UPlotChart
                title="Matches and confirmed frauds per day (UTC)"
                testid="backtest-per-day"
                rebuildKey={props.theme}
                data={days}
                minIntervalMs={0}
                height={150}
                summary={() => perDaySummary(b.answer())}
                options={(width, height) => ({
                  width,
                  height,
                  legend: { show: true, live: false },
                  scales: {
                    // Half a day either side, so the first and last days' bars are whole.
                    x: { time: true, range: (_u, min, max) => [min - 43_200, max + 43_200] },
                    y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] },
                  },
                  axes: axes(true, 'per day'),
                  series: [
                    {},
                    {
                      label: 'matches',
                      stroke: cssVar('--accent'),
                      fill: cssVar('--accent-fill'),
                      ...(bars ? { paths: bars } : {}),
                      points: { show: false },
                    },
                    {
                      label: 'confirmed frauds',
                      stroke: cssVar('--decline'),
                      width: 2,
                      points: { show: true, size: 5 },
                    },
                  ],
                })}
              />
              <Show when={a().examples.length > 0}>
                <table class="table compact" data-testid="backtest-examples">
                  <caption>Examples (frauds first) — open one to see it</caption>
                  <thead>
                    <tr>
                      <th scope="col">Transaction</th>
                      <th scope="col">Label</th>
                      <th scope="col">Then</th>
                      <th scope="col">With the rule</th>
                      <th scope="col" class="num">
                        Amount
                      </th>
                      <th scope="col">Scored</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={a().examples}>
                      {(e) => (
                        <tr data-testid="backtest-example" data-transaction-id={e.transaction_id}>
                          <td>
                            <button
                              type="button"
                              class="btn-link mono"
                              data-testid="backtest-example-open"
                              onClick={() => props.onOpenTransaction(e.transaction_id)}
                            >
                              {e.transaction_id}
                            </button>
                          </td>
                          <td>
                            <LabelTag label={e.label} />
                          </td>
                          <td>
                            <DecisionBadge decision={e.decision} />
                          </td>
                          <td>
                            <DecisionBadge decision={e.new_decision} />
                          </td>
                          <td class="num mono">{formatAmount(e.amount, e.currency)}</td>
                          <td class="mono">{formatDateTime(e.scored_at)}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </Show>
              <p class="muted backtest-note" data-testid="backtest-lists-note">
                Lists as they are now ({formatDateTime(a().lists_as_of)}), labels as known now
                <Show when={a().velocity_from}>
                  {(v) => <>, {velocityNote(a().velocity_read_by, formatDateTime(v()))}</>}
                </Show>
                <Show when={a().rule_errors > 0}>
                  ; the rule failed at run time on {formatCount(a().rule_errors)} (counted as not
                  matched)
                </Show>
                . Ruleset version {a().ruleset_version} with this rule in it; took{' '}
                {formatMs(a().elapsed_ms)}.
              </p>
            </div>
          );
        }}
      </Show>
    </section>
  );
}
