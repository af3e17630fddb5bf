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
  const [confirming, setConfirming] = createSignal<string | null>(null);
  const key = props.action.key;
  const state = () => props.store.state(key);
  const testid = (part: string) => `list-action-${key}-${part}`;
  const run = (): void => {
    setConfirming(null);
    void props.store.run(key, choice(), date());
  };
  /** The value is on the list: what it is and until when, in the button's place. */
  const onListText = (): string => {
    const until = state().until;
    return `${props.action.onLabel} ${until ? `until ${formatDateTime(until)}` : 'with no expiry'}`;
  };
  return (
    <li
      class="list-action"
      data-testid={`list-action-${key}`}
      data-on-list={state().onList === null ? 'unknown' : String(state().onList)}
    >
      <Show
        when={state().onList === true}
        fallback={
          <div class="row">
            <button
              type="button"
              class={key === 'allow_card' ? 'btn' : 'btn btn-danger'}
              data-testid={testid('run')}
              disabled={state().busy || confirming() !== null}
              onClick={() => {
                const w = props.store.warning(key);
                if (w) setConfirming(w);
                else run();
              }}
            >
              {props.action.label}
            </button>
            <ExpirySelect
              choice={choice()}
              onChoice={setChoice}
              date={date()}
              onDate={setDate}
              testid={testid('expiry')}
            />
            <Show when={state().onList === false}>
              <span class="muted" data-testid={testid('membership')}>
                Not on {props.action.list}.
              </span>
            </Show>
          </div>
        }
      >
        <div class="row">
          <span class="list-action-on" data-testid={testid('membership')}>
            {onListText()} <span class="muted">(on {props.action.list})</span>
          </span>
          <button
            type="button"
            class="btn"
            data-testid={testid('undo')}
            disabled={state().busy}
            onClick={() => void props.store.undo(key)}
          >
            {props.action.undoLabel}
          </button>
        </div>
      </Show>
      <Show when={confirming()}>
        {(w) => (
          <div class="list-action-confirm" role="alert" data-testid={testid('warning')}>
            <p class="warning">{w()}</p>
            <div class="row">
              <button
                type="button"
                class="btn btn-primary"
                data-testid={testid('confirm')}
                onClick={run}
              >
                {props.action.label} anyway
              </button>
              <button type="button" class="btn btn-ghost" onClick={() => setConfirming(null)}>
                Cancel
              </button>
            </div>
          </div>
        )}
      </Show>
      <Show when={state().result}>
        {(r) => (
          <p
            class={r().ok ? 'notice' : 'inline-error'}
            role={r().ok ? 'status' : 'alert'}
            data-testid={testid('result')}
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
