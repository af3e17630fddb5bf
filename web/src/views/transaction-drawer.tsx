/**
 * One transaction in a side panel: the decision and why (reasons with their sentences), the feature
 * vector the model saw with the reasons' features highlighted, verdicts, the case, and the
 * customer's and terminal's recent transactions as links. Esc or the close button closes it and
 * focus returns to where it was.
 */
import { createEffect, For, on, onCleanup, Show, type JSX } from 'solid-js';
import { reasonsWorthShowing, type TransactionDetail, type TransactionSummary } from '@vigil/core';
import type { DrawerCaseStore } from '../stores/drawer-case-store.js';
import type { DrawerStore } from '../stores/drawer-store.js';
import type { ListActionsStore } from '../stores/list-actions-store.js';
import {
  featureLabel,
  formatAmount,
  formatContribution,
  formatDateTime,
  formatFeatureValue,
  formatEdgeMs,
  edgeMsNote,
  formatScore,
} from '../format/format.js';
import { newestFirst } from './newest-first.js';
import { DecisionBadge, LabelTag } from './decision-badge.js';
import { DrawerCase } from './drawer-case.js';
import { DrawerRules } from './drawer-rules.js';
import { ListActions } from './list-actions.js';

export interface TransactionDrawerProps {
  readonly drawer: DrawerStore;
  readonly onClose: () => void;
  readonly txHref: (transactionId: string) => string;
  /** Block/allow the card or terminal; absent, the drawer offers no list buttons. */
  readonly listActions?: ListActionsStore;
  /** Resolve / assign / comment the open transaction's case; absent, the case is read-only. */
  readonly caseStore?: DrawerCaseStore;
  readonly me?: () => string | null;
}

