/**
 * The case queue, by priority: views ("Needs review" first: review cases, highest risk × amount
 * first; declines apart), a sort, "Next case", compact two-line rows (a dozen and more on a
 * 900-px screen) with assign, resolve (fraud / false positive) and comments, and multi-select with
 * a bulk resolve asked first (naming the count). Single changes show at once and revert, with the reason, if the server refuses;
 * a bulk resolve is all or nothing and changes rows only when the server says so.
 */
import { createMemo, createSignal, For, Show, type Accessor, type JSX } from 'solid-js';
import { CASE_SORTS, type Case, type CaseSort } from '@vigil/core';
import type { CaseFilter, CasesStore } from '../stores/cases-store.js';
import { CASE_VIEWS, SORT_LABELS, type CaseView } from '../stores/case-views.js';
import { formatAmount, formatDateTime, formatScore } from '../format/format.js';
import { withKey } from './shortcuts.js';
import { CaseComments } from './case-comments.js';
import { DecisionBadge } from './decision-badge.js';
import { VerdictDeliveryStatus } from './verdict-delivery.js';

export interface CaseQueueProps {
  readonly cases: CasesStore;
  readonly me: Accessor<string | null>;
  readonly txHref: (transactionId: string) => string;
  /** Opens a transaction's drawer (Next case opens the case it took). */
  readonly onOpen: (transactionId: string) => void;
  /** The transaction open in the drawer, to mark its row. */
  readonly openId: Accessor<string | null>;
}

const STATUS_TEXT: Record<Case['status'], string> = {
  open: 'Open',
  assigned: 'Assigned',
  resolved: 'Resolved',
};

function statusLine(c: Case): string {
  if (c.status === 'resolved') {
    return `Resolved: ${c.resolution === 'fraud' ? 'fraud' : 'false positive'}${c.assignee ? ` · ${c.assignee}` : ''}`;
  }
  return c.assignee ? `${STATUS_TEXT[c.status]} to ${c.assignee}` : STATUS_TEXT[c.status];
}

/**
 * The id as a row shows it: whole when it fits a row's room, else its distinguishing end (ids of
 * one source share their start, "tx_sim_…"); the whole id is in the link's title.
 */
export function idTail(id: string, max = 30): string {
  return id.length <= max ? id : `…${id.slice(-(max - 1))}`;
}

