/**
 * The Rules page's data: the ruleset in force (each rule with its hits), its versions, and the
 * lists a rule can name. Mode switches are optimistic and revert when the server refuses; every
 * change makes a new ruleset version, so the page reloads the ruleset and versions after it.
 *
 * Hits are kept apart from the rules, and a rule that did not change keeps its object across
 * reloads: the page's rows are keyed by it, so refreshing the hits every 30 s does not rebuild a
 * row (and close a confirmation an analyst has open in it).
 */
import { createSignal, type Accessor } from 'solid-js';
import type { ListRef, Rule, RuleMode } from '@vigil/core';
import type { ApiClient } from '../api/client.js';
import { errorMessage } from '../api/api-error.js';
import type { RuleHits, RuleVersion, RuleWithHits } from '../api/rules-types.js';
import { runOptimistic } from './optimistic.js';
import { createPoller } from './poller.js';

/** How often the hits are refreshed while the Rules page is open. */
export const HITS_REFRESH_MS = 30_000;

export interface RulesStoreOptions {
  readonly client: Pick<
    ApiClient,
    | 'listRules'
    | 'listRuleVersions'
    | 'listLists'
    | 'updateRule'
    | 'deleteRule'
    | 'restoreRuleVersion'
  >;
  readonly setTimeout?: (fn: () => void, ms: number) => unknown;
  readonly clearTimeout?: (h: unknown) => void;
}

export interface RulesStore {
  /** The version in force; null before the first load. */
  readonly version: Accessor<number | null>;
  readonly rules: Accessor<readonly Rule[]>;
  /** A rule's hits in the last hour and day, as last loaded. */
  hits(id: string): RuleHits | null;
  readonly versions: Accessor<readonly RuleVersion[]>;
  /** The lists `in_list` can name (for the editor). */
  readonly lists: Accessor<readonly ListRef[]>;
  readonly loading: Accessor<boolean>;
  /** Why the last load failed. */
  readonly error: Accessor<string | null>;
  /** Why the last change (mode, delete, restore) failed, until the next one. */
  readonly changeError: Accessor<string | null>;
  /** A change waiting for the server: a rule id, or `v<version>` for a restore. */
  readonly pending: Accessor<string | null>;
  load(): Promise<void>;
  /**
   * Loads now and then refreshes the hits every HITS_REFRESH_MS (the whole page when the ruleset
   * version moved meanwhile); returns the function that stops it.
   */
  watch(): () => void;
  setMode(id: string, mode: RuleMode): Promise<boolean>;
  remove(id: string): Promise<boolean>;
  restore(version: number): Promise<boolean>;
  reset(): void;
}

export function createRulesStore(opts: RulesStoreOptions): RulesStore {
  const { client } = opts;
  const [version, setVersion] = createSignal<number | null>(null);
  const [rules, setRules] = createSignal<readonly Rule[]>([]);
  const [hits, setHits] = createSignal<Readonly<Record<string, RuleHits>>>({});
  const [versions, setVersions] = createSignal<readonly RuleVersion[]>([]);
  const [lists, setLists] = createSignal<readonly ListRef[]>([]);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [changeError, setChangeError] = createSignal<string | null>(null);
  const [pending, setPending] = createSignal<string | null>(null);
  let loadSeq = 0;

  /** The rules of an answer, each the previous object when it is unchanged; and their hits. */
  function show(answer: readonly RuleWithHits[]): void {
    const before = new Map(rules().map((r) => [r.id, r]));
    setRules(
      answer.map(({ hits: _hits, ...rule }) => {
        const old = before.get(rule.id);
        return old && sameRule(old, rule) ? old : rule;
      }),
    );
    setHits(Object.fromEntries(answer.map((r) => [r.id, r.hits])));
  }

  async function refreshHits(): Promise<void> {
    if (version() === null) return load();
    const seq = loadSeq;
    const ruleset = await client.listRules();
    if (seq !== loadSeq || pending() !== null) return; // a load or a change overtook it
    if (ruleset.version !== version()) return load();
    show(ruleset.rules);
  }

  async function load(): Promise<void> {
    const seq = ++loadSeq;
    setLoading(true);
    try {
      const [ruleset, vs, ls] = await Promise.all([
        client.listRules(),
        client.listRuleVersions(),
        client.listLists(),
      ]);
      if (seq !== loadSeq) return;
      setVersion(ruleset.version);
      show(ruleset.rules);
      // Newest first, whatever order the server keeps.
      setVersions([...vs].sort((a, b) => b.version - a.version));
      setLists(ls.map((l) => ({ name: l.name, kind: l.kind })));
      setError(null);
    } catch (err) {
      if (seq === loadSeq) setError(errorMessage(err));
    } finally {
      if (seq === loadSeq) setLoading(false);
    }
  }

  /** Runs one change with `key` pending; reloads after it whatever the outcome. */
  async function change(key: string, run: () => Promise<boolean>): Promise<boolean> {
    if (pending() !== null) return false;
    setPending(key);
    setChangeError(null);
    try {
      return await run();
    } finally {
      setPending(null);
      await load();
    }
  }

  return {
    version,
    rules,
    versions,
    lists,
    loading,
    error,
    changeError,
    pending,
    hits: (id) => hits()[id] ?? null,
    load,
    watch() {
      const poller = createPoller({
        intervalMs: HITS_REFRESH_MS,
        tick: refreshHits,
        ...(opts.setTimeout ? { setTimeout: opts.setTimeout } : {}),
        ...(opts.clearTimeout ? { clearTimeout: opts.clearTimeout } : {}),
      });
      poller.start();
      return () => poller.stop();
    },
    setMode(id, mode) {
      const plain = rules().find((r) => r.id === id);
      if (!plain || plain.mode === mode) return Promise.resolve(false);
      return change(id, () =>
        runOptimistic({
          apply: () => {
            const before = rules();
            setRules(before.map((r) => (r.id === id ? { ...r, mode } : r)));
            return before;
          },
          send: () => client.updateRule({ ...plain, mode }),
          confirm: (answer) => setVersion(answer.version),
          revert: (before) => setRules(before),
          fail: (err) => setChangeError(`Could not switch ${id} to ${mode}: ${errorMessage(err)}`),
        }),
      );
    },
    remove(id) {
      return change(id, async () => {
        try {
          await client.deleteRule(id);
          return true;
        } catch (err) {
          setChangeError(`Could not delete ${id}: ${errorMessage(err)}`);
          return false;
        }
      });
    },
    restore(v) {
      return change(`v${v}`, async () => {
        try {
          await client.restoreRuleVersion(v);
          return true;
        } catch (err) {
          setChangeError(`Could not restore version ${v}: ${errorMessage(err)}`);
          return false;
        }
      });
    },
    reset() {
      loadSeq++;
      setVersion(null);
      setRules([]);
      setHits({});
      setVersions([]);
      setLists([]);
      setLoading(false);
      setError(null);
      setChangeError(null);
      setPending(null);
    },
  };
}

/** Whether two rules read the same (hits aside). */
function sameRule(a: Rule, b: Rule): boolean {
  return (
    a.id === b.id &&
    a.name === b.name &&
    a.description === b.description &&
    a.expression === b.expression &&
    a.action === b.action &&
    a.mode === b.mode
  );
}