function Field(props: { label: string; children: JSX.Element }): JSX.Element {
  return (
    <div class="field">
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

function HistoryTable(props: {
  title: string;
  testid: string;
  rows: readonly TransactionSummary[];
  txHref: (id: string) => string;
}): JSX.Element {
  return (
    <section class="drawer-section" data-testid={props.testid}>
      <h3>{props.title}</h3>
      <Show when={props.rows.length > 0} fallback={<p class="muted">No earlier transactions.</p>}>
        <table class="table compact">
          <thead>
            <tr>
              <th scope="col">When (UTC)</th>
              <th scope="col">Transaction</th>
              <th scope="col">Decision</th>
              <th scope="col" class="num">
                Score
              </th>
              <th scope="col" class="num">
                Amount
              </th>
            </tr>
          </thead>
          <tbody>
            <For each={newestFirst(props.rows)}>
              {(t) => (
                <tr data-testid="history-row" data-timestamp={t.timestamp}>
                  <td class="mono">{formatDateTime(t.timestamp)}</td>
                  <td>
                    <a
                      class="mono"
                      href={props.txHref(t.transaction_id)}
                      data-testid="history-link"
                    >
                      {t.transaction_id}
                    </a>
                  </td>
                  <td>
                    <DecisionBadge decision={t.decision} /> <LabelTag label={t.label} />
                  </td>
                  <td class="num mono">{formatScore(t.score)}</td>
                  <td class="num">{formatAmount(t.amount, t.currency)}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>
    </section>
  );
}

function Detail(props: {
  d: TransactionDetail;
  txHref: (id: string) => string;
  listActions: ListActionsStore | undefined;
  caseStore: DrawerCaseStore | undefined;
  me: string | null;
}): JSX.Element {
  const contributions = (): Map<string, number> =>
    new Map(
      props.d.reasons.flatMap((r) =>
        'feature' in r ? [[r.feature as string, r.contribution]] : [],
      ),
    );
  const features = (): [string, number][] => Object.entries(props.d.features);
  const shownReasons = (): TransactionDetail['reasons'] =>
    reasonsWorthShowing(props.d.decision, props.d.reasons);

  return (
    <>
      <dl class="fields">
        <Field label="Decision">
          <DecisionBadge decision={props.d.decision} /> <LabelTag label={props.d.label} />
        </Field>
        <Field label="Score">
          <span class="mono">{formatScore(props.d.score)}</span>
        </Field>
        <Field label="Amount">{formatAmount(props.d.amount, props.d.currency)}</Field>
        <Field label="Time">{formatDateTime(props.d.timestamp)}</Field>
        <Field label="Customer">
          <span class="mono">{props.d.customer_id}</span>
        </Field>
        <Field label="Terminal">
          <span class="mono">{props.d.terminal_id}</span>
        </Field>
        <Show when={props.d.channel}>
          <Field label="Channel">{props.d.channel}</Field>
        </Show>
        <Show when={props.d.country}>
          <Field label="Country">{props.d.country}</Field>
        </Show>
        <Show when={props.d.device_id}>
          <Field label="Device">
            <span class="mono">{props.d.device_id}</span>
          </Field>
        </Show>
        <Show when={props.d.ip}>
          <Field label="IP">
            <span class="mono">{props.d.ip}</span>
          </Field>
        </Show>
        <Field label="Model">
          <span class="mono">{props.d.model_version}</span> on {props.d.runtime}
        </Field>
        <Field label="Edge time">
          <span title={edgeMsNote(props.d.latency_ms) ?? undefined}>
            {formatEdgeMs(props.d.latency_ms)}
          </span>
          {props.d.degraded ? ' · degraded (fallback features)' : ''}
        </Field>
      </dl>

      <section class="drawer-section" data-testid="drawer-reasons">
        <h3>Why</h3>
        <Show
          when={shownReasons().length > 0}
          fallback={<p class="muted">No feature raised the score noticeably.</p>}
        >
          <ol class="reasons-list">
            <For each={shownReasons()}>
              {(r) => (
                <li>
                  <p class="reason-message">{r.message}</p>
                  <p class="reason-meta">
                    {'rule' in r ? (
                      <>
                        <code>{r.code}</code> · rule <code>{r.rule}</code>
                      </>
                    ) : (
                      <>
                        <code>{r.code}</code> · feature <code>{r.feature}</code> · contribution{' '}
                        <span class="mono">{formatContribution(r.contribution)}</span> log-odds
                      </>
                    )}
                  </p>
                </li>
              )}
            </For>
          </ol>
        </Show>
      </section>

      <Show when={props.caseStore}>
        {(store) => <DrawerCase case={props.d.case} store={store()} me={props.me} />}
      </Show>

      <DrawerRules d={props.d} />

      <Show when={props.listActions}>{(store) => <ListActions store={store()} />}</Show>

      <section class="drawer-section" data-testid="drawer-features">
        <h3 id="features-heading">Features the model saw</h3>
        <table class="table compact" aria-labelledby="features-heading">
          <thead>
            <tr>
              <th scope="col">Feature</th>
              <th scope="col" class="num">
                Value
              </th>
              <th scope="col" class="num">
                Contribution
              </th>
            </tr>
          </thead>
          <tbody>
            <For each={features()}>
              {([name, value]) => {
                const c = contributions().get(name);
                return (
                  <tr
                    class={c !== undefined ? 'is-reason' : undefined}
                    data-reason={c !== undefined}
                  >
                    <th scope="row">
                      <span class="feature-label" data-testid="feature-label">
                        {featureLabel(name)}
                      </span>{' '}
                      <code class="feature-name">{name}</code>
                      <Show when={c !== undefined}>
                        <span class="reason-marker"> reason</span>
                      </Show>
                    </th>
                    <td class="num mono">{formatFeatureValue(value)}</td>
                    <td class="num mono">{c !== undefined ? formatContribution(c) : ''}</td>
                  </tr>
                );
              }}
            </For>
          </tbody>
        </table>
      </section>

      <section class="drawer-section" data-testid="drawer-feedback">
        <h3>Verdicts</h3>
        <Show when={props.d.feedback.length > 0} fallback={<p class="muted">No verdict yet.</p>}>
          <ul class="plain-list">
            <For each={props.d.feedback}>
              {(f) => (
                <li>
                  <LabelTag label={f.label} /> {formatDateTime(f.timestamp)} · from{' '}
                  {f.source === 'analyst' ? `analyst ${f.actor ?? ''}` : 'the API'}
                </li>
              )}
            </For>
          </ul>
        </Show>
      </section>

      <HistoryTable
        title={`Customer ${props.d.customer_id}: recent transactions`}
        testid="drawer-history-customer"
        rows={props.d.history.customer}
        txHref={props.txHref}
      />
      <HistoryTable
        title={`Terminal ${props.d.terminal_id}: recent transactions`}
        testid="drawer-history-terminal"
        rows={props.d.history.terminal}
        txHref={props.txHref}
      />
    </>
  );
}

export function TransactionDrawer(props: TransactionDrawerProps): JSX.Element {
  const drawer = props.drawer;
  let heading: HTMLHeadingElement | undefined;
  let returnFocus: HTMLElement | null = null;

  // Move focus into the drawer when it opens (and to the new title when another opens from it).
  createEffect(
    on(drawer.openId, (id, prev) => {
      if (id && !prev && document.activeElement instanceof HTMLElement) {
        returnFocus = document.activeElement;
      }
      if (id) queueMicrotask(() => heading?.focus());
      else if (prev) {
        const el = returnFocus;
        returnFocus = null;
        if (el?.isConnected) el.focus();
      }
    }),
  );

  // Whether the open transaction's card and terminal are on the lists, asked once per detail.
  createEffect(
    on(drawer.detail, (d) => {
      const store = props.listActions;
      if (!store) return;
      if (d) void store.lookup(d);
      else store.reset();
    }),
  );

  const onKey = (e: KeyboardEvent): void => {
    if (e.key === 'Escape' && drawer.openId()) {
      e.preventDefault();
      props.onClose();
    }
  };
  document.addEventListener('keydown', onKey);
  onCleanup(() => document.removeEventListener('keydown', onKey));

  return (
    <Show when={drawer.openId()}>
      {(id) => (
        <aside
          class="drawer"
          role="dialog"
          aria-modal="false"
          aria-labelledby="drawer-title"
          data-testid="transaction-drawer"
          data-transaction-id={id()}
        >
          <div class="drawer-head">
            <h2 id="drawer-title" tabIndex={-1} ref={heading}>
              Transaction <span class="mono">{id()}</span>
            </h2>
            <button
              type="button"
              class="btn btn-ghost"
              data-testid="drawer-close"
              aria-label="Close the transaction"
              onClick={() => props.onClose()}
            >
              Close <kbd>Esc</kbd>
            </button>
          </div>
          <div class="drawer-body">
            <Show when={drawer.loading()}>
              <p class="muted" role="status">
                Loading…
              </p>
            </Show>
            <Show when={drawer.error()}>
              {(e) => (
                <div class="inline-error" role="alert" data-testid="drawer-error">
                  <p>{e()}</p>
                  <button type="button" class="btn" onClick={() => void drawer.retry()}>
                    Try again
                  </button>
                </div>
              )}
            </Show>
            <Show when={drawer.detail()}>
              {(d) => (
                <Detail
                  d={d()}
                  txHref={props.txHref}
                  listActions={props.listActions}
                  caseStore={props.caseStore}
                  me={props.me?.() ?? null}
                />
              )}
            </Show>
          </div>
        </aside>
      )}
    </Show>
  );
}