function CaseRow(props: {
  id: string;
  get: (id: string) => Case | undefined;
  store: CasesStore;
  me: Accessor<string | null>;
  txHref: (id: string) => string;
  openId: Accessor<string | null>;
}): JSX.Element {
  const [expanded, setExpanded] = createSignal(false);
  const [draft, setDraft] = createSignal('');
  const c = (): Case | undefined => props.get(props.id);
  const pending = (): boolean => props.store.isPending(props.id);
  const resolved = (): boolean => c()?.status === 'resolved';
  const commentsId = `case-comments-${props.id}`;
  const inputId = `case-comment-input-${props.id}`;

  async function submitComment(): Promise<void> {
    const body = draft();
    if (!body.trim()) return;
    setDraft('');
    const ok = await props.store.comment(props.id, body);
    if (!ok) setDraft(body); // give the text back so it is not lost
  }

  async function resolve(resolution: 'fraud' | 'false_positive'): Promise<void> {
    // A comment typed in the open comment box goes with the verdict.
    const text = expanded() ? draft() : '';
    const ok = await props.store.resolve(props.id, resolution, text);
    if (ok && text) setDraft('');
  }

  return (
    <Show when={c()}>
      {(cs) => (
        <li
          class={`case-row case-${cs().status}`}
          data-testid="case-row"
          data-case-id={props.id}
          data-status={cs().status}
          data-decision={cs().decision}
          aria-busy={pending()}
          aria-current={props.openId() === cs().transaction_id ? 'true' : undefined}
        >
          <div class="case-line">
            <input
              type="checkbox"
              class="case-select"
              data-testid="case-select"
              aria-label={`Select case ${props.id} (shift-click selects a range)`}
              checked={props.store.selected().has(props.id)}
              disabled={resolved()}
              onClick={(e) => props.store.select(props.id, e.shiftKey)}
            />
            <DecisionBadge decision={cs().decision} />
            <span class="mono num case-score" title="score">
              {formatScore(cs().score)}
            </span>
            <span class="num case-amount">{formatAmount(cs().amount, cs().currency)}</span>
            <a
              class="mono ellipsis case-tx"
              href={props.txHref(cs().transaction_id)}
              data-testid="case-transaction"
              data-transaction-id={cs().transaction_id}
              title={`${cs().transaction_id} · card ${cs().customer_id} · terminal ${cs().terminal_id} · opened ${formatDateTime(cs().opened_at)}`}
            >
              {idTail(cs().transaction_id)}
            </a>
            <span
              class={`status status-${cs().status} ellipsis`}
              data-testid="case-status"
              title={statusLine(cs())}
            >
              {statusLine(cs())}
            </span>
            <Show when={pending()}>
              <span class="visually-hidden" role="status">
                Saving…
              </span>
            </Show>
            <div class="case-actions" role="group" aria-label={`Actions for case ${props.id}`}>
              <button
                type="button"
                class="btn btn-danger"
                data-testid="case-resolve-fraud"
                title="Resolve: fraud"
                disabled={pending() || resolved()}
                onClick={() => void resolve('fraud')}
              >
                Fraud
              </button>
              <button
                type="button"
                class="btn"
                data-testid="case-resolve-false-positive"
                title="Resolve: false positive (legitimate)"
                disabled={pending() || resolved()}
                onClick={() => void resolve('false_positive')}
              >
                Legit
              </button>
              <button
                type="button"
                class="btn"
                data-testid="case-assign"
                title="Assign to me"
                disabled={pending() || resolved() || !props.me() || cs().assignee === props.me()}
                onClick={() => void props.store.assignToMe(props.id)}
              >
                Mine
              </button>
              <button
                type="button"
                class="btn btn-ghost"
                data-testid="case-comments-toggle"
                title="Comments"
                aria-label={`Comments (${cs().comments.length})`}
                aria-expanded={expanded()}
                aria-controls={commentsId}
                onClick={() => setExpanded(!expanded())}
              >
                Notes {cs().comments.length}
              </button>
            </div>
          </div>
          <Show when={resolved()}>
            <div class="case-meta">
              <VerdictDeliveryStatus delivery={cs().verdict_delivery} />
            </div>
          </Show>
          <Show when={props.store.errorFor(props.id)}>
            {(msg) => (
              <div class="case-error" role="alert" data-testid="case-error">
                <span>{msg()}</span>
                <button
                  type="button"
                  class="btn-link"
                  onClick={() => props.store.dismissError(props.id)}
                >
                  Dismiss
                </button>
              </div>
            )}
          </Show>
          <Show when={expanded()}>
            <div class="case-comments" id={commentsId}>
              <CaseComments
                comments={cs().comments}
                empty="No comments yet."
                inputId={inputId}
                testPrefix="case"
                label="Comment (also sent with a resolution)"
                draft={draft()}
                onDraft={setDraft}
                busy={pending()}
                onSubmit={() => void submitComment()}
              />
            </div>
          </Show>
        </li>
      )}
    </Show>
  );
}

