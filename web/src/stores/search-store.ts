/**
 * The header's search: as the analyst types, transactions, cards and terminals whose id starts
 * with the text (GET /api/search, 150 ms after the last keystroke, the older request cancelled);
 * arrows move through them, Enter takes one. A transaction opens in the drawer; a card or a
 * terminal shows its transactions, newest first, with their decisions, labels and cases.
 */
import { createSignal, type Accessor } from 'solid-js';
import type { SearchResult, TransactionSummary } from '@vigil/core';
import type { ApiClient } from '../api/client.js';
import { ApiError, errorMessage } from '../api/api-error.js';

export type SearchOption =
  | { readonly kind: 'transaction'; readonly id: string; readonly tx: TransactionSummary }
  | { readonly kind: 'card' | 'terminal'; readonly id: string; readonly count: number };

export interface Entity {
  readonly kind: 'card' | 'terminal';
  readonly id: string;
}

export interface SearchStoreOptions {
  readonly client: Pick<ApiClient, 'search' | 'listTransactions'>;
  readonly debounceMs?: number;
  readonly setTimeout?: (fn: () => void, ms: number) => unknown;
  readonly clearTimeout?: (h: unknown) => void;
  /** Transactions shown for a card or terminal. */
  readonly entityLimit?: number;
}

export interface SearchStore {
  readonly query: Accessor<string>;
  /** Typing: the matches follow after a pause. */
  setQuery(q: string): void;
  readonly options: Accessor<readonly SearchOption[]>;
  /** The highlighted option's index; -1 for none. */
  readonly active: Accessor<number>;
  move(delta: 1 | -1): void;
  readonly error: Accessor<string | null>;
  /**
   * Enter: the highlighted option, else an exact id among the matches (asked now if the pause has
   * not passed), else the first. A transaction is returned for the drawer; a card or terminal is
   * shown here. Null when nothing matched.
   */
  submit(): Promise<SearchOption | null>;
  /** Takes an option (a click): the same as Enter on it. */
  choose(option: SearchOption): SearchOption;
  readonly entity: Accessor<Entity | null>;
  readonly entityRows: Accessor<readonly TransactionSummary[]>;
  readonly entityLoading: Accessor<boolean>;
  readonly entityError: Accessor<string | null>;
  closeEntity(): void;
  /** Empties the box and its matches (Escape, sign-out). */
  clear(): void;
}

/** The matches as one list: transactions first (an exact id first of all), then cards, terminals. */
export function optionsOf(r: SearchResult): SearchOption[] {
  const txs = [...r.transactions].sort(
    (a, b) => Number(b.transaction_id === r.q) - Number(a.transaction_id === r.q),
  );
  return [
    ...txs.map((tx) => ({ kind: 'transaction' as const, id: tx.transaction_id, tx })),
    ...r.customers.map((c) => ({ kind: 'card' as const, id: c.customer_id, count: c.count })),
    ...r.terminals.map((t) => ({ kind: 'terminal' as const, id: t.terminal_id, count: t.count })),
  ];
}

/** What Enter takes without a highlight: an option whose id is the query exactly, else the first. */
export function bestOption(options: readonly SearchOption[], q: string): SearchOption | null {
  return options.find((o) => o.id === q) ?? options[0] ?? null;
}

export function createSearchStore(opts: SearchStoreOptions): SearchStore {
  const debounceMs = opts.debounceMs ?? 150;
  const setT = opts.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
  const clearT =
    opts.clearTimeout ?? ((h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>));

  const [query, setQuerySignal] = createSignal('');
  const [options, setOptions] = createSignal<readonly SearchOption[]>([]);
  const [active, setActive] = createSignal(-1);
  const [error, setError] = createSignal<string | null>(null);
  const [entity, setEntity] = createSignal<Entity | null>(null);
  const [entityRows, setEntityRows] = createSignal<readonly TransactionSummary[]>([]);
  const [entityLoading, setEntityLoading] = createSignal(false);
  const [entityError, setEntityError] = createSignal<string | null>(null);
  let timer: unknown = null;
  let inFlight: AbortController | null = null;
  let answered = '';
  let entitySeq = 0;

  async function ask(q: string): Promise<void> {
    inFlight?.abort();
    const mine = new AbortController();
    inFlight = mine;
    try {
      const r = await opts.client.search(q, mine.signal);
      if (inFlight !== mine) return;
      setOptions(optionsOf(r));
      setActive(-1);
      setError(null);
      answered = q;
    } catch (err) {
      if (inFlight !== mine || (err instanceof ApiError && err.code === 'aborted')) return;
      setOptions([]);
      setError(errorMessage(err));
    } finally {
      if (inFlight === mine) inFlight = null;
    }
  }

  function cancelTimer(): void {
    if (timer !== null) clearT(timer);
    timer = null;
  }

  async function showEntity(e: Entity): Promise<void> {
    const seq = ++entitySeq;
    setEntity(e);
    setEntityRows([]);
    setEntityError(null);
    setEntityLoading(true);
    try {
      const page = await opts.client.listTransactions({
        ...(e.kind === 'card' ? { customer_id: e.id } : { terminal_id: e.id }),
        limit: opts.entityLimit ?? 100,
      });
      if (seq !== entitySeq) return;
      // Newest first whatever order the page came in.
      setEntityRows(
        [...page.items].sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp)),
      );
    } catch (err) {
      if (seq === entitySeq) setEntityError(errorMessage(err));
    } finally {
      if (seq === entitySeq) setEntityLoading(false);
    }
  }

  function choose(option: SearchOption): SearchOption {
    if (option.kind !== 'transaction') void showEntity({ kind: option.kind, id: option.id });
    setOptions([]);
    setActive(-1);
    return option;
  }

  function clear(): void {
    cancelTimer();
    inFlight?.abort();
    inFlight = null;
    answered = '';
    setQuerySignal('');
    setOptions([]);
    setActive(-1);
    setError(null);
  }

  return {
    query,
    setQuery(q) {
      setQuerySignal(q);
      cancelTimer();
      const text = q.trim();
      if (!text) {
        clear();
        return;
      }
      timer = setT(() => {
        timer = null;
        void ask(text);
      }, debounceMs);
    },
    options,
    active,
    move(delta) {
      const n = options().length;
      if (n === 0) return;
      // Wraps around; from no highlight, down takes the first and up the last.
      setActive((i) => {
        const from = i < 0 ? (delta === 1 ? -1 : 0) : i;
        return (from + delta + n) % n;
      });
    },
    error,
    async submit() {
      const i = active();
      const list = options();
      if (i >= 0 && list[i]) return choose(list[i]);
      const text = query().trim();
      if (!text) return null;
      if (answered !== text || timer !== null) {
        cancelTimer();
        await ask(text);
      }
      const best = bestOption(options(), text);
      return best ? choose(best) : null;
    },
    choose,
    entity,
    entityRows,
    entityLoading,
    entityError,
    closeEntity() {
      entitySeq++;
      setEntity(null);
      setEntityRows([]);
      setEntityError(null);
      setEntityLoading(false);
    },
    clear,
  };
}
