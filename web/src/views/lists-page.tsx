/**
 * The Lists page: every list with its kind and size; the items of the one chosen (value, reason,
 * who added it and when, expiry), an add form (value, reason, expiry) and remove per item.
 */
import { createSignal, For, onMount, Show, type JSX } from 'solid-js';
import { LIST_KINDS, type ListKind } from '@vigil/core';
import { formatCount, formatCountOf, formatDateTime } from '../format/format.js';
import { expiresAt, type ExpiryChoice } from '../stores/expiry.js';
import type { ListsStore } from '../stores/lists-store.js';
import { EnumSelect } from './enum-select.js';
import { ExpirySelect } from './expiry-select.js';
import { InlineAlert } from './inline-alert.js';

export interface ListsPageProps {
  readonly lists: ListsStore;
  readonly now?: () => Date;
}

function AddItemForm(props: { store: ListsStore; now: () => Date }): JSX.Element {
  const [value, setValue] = createSignal('');
  const [reason, setReason] = createSignal('');
  const [choice, setChoice] = createSignal<ExpiryChoice>('never');
  const [date, setDate] = createSignal('');
  const [problem, setProblem] = createSignal<string | null>(null);

  const submit = async (): Promise<void> => {
    setProblem(null);
    const v = value().trim();
    if (!v) {
      setProblem('Enter the value to add.');
      return;
    }
    const expiry = expiresAt(choice(), date(), props.now());
    if (!expiry.ok) {
      setProblem(expiry.message);
      return;
    }
    const ok = await props.store.add({
      value: v,
      ...(reason().trim() ? { reason: reason().trim() } : {}),
      ...(expiry.expiresAt ? { expires_at: expiry.expiresAt } : {}),
    });
    if (ok) {
      setValue('');
      setReason('');
    }
  };

  return (
    <form
      class="row list-add"
      data-testid="list-add-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <input
        aria-label="Value"
        placeholder="Value"
        class="mono"
        data-testid="list-add-value"
        value={value()}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <input
        aria-label="Reason"
        placeholder="Reason"
        data-testid="list-add-reason"
        value={reason()}
        onInput={(e) => setReason(e.currentTarget.value)}
      />
      <ExpirySelect
        choice={choice()}
        onChoice={setChoice}
        date={date()}
        onDate={setDate}
        testid="list-add-expiry"
      />
      <button
        type="submit"
        class="btn btn-primary"
        data-testid="list-add-submit"
        disabled={props.store.pending() !== null}
      >
        Add
      </button>
      <Show when={problem()}>
        {(m) => (
          <span class="inline-error" role="alert" data-testid="list-add-problem">
            {m()}
          </span>
        )}
      </Show>
    </form>
  );
}

