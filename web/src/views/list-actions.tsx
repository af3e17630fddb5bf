/**
 * The drawer's list buttons: block the card, block the terminal, allow the card, each with an
 * expiry; says whether the value is already on the list and how the action went (the server's
 * problem detail when it refused).
 */
import { createSignal, For, Show, type JSX } from 'solid-js';
import { formatDateTime } from '../format/format.js';
import type { ExpiryChoice } from '../stores/expiry.js';
import {
  LIST_ACTIONS,
  type ListAction,
  type ListActionsStore,
} from '../stores/list-actions-store.js';
import { ExpirySelect } from './expiry-select.js';

/** A block follows a confirmed fraud's default (VIGIL_BLOCK_ON_FRAUD_DAYS, 90); others a month. */
const DEFAULT_EXPIRY: Record<ListAction['key'], ExpiryChoice> = {
  block_card: '90d',
  block_terminal: '30d',
  allow_card: '30d',
};

function ActionRow(props: { action: ListAction; store: ListActionsStore }): JSX.Element {
  const [choice, setChoice] = createSignal<ExpiryChoice>(DEFAULT_EXPIRY[props.action.key]);
  const [date, setDate] = createSignal('');
  const state = () => props.store.state(props.action.key);
  const membership = (): string => {
    const s = state();
    if (s.onList === null) return '';
    if (!s.onList) return `Not on ${props.action.list}.`;
    return `On ${props.action.list}${s.until ? ` until ${formatDateTime(s.until)}` : ''}.`;
  };
  return (
    <li
      class="list-action"
      data-testid={`list-action-${props.action.key}`}
      data-on-list={state().onList === null ? 'unknown' : String(state().onList)}
    >
      <div class="row">
        <button
          type="button"
          class={props.action.key === 'allow_card' ? 'btn' : 'btn btn-danger'}
          data-testid={`list-action-${props.action.key}-run`}
          disabled={state().busy}
          onClick={() => void props.store.run(props.action.key, choice(), date())}
        >
          {props.action.label}
        </button>
        <ExpirySelect
          choice={choice()}
          onChoice={setChoice}
          date={date()}
          onDate={setDate}
          testid={`list-action-${props.action.key}-expiry`}
        />
        <span class="muted" data-testid={`list-action-${props.action.key}-membership`}>
          {membership()}
        </span>
      </div>
      <Show when={state().result}>
        {(r) => (
          <p
            class={r().ok ? 'notice' : 'inline-error'}
            role={r().ok ? 'status' : 'alert'}
            data-testid={`list-action-${props.action.key}-result`}
            data-ok={String(r().ok)}
          >
            {r().message}
          </p>
        )}
      </Show>
    </li>
  );
}

export function ListActions(props: { store: ListActionsStore }): JSX.Element {
  return (
    <section class="drawer-section" data-testid="drawer-list-actions">
      <h3>Lists</h3>
      <ul class="list-actions">
        <For each={LIST_ACTIONS}>{(a) => <ActionRow action={a} store={props.store} />}</For>
      </ul>
    </section>
  );
}
