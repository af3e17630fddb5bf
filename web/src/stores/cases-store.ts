/**
 * The alert/case queue: a page of cases filtered by status, worked with optimistic updates
 * (assign, comment, resolve) that revert when the server refuses, and kept fresh by live `case`
 * events.
 */
import { createSignal, type Accessor } from 'solid-js';
import type { Case, CaseResolution, CaseSort, LiveCase, LiveItem } from '@vigil/core';
import type { ApiClient } from '../api/client.js';
import { ApiError, errorMessage } from '../api/api-error.js';
import { createFrameBatcher, type Scheduler } from './frame-batcher.js';
import type { LiveSource } from './feed-store.js';
import { runOptimistic } from './optimistic.js';
import {
  DEFAULT_CASE_VIEW,
  DEFAULT_QUEUE_SORT,
  viewQuery,
  viewTakesNew,
  type CaseView,
} from './case-views.js';
import { clickSelect, EMPTY_SELECTION, keepShown, type Selection } from './range-selection.js';

/** Below this many rows the queue reloads itself when cases open (see applyLive). */
const AUTO_FILL_BELOW = 8;

export type CaseFilter = CaseView;

export interface CasesStoreOptions {
  readonly client: Pick<
    ApiClient,
    'listCases' | 'assignCase' | 'commentCase' | 'resolveCase' | 'nextCase' | 'resolveCases'
  >;
  /** The signed-in analyst (assignee and comment author); null when unknown. */
  readonly me: Accessor<string | null>;
  readonly schedule: Scheduler;
  readonly pageSize?: number;
  readonly now?: () => Date;
}

export interface CasesStore {
  readonly cases: Accessor<readonly Case[]>;
  readonly filter: Accessor<CaseFilter>;
  setFilter(f: CaseFilter): Promise<void>;
  readonly sort: Accessor<CaseSort>;
  setSort(s: CaseSort): Promise<void>;
  /** Assigns me the view's top unassigned case and puts it first; null when none is left. */
  nextCase(): Promise<Case | null>;
  /** The rows ticked for a bulk resolve. */
  readonly selected: Accessor<ReadonlySet<string>>;
  /** A click on a row's checkbox; `shift` extends from the last click. */
  select(caseId: string, shift: boolean): void;
  clearSelection(): void;
  /** Resolves every ticked case or none; false (with bulkError) when the server refused. */
  resolveSelected(resolution: CaseResolution): Promise<boolean>;
  readonly bulkPending: Accessor<boolean>;
  readonly bulkError: Accessor<string | null>;
  readonly loading: Accessor<boolean>;
  readonly error: Accessor<string | null>;
  readonly hasMore: Accessor<boolean>;
  /** Cases opened by live decisions since the list was loaded. */
  readonly newCases: Accessor<number>;
  /** Whether a change to this case is waiting for the server. */
  isPending(caseId: string): boolean;
  /** The last failure of a change to this case, until dismissed or the next change. */
  errorFor(caseId: string): string | null;
  dismissError(caseId: string): void;
  load(): Promise<void>;
  loadMore(): Promise<void>;
  assignToMe(caseId: string): Promise<boolean>;
  comment(caseId: string, body: string): Promise<boolean>;
  resolve(caseId: string, resolution: CaseResolution, comment?: string): Promise<boolean>;
  /** A case changed elsewhere (the drawer): its row, if shown, takes the newer version. */
  upsert(c: Case): void;
  /** Applies live events (tests call it directly; `attach` feeds it once per frame). */
  applyLive(items: readonly LiveItem[]): void;
  attach(source: LiveSource): () => void;
  reset(): void;
}

function conflictMessage(err: unknown): string {
  if (err instanceof ApiError && err.status === 409) {
    return `${err.message} — someone else changed this case; the list was reloaded.`;
  }
  return errorMessage(err);
}