function NewListForm(props: { store: ListsStore; onDone: () => void }): JSX.Element {
  const [name, setName] = createSignal('');
  const [kind, setKind] = createSignal<ListKind>('device_id');
  const [description, setDescription] = createSignal('');
  const [problems, setProblems] = createSignal<string | null>(null);
  const submit = async (): Promise<void> => {
    const issues = await props.store.createList({
      name: name().trim(),
      kind: kind(),
      description: description().trim(),
    });
    if (issues.length === 0) props.onDone();
    else
      setProblems(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
  };
  return (
    <form
      class="row list-new"
      data-testid="list-new-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label class="field-inline" for="list-new-name">
        Name
      </label>
      <input
        id="list-new-name"
        placeholder="e.g. blocked_devices"
        class="mono"
        data-testid="list-new-name"
        value={name()}
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <label class="field-inline" for="list-new-kind">
        Values of tx.
      </label>
      <EnumSelect
        id="list-new-kind"
        testid="list-new-kind"
        values={LIST_KINDS}
        value={kind()}
        onChange={setKind}
      />
      <label class="field-inline" for="list-new-description">
        Description
      </label>
      <input
        id="list-new-description"
        data-testid="list-new-description"
        value={description()}
        onInput={(e) => setDescription(e.currentTarget.value)}
      />
      <button type="submit" class="btn btn-primary" data-testid="list-new-submit">
        Create list
      </button>
      <InlineAlert message={problems()} testid="list-new-problem" />
    </form>
  );
}

export function ListsPage(props: ListsPageProps): JSX.Element {
  const store = props.lists;
  const now = props.now ?? (() => new Date());
  onMount(() => void store.load());
  const current = () => store.lists().find((l) => l.name === store.selected());
  const [creating, setCreating] = createSignal(false);

  return (
    <main id="main" class="page lists-page" data-testid="lists-page">
      <section class="panel">
        <div class="section-head">
          <h2>Lists</h2>
          <div class="spacer" />
          <button type="button" class="btn" onClick={() => void store.load()}>
            Refresh
          </button>
          <button
            type="button"
            class="btn btn-primary"
            data-testid="list-new"
            aria-expanded={creating()}
            onClick={() => setCreating(!creating())}
          >
            New list
          </button>
        </div>
        <InlineAlert message={store.error()} testid="lists-error" />
        <Show when={creating()}>
          <NewListForm store={store} onDone={() => setCreating(false)} />
        </Show>
        <div class="list-tabs" role="tablist" aria-label="Lists">
          <For each={store.lists()}>
            {(l) => (
              <button
                type="button"
                role="tab"
                class="btn list-tab"
                aria-selected={store.selected() === l.name}
                aria-pressed={store.selected() === l.name}
                data-testid="list-tab"
                data-list={l.name}
                data-size={l.size}
                onClick={() => void store.select(l.name)}
              >
                <span class="mono">{l.name}</span>
                <span class="muted">{l.kind}</span>
                <span class="count-pill">{formatCount(l.size)}</span>
              </button>
            )}
          </For>
        </div>
      </section>

      <Show when={current()}>
        {(l) => (
          <section class="panel" role="tabpanel" data-testid="list-items" data-list={l().name}>
            <div class="section-head">
              <h2 class="mono">{l().name}</h2>
              <span class="muted">
                values of <code>tx.{l().kind}</code> · {formatCountOf(l().size, 'item')}
              </span>
            </div>
            <Show when={l().description}>
              <p class="muted">{l().description}</p>
            </Show>
            <AddItemForm store={store} now={now} />
            <InlineAlert message={store.changeError()} testid="list-change-error" />
            <Show
              when={store.items().length > 0}
              fallback={
                <p class="empty">{store.loading() ? 'Loading…' : 'No items on this list.'}</p>
              }
            >
              <table class="table compact">
                <thead>
                  <tr>
                    <th scope="col">Value</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Added by</th>
                    <th scope="col">Added (UTC)</th>
                    <th scope="col">Expires (UTC)</th>
                    <th scope="col">
                      <span class="visually-hidden">Remove</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  <For each={store.items()}>
                    {(i) => (
                      <tr data-testid="list-item" data-value={i.value}>
                        <th scope="row" class="mono">
                          {i.value}
                        </th>
                        <td>{i.reason ?? ''}</td>
                        <td>{i.added_by}</td>
                        <td class="mono">{formatDateTime(i.added_at)}</td>
                        <td class="mono" data-testid="list-item-expiry">
                          {i.expires_at ? formatDateTime(i.expires_at) : 'never'}
                        </td>
                        <td>
                          <button
                            type="button"
                            class="btn btn-danger"
                            data-testid="list-item-remove"
                            aria-label={`Remove ${i.value}`}
                            disabled={store.pending() !== null}
                            onClick={() => void store.remove(i.value)}
                          >
                            Remove
                          </button>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
              <Show when={store.hasMore()}>
                <button
                  type="button"
                  class="btn"
                  data-testid="list-more"
                  disabled={store.loading()}
                  onClick={() => void store.loadMore()}
                >
                  Load more
                </button>
              </Show>
            </Show>
          </section>
        )}
      </Show>
    </main>
  );
}
