/**
 * The Models page: the registry (version, status, training window, test metrics, thresholds) and
 * the committed default as its last row, which one is served, with challenge, promote (confirmed),
 * retire and roll back (to a registered model or the default); champion vs challenger over their stored
 * decisions in the last 7 or 30 days, and the decisions they disagree on, each opening the
 * transaction drawer; and the drift tile.
 */
import { createSignal, For, onMount, Show, type JSX } from 'solid-js';
import type { CompareMetrics, DefaultModelEntry, ModelCompare, RegisteredModel } from '@vigil/core';
import { formatCount, formatPercent, formatScore } from '../format/format.js';
import type { DriftStore } from '../stores/drift-store.js';
import { COMPARE_DAYS, type CompareDays, type ModelsStore } from '../stores/models-store.js';
import { DecisionBadge } from './decision-badge.js';
import { DriftTile } from './drift-tile.js';
import { InlineAlert } from './inline-alert.js';

export interface ModelsPageProps {
  readonly models: ModelsStore;
  readonly drift: DriftStore;
  readonly txHref: (id: string) => string;
}

const metric = (v: number | null | undefined, digits = 3): string =>
  v === null || v === undefined ? '—' : v.toFixed(digits);

function ActionButton(props: {
  label: string;
  action: string;
  class?: string;
  busy: boolean;
  onClick: () => void;
}): JSX.Element {
  return (
    <button
      type="button"
      class={`btn ${props.class ?? ''}`}
      data-testid={`model-${props.action}`}
      disabled={props.busy}
      onClick={() => props.onClick()}
    >
      {props.label}
    </button>
  );
}

/** The question a promotion (a row's Promote, the page's Roll back) asks before it acts. */
function ConfirmPromotion(props: {
  /** What is confirmed, for assistive technology. */
  what: string;
  /** What every edge will serve. */
  name: string;
  label: string;
  testid: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}): JSX.Element {
  return (
    <div class="rule-confirm" role="group" aria-label={`Confirm ${props.what}`}>
      <p class="warning">Every edge will decide with {props.name} within 30 seconds.</p>
      <span class="row">
        <button
          type="button"
          class="btn btn-primary"
          data-testid={props.testid}
          disabled={props.busy}
          onClick={() => props.onConfirm()}
        >
          {props.label}
        </button>
        <button type="button" class="btn btn-ghost" onClick={() => props.onCancel()}>
          Cancel
        </button>
      </span>
    </div>
  );
}

/**
 * A row's actions with promote behind its confirmation: `children` lays out the other buttons
 * around the promote button it is handed (absent when the model cannot be promoted).
 */
function RowActions(props: {
  version: string;
  /** What the confirmation says every edge will serve. */
  name: string;
  promotable: boolean;
  store: ModelsStore;
  children: (promote: JSX.Element) => JSX.Element;
}): JSX.Element {
  const [confirming, setConfirming] = createSignal(false);
  const busy = (): boolean => props.store.pending() !== null;
  return (
    <td class="rule-actions">
      <Show
        when={confirming()}
        fallback={
          <span class="row">
            {props.children(
              <Show when={props.promotable}>
                <ActionButton
                  label="Promote"
                  action="promote"
                  class="btn-primary"
                  busy={busy()}
                  onClick={() => setConfirming(true)}
                />
              </Show>,
            )}
          </span>
        }
      >
        <ConfirmPromotion
          what="the promotion"
          name={props.name}
          label={`Promote ${props.version}`}
          testid="model-promote-confirm"
          busy={busy()}
          onConfirm={() => {
            setConfirming(false);
            void props.store.change(props.version, 'promote');
          }}
          onCancel={() => setConfirming(false)}
        />
      </Show>
    </td>
  );
}

/** The status cell: the status, and whether the edges are told to serve it or roll back to it. */
function StatusCell(props: { status: string; previous: boolean }): JSX.Element {
  return (
    <td>
      <span class={`model-status model-${props.status}`} data-testid="model-status">
        {props.status}
      </span>
      <Show when={props.status === 'champion'}>
        <div class="muted" data-testid="model-served">
          served
        </div>
      </Show>
      <Show when={props.previous}>
        <div class="muted">previous champion</div>
      </Show>
    </td>
  );
}

function ModelRow(props: { model: RegisteredModel; store: ModelsStore }): JSX.Element {
  const m = (): RegisteredModel => props.model;
  const busy = (): boolean => props.store.pending() !== null;
  return (
    <tr data-testid="model-row" data-version={m().version} data-status={m().status}>
      <td class="mono">{m().version}</td>
      <StatusCell status={m().status} previous={m().previous_champion} />
      <td class="mono nowrap">
        {m().training_window.start} – {m().training_window.end}
      </td>
      <td class="num mono">{metric(m().metrics.test.auc)}</td>
      <td class="num mono">{metric(m().metrics.test.ap)}</td>
      <td class="num mono">{metric(m().metrics.test.cp100)}</td>
      <td class="num mono nowrap">
        {formatScore(m().thresholds.review)} / {formatScore(m().thresholds.decline)}
      </td>
      <RowActions
        version={m().version}
        name={m().version}
        promotable={m().status !== 'champion'}
        store={props.store}
      >
        {(promote) => (
          <>
            <Show when={m().status === 'candidate' || m().status === 'retired'}>
              <ActionButton
                label="Challenge"
                action="challenge"
                busy={busy()}
                onClick={() => void props.store.change(m().version, 'challenge')}
              />
            </Show>
            {promote}
            <Show when={m().status !== 'retired' && m().status !== 'champion'}>
              <ActionButton
                label="Retire"
                action="retire"
                class="btn-danger"
                busy={busy()}
                onClick={() => void props.store.change(m().version, 'retire')}
              />
            </Show>
          </>
        )}
      </RowActions>
    </tr>
  );
}

