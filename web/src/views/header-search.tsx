/**
 * The header's search box (`/` focuses it): ids as they are typed offer matching transactions,
 * cards and terminals (a combobox: arrows, Enter, Escape); Enter on a transaction id opens it.
 */
import { For, Show, type JSX } from 'solid-js';
import type { SearchOption, SearchStore } from '../stores/search-store.js';
import { formatAmount } from '../format/format.js';
import { DecisionBadge } from './decision-badge.js';
import { withKey } from './shortcuts.js';

const LISTBOX_ID = 'search-options';

function optionText(o: SearchOption): JSX.Element {
  if (o.kind === 'transaction') {
    return (
      <>
        <span class="mono">{o.id}</span> <DecisionBadge decision={o.tx.decision} />{' '}
        <span class="muted">{formatAmount(o.tx.amount, o.tx.currency)}</span>
      </>
    );
  }
  return (
    <>
      <span class="muted">{o.kind === 'card' ? 'Card' : 'Terminal'}</span>{' '}
      <span class="mono">{o.id}</span>{' '}
      <span class="muted">
        · {o.count} transaction{o.count === 1 ? '' : 's'}
      </span>
    </>
  );
}

export function HeaderSearch(props: {
  store: SearchStore;
  inputId: string;
  /** Opens a transaction in the drawer. */
  onOpen: (transactionId: string) => void;
}): JSX.Element {
  const s = props.store;
  let input: HTMLInputElement | undefined;

  const take = (o: SearchOption | null): void => {
    if (!o) return;
    if (o.kind === 'transaction') props.onOpen(o.id);
    s.clear();
    input?.blur();
  };

  const onKey = (e: KeyboardEvent): void => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      s.move(e.key === 'ArrowDown' ? 1 : -1);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      void s.submit().then(take);
    } else if (e.key === 'Escape') {
      // Esc empties the box first; the drawer's Esc is for the drawer.
      e.stopPropagation();
      s.clear();
      input?.blur();
    }
  };

  return (
    <div class="header-search" role="search">
      <label for={props.inputId} class="visually-hidden">
        Search a transaction, card or terminal id
      </label>
      <input
        id={props.inputId}
        ref={input}
        type="search"
        data-testid="search-input"
        placeholder="Search id…  /"
        title={withKey('Search a transaction, card or terminal id', 'search')}
        autocomplete="off"
        spellcheck={false}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={s.options().length > 0}
        aria-controls={LISTBOX_ID}
        aria-activedescendant={s.active() >= 0 ? `search-option-${s.active()}` : undefined}
        value={s.query()}
        onInput={(e) => s.setQuery(e.currentTarget.value)}
        onKeyDown={onKey}
      />
      <Show when={s.options().length > 0}>
        <ul id={LISTBOX_ID} class="search-options" role="listbox" data-testid="search-options">
          <For each={s.options()}>
            {(o, i) => (
              <li
                id={`search-option-${i()}`}
                role="option"
                class="search-option"
                data-testid="search-option"
                data-kind={o.kind}
                data-id={o.id}
                aria-selected={s.active() === i()}
                // mousedown, not click: the input's blur must not win the race.
                onMouseDown={(e) => {
                  e.preventDefault();
                  take(s.choose(o));
                }}
              >
                {optionText(o)}
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={s.error()}>
        {(e) => (
          <p class="search-error inline-error" role="alert" data-testid="search-error">
            {e()}
          </p>
        )}
      </Show>
    </div>
  );
}
