/**
 * The case queue: cases by status, each with assign-to-me, resolve (fraud / false positive) and
 * comments. Changes show at once and revert, with the reason, if the server refuses them.
 */
import { createMemo, createSignal, For, Show, type Accessor, type JSX } from 'solid-js';
import type { Case } from '@vigil/core';
import type { CaseFilter, CasesStore } from '../stores/cases-store.js';
import { formatAmount, formatDateTime, formatScore } from '../format/format.js';
import { DecisionBadge } from './decision-badge.js';
import { VerdictDeliveryStatus } from './verdict-delivery.js';

export interface CaseQueueProps {
  readonly cases: CasesStore;
  readonly me: Accessor<string | null>;
  readonly txHref: (transactionId: string) => string;
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

function CaseRow(props: {
  id: string;
  get: (id: string) => Case | undefined;
  store: CasesStore;
  me: Accessor<string | null>;
  txHref: (id: string) => string;
}): JSX.Element {
  const [expanded, setExpanded] = createSignal(false);
  const [draft, setDraft] = createSignal('');
  const c = (): Case | undefined => props.get(props.id);
  const pending = (): boolean => props.store.isPending(props.id);
  const resolved = (): boolean => c()?.status === 'resolved';
  const commentsId = `case-comments-${props.id}`;
  const inputId = `case-comment-input-${props.id}`;

  async function submitComment(e: SubmitEvent): Promise<void> {
    e.preventDefault();
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
          aria-busy={pending()}
        >
          <div class="case-main">
            <DecisionBadge decision={cs().decision} />
            <span class="mono num" title="score">
              {formatScore(cs().score)}
            </span>
            <span class="num">{formatAmount(cs().amount, cs().currency)}</span>
            <a class="mono" href={props.txHref(cs().transaction_id)} data-testid="case-transaction">
              {cs().transaction_id}
            </a>
            <span class="muted mono ellipsis">
              {cs().customer_id} · {cs().terminal_id}
            </span>
          </div>
          <div class="case-meta">
            <span class={`status status-${cs().status}`} data-testid="case-status">
              {statusLine(cs())}
            </span>
            <Show when={resolved()}>
              <VerdictDeliveryStatus delivery={cs().verdict_delivery} />
            </Show>
            <span class="muted">opened {formatDateTime(cs().opened_at)}</span>
            <Show when={pending()}>
              <span class="muted" role="status">
                Saving…
              </span>
            </Show>
          </div>
          <div class="case-actions" role="group" aria-label={`Actions for case ${props.id}`}>
            <button
              type="button"
              class="btn"
              data-testid="case-assign"
              disabled={pending() || resolved() || !props.me() || cs().assignee === props.me()}
              onClick={() => void props.store.assignToMe(props.id)}
            >
              Assign to me
            </button>
            <button
              type="button"
              class="btn btn-danger"
              data-testid="case-resolve-fraud"
              disabled={pending() || resolved()}
              onClick={() => void resolve('fraud')}
            >
              Resolve: fraud
            </button>
            <button
              type="button"
              class="btn"
              data-testid="case-resolve-false-positive"
              disabled={pending() || resolved()}
              onClick={() => void resolve('false_positive')}
            >
              Resolve: false positive
            </button>
            <button
              type="button"
              class="btn btn-ghost"
              data-testid="case-comments-toggle"
              aria-expanded={expanded()}
              aria-controls={commentsId}
              onClick={() => setExpanded(!expanded())}
            >
              Comments ({cs().comments.length})
            </button>
          </div>
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
              <Show
                when={cs().comments.length > 0}
                fallback={<p class="muted">No comments yet.</p>}
              >
                <ul class="comment-list">
                  <For each={cs().comments}>
                    {(cm) => (
                      <li>
                        <span class="comment-author">{cm.author}</span>{' '}
                        <span class="muted">{formatDateTime(cm.created_at)}</span>
                        <p>{cm.body}</p>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
              <form class="comment-form" onSubmit={(e) => void submitComment(e)}>
                <label for={inputId}>Comment (also sent with a resolution)</label>
                <textarea
                  id={inputId}
                  rows={2}
                  data-testid="case-comment-input"
                  value={draft()}
                  onInput={(e) => setDraft(e.currentTarget.value)}
                />
                <button
                  type="submit"
                  class="btn"
                  data-testid="case-comment-submit"
                  disabled={pending() || !draft().trim()}
                >
                  Add comment
                </button>
              </form>
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

  return (
    <section class="panel cases" aria-labelledby="cases-heading" data-testid="case-queue">
      <div class="panel-head">
        <h2 id="cases-heading">Cases</h2>
        <div class="spacer" />
        <label class="field-inline">
          <span>Status</span>
          <select
            data-testid="case-status-filter"
            value={store.filter()}
            onChange={(e) => void store.setFilter(e.currentTarget.value as CaseFilter)}
          >
            <option value="open">Open</option>
            <option value="assigned">Assigned</option>
            <option value="resolved">Resolved</option>
            <option value="all">All</option>
          </select>
        </label>
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
      <Show when={store.error()}>
        {(e) => (
          <p class="inline-error" role="alert">
            {e()}
          </p>
        )}
      </Show>
      <Show
        when={ids().length > 0}
        fallback={
          <p class="empty" data-testid="cases-empty">
            {store.loading() ? 'Loading cases…' : 'No cases with this status.'}
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