/** How the page names the committed default: its own version when the backplane knows it. */
const defaultName = (d: DefaultModelEntry): string =>
  d.model_version === null ? 'the committed default' : `the committed default ${d.model_version}`;

/**
 * The committed default (`edge/model/`) as a row: served while no registered model is champion,
 * promotable (the API's `default`), never challenged or retired. Its training window and metrics
 * are not in the registry's answer (the backplane holds no copy of the model's artifact).
 */
function DefaultRow(props: { entry: DefaultModelEntry; store: ModelsStore }): JSX.Element {
  const d = (): DefaultModelEntry => props.entry;
  return (
    <tr data-testid="model-row" data-version={d().version} data-status={d().status}>
      <td>
        <span class="mono">{d().model_version ?? d().version}</span>
        <div class="muted">committed default</div>
      </td>
      <StatusCell status={d().status} previous={d().previous_champion} />
      <td>
        <Show
          when={d().training_window}
          fallback={<span class="muted">deployed with the edges</span>}
        >
          {(w) => (
            <>
              {w().start} – {w().end}
              <div class="muted">deployed with the edges</div>
            </>
          )}
        </Show>
      </td>
      <td class="num mono">{metric(d().metrics?.test.auc)}</td>
      <td class="num mono">{metric(d().metrics?.test.ap)}</td>
      <td class="num mono">{metric(d().metrics?.test.cp100)}</td>
      <td class="num mono nowrap">
        {d().thresholds
          ? `${formatScore(d().thresholds!.review)} / ${formatScore(d().thresholds!.decline)}`
          : '—'}
      </td>
      <RowActions
        version={d().version}
        name={defaultName(d())}
        promotable={d().status !== 'champion'}
        store={props.store}
      >
        {(promote) => promote}
      </RowActions>
    </tr>
  );
}

/** Which model every edge is told to serve, in words. */
function servedText(store: ModelsStore): string {
  const s = store.served();
  if (s === null) return '';
  return s.version === 'default'
    ? `The edges serve ${defaultName(s as DefaultModelEntry)}.`
    : `The edges serve ${s.version}, the champion.`;
}

function MetricsRow(props: { name: string; m: CompareMetrics }): JSX.Element {
  return (
    <tr>
      <th scope="row">{props.name}</th>
      <td class="num mono">{metric(props.m.auc)}</td>
      <td class="num mono">{metric(props.m.ap)}</td>
      <td class="num mono">{metric(props.m.cp_at_100)}</td>
      <td class="num mono">
        {props.m.alert_rate === null ? '—' : formatPercent(props.m.alert_rate)}
      </td>
    </tr>
  );
}

