/**
 * The drawer's case: its status, and — while it is undecided — Fraud / Legitimate, Assign to me and
 * a comment, each with its key (shortcuts.ts). A comment typed in the box goes with a verdict.
 */
import { createSignal, Show, type JSX } from 'solid-js';
import type { Case } from '@vigil/core';
import type { DrawerCaseStore } from '../stores/drawer-case-store.js';
import { CaseComments } from './case-comments.js';
import { withKey } from './shortcuts.js';
import { VerdictDeliveryStatus } from './verdict-delivery.js';

/** The comment box's id: the `c` shortcut focuses it. */
export const DRAWER_COMMENT_ID = 'drawer-case-comment';

function statusText(c: Case): string {
  if (c.status === 'resolved') {
    return `Resolved: ${c.resolution === 'fraud' ? 'fraud' : 'legitimate (false positive)'}${c.assignee ? ` · ${c.assignee}` : ''}`;
  }
  return c.status === 'assigned' ? `Assigned to ${c.assignee ?? '—'}` : 'Open, unassigned';
}

export function DrawerCase(props: {
  case: Case | null;
  store: DrawerCaseStore;
  me: string | null;
}): JSX.Element {
  const [draft, setDraft] = createSignal('');
  const busy = (): boolean => props.store.pending();

  async function resolve(resolution: 'fraud' | 'false_positive'): Promise<void> {
    const text = draft();
    if (await props.store.resolve(resolution, text)) setDraft('');
  }
  async function comment(): Promise<void> {
    const text = draft();
    if (await props.store.comment(text)) setDraft('');
  }

  return (
    <section class="drawer-section" data-testid="drawer-case">
      <h3>Case</h3>
      <Show
        when={props.case}
        fallback={<p class="muted">No case (approved transactions open none).</p>}
      >
        {(c) => (
          <>
            <p>
              <span class="mono">{c().case_id}</span> ·{' '}
              <span
                class={`status status-${c().status}`}
                data-testid="drawer-case-status"
                data-status={c().status}
              >
                {statusText(c())}
              </span>
            </p>
            <Show when={c().verdict_delivery}>
              <p>
                Verdict at the edge: <VerdictDeliveryStatus delivery={c().verdict_delivery} />
              </p>
            </Show>
            <Show when={c().status !== 'resolved'}>
              <div class="drawer-case-actions" role="group" aria-label="Decide this case">
                <button
                  type="button"
                  class="btn btn-danger"
                  data-testid="drawer-resolve-fraud"
                  title={withKey('Resolve as fraud: the card goes on the block list', 'fraud')}
                  disabled={busy()}
                  onClick={() => void resolve('fraud')}
                >
                  Fraud <kbd>f</kbd>
                </button>
                <button
                  type="button"
                  class="btn"
                  data-testid="drawer-resolve-legitimate"
                  title={withKey('Resolve as legitimate (a false positive)', 'legitimate')}
                  disabled={busy()}
                  onClick={() => void resolve('false_positive')}
                >
                  Legitimate (false positive) <kbd>l</kbd>
                </button>
                <button
                  type="button"
                  class="btn"
                  data-testid="drawer-assign"
                  title={withKey('Assign this case to me', 'assign')}
                  disabled={busy() || !props.me || c().assignee === props.me}
                  onClick={() => void props.store.assignToMe()}
                >
                  Assign to me <kbd>a</kbd>
                </button>
              </div>
            </Show>
            <Show when={props.store.error()}>
              {(e) => (
                <p class="inline-error" role="alert" data-testid="drawer-case-error">
                  {e()}
                </p>
              )}
            </Show>
            <CaseComments
              comments={c().comments}
              inputId={DRAWER_COMMENT_ID}
              testPrefix="drawer"
              label={
                <>
                  Comment <kbd>c</kbd> (sent with a verdict too)
                </>
              }
              draft={draft()}
              onDraft={setDraft}
              busy={busy()}
              onSubmit={() => void comment()}
            />
          </>
        )}
      </Show>
    </section>
  );
}
