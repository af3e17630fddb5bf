/**
 * The Lists page's data: every list with its size, the items of the one selected (keyset pages,
 * "load more"), adding an item and removing one (optimistic: the row goes at once and comes back
 * if the server refuses).
 */
import { createSignal, type Accessor } from 'solid-js';
import { listSchema, type FieldIssue } from '@vigil/core';
import type { ApiClient } from '../api/client.js';
import { ApiError, errorMessage } from '../api/api-error.js';
import { checkWith } from '../api/schema-check.js';
import type { ListInfo, ListItem, ListItemInput } from '../api/rules-types.js';
import { runOptimistic } from './optimistic.js';

export interface ListsStoreOptions {
  readonly client: Pick<
    ApiClient,
    'listLists' | 'createList' | 'listItems' | 'addListItem' | 'removeListItem'
  >;
  readonly pageSize?: number;
}

export interface ListsStore {
  readonly lists: Accessor<readonly ListInfo[]>;
  readonly selected: Accessor<string | null>;
  readonly items: Accessor<readonly ListItem[]>;
  readonly hasMore: Accessor<boolean>;
  readonly loading: Accessor<boolean>;
  /** Why the last load failed. */
  readonly error: Accessor<string | null>;
  /** Why the last add or remove failed, until the next one. */
  readonly changeError: Accessor<string | null>;
  /** The value of an item being removed or added. */
  readonly pending: Accessor<string | null>;
  /** Loads the lists and the items of the selected one (the first list when none is). */
  load(): Promise<void>;
  select(name: string): Promise<void>;
  loadMore(): Promise<void>;
  /**
   * Creates a list (checked with core's listSchema first) and opens it; resolves to the problems
   * by field (JSON Pointer), empty when it was created.
   */
  createList(list: { name: string; kind: string; description: string }): Promise<FieldIssue[]>;
  add(item: ListItemInput): Promise<boolean>;
  remove(value: string): Promise<boolean>;
  reset(): void;
}

export function createListsStore(opts: ListsStoreOptions): ListsStore {
  const { client } = opts;
  const limit = opts.pageSize ?? 100;
  const [lists, setLists] = createSignal<readonly ListInfo[]>([]);
  const [selected, setSelected] = createSignal<string | null>(null);
  const [items, setItems] = createSignal<readonly ListItem[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [changeError, setChangeError] = createSignal<string | null>(null);
  const [pending, setPending] = createSignal<string | null>(null);
  let seq = 0;

  async function loadItems(name: string, more: boolean): Promise<void> {
    const mine = ++seq;
    setLoading(true);
    try {
      const after = more ? cursor() : null;
      const page = await client.listItems(name, after ? { cursor: after, limit } : { limit });
      if (mine !== seq) return;
      setItems(more ? [...items(), ...page.items] : page.items);
      setCursor(page.next_cursor);
      setError(null);
    } catch (err) {
      if (mine === seq) setError(errorMessage(err));
    } finally {
      if (mine === seq) setLoading(false);
    }
  }

  async function refreshLists(): Promise<boolean> {
    try {
      setLists(await client.listLists());
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    }
  }

  async function select(name: string): Promise<void> {
    if (name === selected()) return;
    setSelected(name);
    setItems([]);
    setCursor(null);
    setChangeError(null);
    await loadItems(name, false);
  }

  return {
    lists,
    selected,
    items,
    hasMore: () => cursor() !== null,
    loading,
    error,
    changeError,
    pending,
    async load() {
      if (!(await refreshLists())) return;
      const names = lists().map((l) => l.name);
      const current = selected();
      const name = current && names.includes(current) ? current : (names[0] ?? null);
      setSelected(name);
      if (name) await loadItems(name, false);
      else setItems([]);
    },
    select,
    async loadMore() {
      const name = selected();
      if (name && cursor() !== null && !loading()) await loadItems(name, true);
    },
    async createList(input) {
      const checked = checkWith(listSchema, input);
      if (!checked.ok) return [...checked.issues];
      try {
        await client.createList(checked.value);
      } catch (err) {
        const fields = err instanceof ApiError ? err.fieldErrors : [];
        return fields.length > 0 ? [...fields] : [{ path: '', message: errorMessage(err) }];
      }
      if (await refreshLists()) await select(checked.value.name);
      return [];
    },
    async add(item) {
      const name = selected();
      if (!name || pending() !== null) return false;
      setPending(item.value);
      setChangeError(null);
      try {
        await client.addListItem(name, item);
      } catch (err) {
        // The value is not echoed: what the server refused may be a card number (a PAN must not
        // be shown back, nor linger on screen), and the form still holds it to fix.
        setChangeError(`Not added: ${errorMessage(err)}`);
        return false;
      } finally {
        setPending(null);
      }
      // The stored item (who added it, when) and the new size come from the server.
      await Promise.all([refreshLists(), loadItems(name, false)]);
      return true;
    },
    async remove(value) {
      const name = selected();
      if (!name || pending() !== null) return false;
      setPending(value);
      setChangeError(null);
      const ok = await runOptimistic({
        apply: () => {
          const before = items();
          setItems(before.filter((i) => i.value !== value));
          return before;
        },
        send: () => client.removeListItem(name, value),
        confirm: () => undefined,
        revert: (before) => setItems(before),
        fail: (err) => setChangeError(`Could not remove ${value}: ${errorMessage(err)}`),
      });
      setPending(null);
      if (ok) await refreshLists();
      return ok;
    },
    reset() {
      seq++;
      setLists([]);
      setSelected(null);
      setItems([]);
      setCursor(null);
      setLoading(false);
      setError(null);
      setChangeError(null);
      setPending(null);
    },
  };
}