export function createCasesStore(opts: CasesStoreOptions): CasesStore {
  const pageSize = opts.pageSize ?? 50;
  const now = opts.now ?? (() => new Date());
  const [cases, setCases] = createSignal<readonly Case[]>([]);
  const [filter, setFilterSignal] = createSignal<CaseFilter>(DEFAULT_CASE_VIEW);
  const [sort, setSortSignal] = createSignal<CaseSort>(DEFAULT_QUEUE_SORT);
  const [selection, setSelection] = createSignal<Selection>(EMPTY_SELECTION);
  const [bulkPending, setBulkPending] = createSignal(false);
  const [bulkError, setBulkError] = createSignal<string | null>(null);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [newCases, setNewCases] = createSignal(0);
  const [pending, setPending] = createSignal<ReadonlySet<string>>(new Set());
  const [errors, setErrors] = createSignal<ReadonlyMap<string, string>>(new Map());
  let loadSeq = 0;

  const find = (id: string): Case | undefined => cases().find((c) => c.case_id === id);
  const replace = (id: string, fn: (c: Case) => Case): void => {
    setCases((list) => list.map((c) => (c.case_id === id ? fn(c) : c)));
  };
  const setPendingFor = (id: string, on: boolean): void => {
    setPending((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  };
  const setErrorFor = (id: string, message: string | null): void => {
    setErrors((m) => {
      const next = new Map(m);
      if (message === null) next.delete(id);
      else next.set(id, message);
      return next;
    });
  };

  async function fetchPage(after: string | null): Promise<void> {
    const seq = ++loadSeq;
    setLoading(true);
    try {
      const page = await opts.client.listCases({
        ...viewQuery(filter()),
        sort: sort(),
        limit: pageSize,
        ...(after ? { cursor: after } : {}),
      });
      if (seq !== loadSeq) return; // a newer load (another filter) won
      setCases((list) => (after ? [...list, ...page.items] : page.items));
      setSelection((sel) =>
        keepShown(
          sel,
          cases().map((c) => c.case_id),
        ),
      );
      setCursor(page.next_cursor);
      if (!after) setNewCases(0);
      setError(null);
    } catch (err) {
      if (seq === loadSeq) setError(`Could not load cases: ${errorMessage(err)}`);
    } finally {
      if (seq === loadSeq) setLoading(false);
    }
  }

  /** One optimistic change to one case; at most one per case at a time. */
  async function change(
    caseId: string,
    expected: (c: Case) => Case,
    send: (c: Case) => Promise<Case | null>,
  ): Promise<boolean> {
    const current = find(caseId);
    if (!current || pending().has(caseId)) return false;
    setErrorFor(caseId, null);
    setPendingFor(caseId, true);
    let resync = false;
    const ok = await runOptimistic<Case, Case | null>({
      apply: () => {
        replace(caseId, expected);
        return current;
      },
      send: () => send(current),
      confirm: (answer) => {
        if (answer) replace(caseId, () => answer);
        else resync = true; // the server did not say the new version: fetch it
      },
      revert: (saved) => replace(caseId, () => saved),
      fail: (err) => {
        setErrorFor(caseId, conflictMessage(err));
        if (err instanceof ApiError && err.status === 409) resync = true;
      },
    });
    setPendingFor(caseId, false);
    if (resync) await fetchPage(null);
    return ok;
  }

  function applyCaseEvent(ev: LiveCase): void {
    const c = find(ev.case_id);
    if (!c || pending().has(ev.case_id)) return;
    // The verdict's delivery to the edge changed (same version: not an analyst's edit); a newer
    // delivery state is kept, an older one ignored.
    const d = ev.verdict_delivery;
    if (ev.version === c.version && d) {
      const old = c.verdict_delivery;
      if (!old || Date.parse(d.updated_at) >= Date.parse(old.updated_at)) {
        replace(ev.case_id, (x) => ({ ...x, verdict_delivery: d }));
      }
      return;
    }
    // Our own change in flight answers for itself; older events never overwrite newer state.
    if (ev.version <= c.version) return;
    replace(ev.case_id, (x) => ({
      ...x,
      status: ev.status,
      assignee: ev.assignee,
      resolution: ev.resolution,
      updated_at: ev.updated_at,
      version: ev.version,
      ...(ev.verdict_delivery !== undefined ? { verdict_delivery: ev.verdict_delivery } : {}),
    }));
  }

  let lastAutoFill = 0;
  function applyLive(items: readonly LiveItem[]): void {
    let opened = 0;
    for (const { event } of items) {
      if (event.kind === 'case') applyCaseEvent(event);
      else if (event.kind === 'decision' && event.case_id && viewTakesNew(filter(), event.decision))
        opened++;
    }
    if (opened > 0) {
      // A short queue fills itself (at most every 2 s): an analyst looking at an empty queue while
      // cases open should not have to find Refresh. A long one only counts, so rows do not move
      // under the pointer.
      if (cases().length < AUTO_FILL_BELOW && pending().size === 0 && !loading()) {
        const t = Date.now();
        if (t - lastAutoFill >= 2_000) {
          lastAutoFill = t;
          void fetchPage(null);
          return;
        }
      }
      setNewCases((n) => n + opened);
    }
  }

  const batcher = createFrameBatcher<LiveItem>({
    apply: applyLive,
    schedule: opts.schedule,
    maxQueued: 50_000,
  });

  return {
    cases,
    filter,
    async setFilter(f) {
      setFilterSignal(f);
      setCases([]);
      setCursor(null);
      setSelection(EMPTY_SELECTION);
      await fetchPage(null);
    },
    sort,
    async setSort(s) {
      setSortSignal(s);
      await fetchPage(null);
    },
    async nextCase() {
      const decision = viewQuery(filter()).decision;
      try {
        const c = await opts.client.nextCase({ sort: sort(), ...(decision ? { decision } : {}) });
        if (!c) {
          setError('No unassigned case is left in this view.');
          return null;
        }
        setError(null);
        // Where the server's order puts it when it is shown (a reload would put it back there, and
        // j/k must walk the order the analyst sees); first when the page does not hold it.
        setCases((list) =>
          list.some((x) => x.case_id === c.case_id)
            ? list.map((x) => (x.case_id === c.case_id ? c : x))
            : [c, ...list],
        );
        return c;
      } catch (err) {
        setError(`Could not take the next case: ${errorMessage(err)}`);
        return null;
      }
    },
    selected: () => selection().ids,
    select(caseId, shift) {
      // Only undecided cases can be resolved: a range skips the resolved rows inside it.
      const order = cases()
        .filter((c) => c.status !== 'resolved')
        .map((c) => c.case_id);
      if (!order.includes(caseId)) return;
      setSelection((sel) => clickSelect(sel, order, caseId, shift));
    },
    clearSelection: () => setSelection(EMPTY_SELECTION),
    async resolveSelected(resolution) {
      const ids = [...selection().ids];
      if (ids.length === 0 || bulkPending()) return false;
      setBulkPending(true);
      setBulkError(null);
      try {
        // Not optimistic: all or nothing, so the rows change only when the server says all did.
        const answer = await opts.client.resolveCases({ case_ids: ids, resolution });
        const byId = new Map(answer.cases.map((c) => [c.case_id, c]));
        setCases((list) => list.map((c) => byId.get(c.case_id) ?? c));
        setSelection(EMPTY_SELECTION);
        return true;
      } catch (err) {
        setBulkError(`Nothing was resolved: ${errorMessage(err)}`);
        return false;
      } finally {
        setBulkPending(false);
      }
    },
    bulkPending,
    bulkError,
    loading,
    error,
    hasMore: () => cursor() !== null,
    newCases,
    isPending: (id) => pending().has(id),
    errorFor: (id) => errors().get(id) ?? null,
    dismissError: (id) => setErrorFor(id, null),
    load: () => fetchPage(null),
    loadMore: async () => {
      const c = cursor();
      if (c) await fetchPage(c);
    },
    assignToMe(caseId) {
      const me = opts.me();
      if (!me) {
        setErrorFor(caseId, 'Signed in without a name: cannot assign.');
        return Promise.resolve(false);
      }
      return change(
        caseId,
        (c) => ({ ...c, status: c.status === 'open' ? 'assigned' : c.status, assignee: me }),
        (c) => opts.client.assignCase(caseId, me, c.version),
      );
    },
    comment(caseId, body) {
      const text = body.trim();
      if (!text) return Promise.resolve(false);
      const author = opts.me() ?? 'me';
      return change(
        caseId,
        (c) => ({
          ...c,
          comments: [...c.comments, { author, body: text, created_at: now().toISOString() }],
        }),
        () => opts.client.commentCase(caseId, text),
      );
    },
    resolve(caseId, resolution, comment) {
      const text = comment?.trim();
      return change(
        caseId,
        (c) => ({ ...c, status: 'resolved', resolution }),
        (c) => opts.client.resolveCase(caseId, resolution, c.version, text || undefined),
      );
    },
    upsert(c) {
      const old = find(c.case_id);
      if (old && old.version < c.version && !pending().has(c.case_id)) replace(c.case_id, () => c);
    },
    applyLive,
    attach(source) {
      const off = source.onItems((items) => batcher.push(items));
      return () => {
        off();
        batcher.clear();
      };
    },
    reset() {
      batcher.clear();
      loadSeq++;
      setCases([]);
      setCursor(null);
      setNewCases(0);
      setSelection(EMPTY_SELECTION);
      setBulkError(null);
      setBulkPending(false);
      setPending(new Set<string>());
      setErrors(new Map<string, string>());
      setError(null);
      setLoading(false);
    },
  };
}