function Comparison(props: { c: ModelCompare; txHref: (id: string) => string }): JSX.Element {
  return (
    <>
      <p class="muted" data-testid="compare-counts">
        {formatCount(props.c.evaluated)} decisions scored by both, {formatCount(props.c.labelled)}{' '}
        labelled · agreement {props.c.agreement === null ? '—' : formatPercent(props.c.agreement)}
      </p>
      <Show when={props.c.ranking_warning}>
        {(w) => (
          <p class="warning" role="status" data-testid="compare-ranking-warning">
            {w()[0]!.toUpperCase() + w().slice(1)}.
          </p>
        )}
      </Show>
      <p class="muted" data-testid="compare-basis">
        Model against model: the champion's decisions are its scores under its thresholds in force
        (review {formatScore(props.c.champion_thresholds.review)}, decline{' '}
        {formatScore(props.c.champion_thresholds.decline)}), without rules or lists; what Vigil
        answered is shown beside them.
      </p>
      <table class="table compact" data-testid="compare-metrics">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col" class="num">
              AUC
            </th>
            <th scope="col" class="num">
              AP
            </th>
            <th scope="col" class="num">
              CP@100
            </th>
            <th scope="col" class="num">
              Alert rate
            </th>
          </tr>
        </thead>
        <tbody>
          <MetricsRow name={`Champion ${props.c.champion_version}`} m={props.c.champion} />
          <MetricsRow name={`Challenger ${props.c.challenger_version}`} m={props.c.challenger} />
        </tbody>
      </table>
      <h3>Where they disagree</h3>
      <Show
        when={props.c.disagreements.length > 0}
        fallback={
          <p class="muted">
            {props.c.evaluated === 0
              ? 'No decision in the window was scored by both yet: the challenger scores every new transaction in shadow.'
              : 'They decided every compared transaction alike.'}
          </p>
        }
      >
        <table class="table compact" data-testid="compare-disagreements">
          <thead>
            <tr>
              <th scope="col">Transaction</th>
              <th scope="col">Champion</th>
              <th scope="col">Challenger</th>
              <th scope="col">Answered (rules included)</th>
              <th scope="col">Label</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.c.disagreements}>
              {(d) => (
                <tr>
                  <td class="mono">
                    <a href={props.txHref(d.transaction_id)} data-testid="disagreement-link">
                      {d.transaction_id}
                    </a>
                  </td>
                  <td>
                    <DecisionBadge decision={d.champion.decision} /> {formatScore(d.champion.score)}
                  </td>
                  <td>
                    <DecisionBadge decision={d.challenger.decision} />{' '}
                    {formatScore(d.challenger.score)}
                  </td>
                  <td data-testid="disagreement-stored">
                    <DecisionBadge decision={d.stored_decision} />
                  </td>
                  <td>{d.label ?? <span class="muted">unlabelled</span>}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>
    </>
  );
}

export function ModelsPage(props: ModelsPageProps): JSX.Element {
  const store = props.models;
  const [rollingBack, setRollingBack] = createSignal(false);
  const previousName = (): string | null => {
    const p = store.previous();
    if (!p) return null;
    return p.version === 'default' ? 'the committed default' : p.version;
  };
  onMount(() => void store.load());
  return (
    <main id="main" class="page models-page" data-testid="models-page">
      <DriftTile drift={props.drift} />
      <section class="panel">
        <div class="section-head">
          <h2>Models</h2>
          <div class="spacer" />
          <button type="button" class="btn" onClick={() => void store.load()}>
            Refresh
          </button>
          <button
            type="button"
            class="btn"
            data-testid="model-roll-back"
            disabled={store.previous() === null || store.pending() !== null || rollingBack()}
            title={previousName() ? `Promote ${previousName()!} again` : 'No previous champion'}
            onClick={() => setRollingBack(true)}
          >
            Roll back
          </button>
        </div>
        {/* A roll back is a promotion: it asks first, as Promote does. */}
        <Show when={rollingBack() && previousName()}>
          {(name) => (
            <ConfirmPromotion
              what="the roll back"
              name={name()}
              label={`Roll back to ${name()}`}
              testid="model-roll-back-confirm"
              busy={store.pending() !== null}
              onConfirm={() => {
                setRollingBack(false);
                void store.rollBack();
              }}
              onCancel={() => setRollingBack(false)}
            />
          )}
        </Show>
        <InlineAlert message={store.error()} testid="models-error" />
        <InlineAlert message={store.changeError()} testid="model-change-error" />
        <Show when={store.served()}>
          <p data-testid="models-served">{servedText(store)}</p>
        </Show>
        <Show
          when={store.models().length > 0 || store.defaultModel() !== null}
          fallback={
            <Show when={store.loading()}>
              <p class="empty">Loading…</p>
            </Show>
          }
        >
          <table class="table" data-testid="models-table">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Training window</th>
                <th scope="col" class="num">
                  AUC
                </th>
                <th scope="col" class="num">
                  AP
                </th>
                <th scope="col" class="num">
                  CP@100
                </th>
                <th scope="col" class="num nowrap">
                  Review / decline
                </th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <For each={store.models()}>{(m) => <ModelRow model={m} store={store} />}</For>
              <Show when={store.defaultModel()}>
                {(d) => <DefaultRow entry={d()} store={store} />}
              </Show>
            </tbody>
          </table>
          <Show when={store.models().length === 0}>
            <p class="empty" data-testid="models-empty">
              No model registered. Train one with npm run train -- --in FILE and register it (POST
              /api/models).
            </p>
          </Show>
          <p class="muted">
            Metrics on each model's own test window. The committed default is the model the edges
            were deployed with: they serve it while no registered model is champion.
          </p>
        </Show>
      </section>
      <section class="panel" data-testid="models-compare">
        <div class="section-head">
          <h2>Champion vs challenger</h2>
          <label class="field-inline">
            <span>Window</span>
            <select
              data-testid="compare-days"
              value={store.days()}
              onChange={(e) => void store.setDays(Number(e.currentTarget.value) as CompareDays)}
            >
              <For each={COMPARE_DAYS}>{(d) => <option value={d}>Last {d} days</option>}</For>
            </select>
          </label>
        </div>
        <InlineAlert message={store.compareError()} testid="compare-error" />
        <Show
          when={store.compare()}
          fallback={
            <p class="muted">
              {store.comparedChampion() && store.challenger()
                ? 'Comparing…'
                : 'Challenge a model to score it in shadow beside the champion.'}
            </p>
          }
        >
          {(c) => <Comparison c={c()} txHref={props.txHref} />}
        </Show>
      </section>
    </main>
  );
}