export function CaseQueue(props: CaseQueueProps): JSX.Element {
  const store = props.cases;
  const byId = createMemo(() => new Map(store.cases().map((c) => [c.case_id, c])));
  const ids = createMemo(() => store.cases().map((c) => c.case_id));
  const [taking, setTaking] = createSignal(false);
  /** The bulk verdict waiting for its yes: it resolves every ticked case at once, as promote asks. */
  const [asking, setAsking] = createSignal<'fraud' | 'false_positive' | null>(null);
  const confirmBulk = (): void => {
    const r = asking();
    setAsking(null);
    if (r) void store.resolveSelected(r);
  };

  async function takeNext(): Promise<void> {
    setTaking(true);
    const c = await store.nextCase();
    setTaking(false);
    if (c) props.onOpen(c.transaction_id);
  }

  return (
    <section
      class="panel cases"
      aria-labelledby="cases-heading"
      aria-busy={store.loading()}
      data-testid="case-queue"
    >
      <div class="panel-head">
        <h2 id="cases-heading">Cases</h2>
        <label class="field-inline">
          <span class="visually-hidden">View</span>
          <select
            data-testid="case-view"
            value={store.filter()}
            onChange={(e) => void store.setFilter(e.currentTarget.value as CaseFilter)}
          >
            <For each={Object.keys(CASE_VIEWS) as CaseView[]}>
              {(v) => <option value={v}>{CASE_VIEWS[v].label}</option>}
            </For>
          </select>
        </label>
        <label class="field-inline">
          <span>Sort</span>
          <select
            data-testid="case-sort"
            value={store.sort()}
            onChange={(e) => void store.setSort(e.currentTarget.value as CaseSort)}
          >
            <For each={CASE_SORTS}>{(s) => <option value={s}>{SORT_LABELS[s]}</option>}</For>
          </select>
        </label>
        <div class="spacer" />
        <button
          type="button"
          class="btn btn-primary"
          data-testid="case-next"
          title={withKey(
            "Take the view's top unassigned case: assigns it to you and opens it",
            'take-next',
          )}
          disabled={taking() || !props.me()}
          onClick={() => void takeNext()}
        >
          Next case
        </button>
        <button
          type="button"
          class="btn"
          data-testid="cases-refresh"
          disabled={store.loading()}
          onClick={() => void store.load()}
        >
          Refresh
          <Show when={store.newCases() > 0}>
            <span class="count-pill" data-testid="cases-new">
              {store.newCases()} new
            </span>
          </Show>
        </button>
      </div>
      <Show when={store.selected().size > 0}>
        <div class="bulk-bar" role="group" aria-label="Selected cases" data-testid="bulk-bar">
          <span data-testid="bulk-count">{store.selected().size} selected</span>
          <Show
            when={asking()}
            fallback={
              <>
                <button
                  type="button"
                  class="btn btn-danger"
                  data-testid="bulk-resolve-fraud"
                  disabled={store.bulkPending()}
                  onClick={() => setAsking('fraud')}
                >
                  Resolve selected as Fraud
                </button>
                <button
                  type="button"
                  class="btn"
                  data-testid="bulk-resolve-false-positive"
                  disabled={store.bulkPending()}
                  onClick={() => setAsking('false_positive')}
                >
                  Resolve selected as Legitimate
                </button>
              </>
            }
          >
            {(r) => (
              <>
                <span class="warning" data-testid="bulk-confirm-text">
                  Resolve {store.selected().size} {store.selected().size === 1 ? 'case' : 'cases'}{' '}
                  as {r() === 'fraud' ? 'fraud' : 'legitimate (false positive)'}?
                </span>
                <button
                  type="button"
                  class={r() === 'fraud' ? 'btn btn-danger' : 'btn btn-primary'}
                  data-testid="bulk-confirm"
                  disabled={store.bulkPending()}
                  onClick={confirmBulk}
                >
                  Resolve {store.selected().size}
                </button>
                <button
                  type="button"
                  class="btn btn-ghost"
                  data-testid="bulk-confirm-cancel"
                  onClick={() => setAsking(null)}
                >
                  Keep open
                </button>
              </>
            )}
          </Show>
          <button
            type="button"
            class="btn-link"
            onClick={() => {
              setAsking(null);
              store.clearSelection();
            }}
          >
            Clear
          </button>
        </div>
      </Show>
      <Show when={store.bulkError()}>
        {(e) => (
          <p class="inline-error" role="alert" data-testid="bulk-error">
            {e()}
          </p>
        )}
      </Show>
      <Show when={store.error()}>
        {(e) => (
          <p class="inline-error" role="alert" data-testid="cases-error">
            {e()}
          </p>
        )}
      </Show>
      <Show
        when={ids().length > 0}
        fallback={
          <p class="empty" data-testid="cases-empty">
            {store.loading() ? 'Loading cases…' : 'No cases in this view.'}
          </p>
        }
      >
        <ul class="case-list">
          <For each={ids()}>
            {(id) => (
              <CaseRow
                id={id}
                get={(k) => byId().get(k)}
                store={store}
                me={props.me}
                txHref={props.txHref}
                openId={props.openId}
              />
            )}
          </For>
        </ul>
      </Show>
      <Show when={store.hasMore()}>
        <button
          type="button"
          class="btn"
          data-testid="cases-more"
          disabled={store.loading()}
          onClick={() => void store.loadMore()}
        >
          Load more
        </button>
      </Show>
    </section>
  );
}
