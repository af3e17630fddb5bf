/**
 * One rule being written: the draft's fields, the expression checked as it is typed (debounced,
 * in the browser, by the checker it is given — no request per keystroke), the rule checked by
 * core's schema before it is sent, and the server's field errors shown where they belong.
 */
import { createSignal, type Accessor } from 'solid-js';
import { ruleSchema, type ListRef, type Rule, type RuleAction, type RuleMode } from '@vigil/core';
import type { ApiClient } from '../api/client.js';
import { ApiError, errorMessage } from '../api/api-error.js';
import { checkWith } from '../api/schema-check.js';

/** What the expression check says (core's `checkExpression` has this shape). */
export type ExpressionVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly message: string; readonly position: number | null };

/** Type-checks an expression against the rule environment and the lists it may name. */
export type ExpressionChecker = (
  expression: string,
  lists: readonly ListRef[],
) => ExpressionVerdict;

/**
 * A refused expression in the API's words (backplane's expression-check): the CEL message and
 * `at position N`, N 0-based, so the editor and a 400 from the server point at the same place.
 */
export function verdictMessage(v: {
  readonly message: string;
  readonly position: number | null;
}): string {
  return v.position === null ? v.message : `${v.message} at position ${v.position}`;
}

/** Quiet time after the last keystroke before the expression is checked. */
export const CHECK_DEBOUNCE_MS = 250;

export interface RuleEditorOptions {
  readonly client: Pick<ApiClient, 'createRule' | 'updateRule'>;
  /** The rule to edit; absent for a new one. */
  readonly initial?: Rule;
  /** The lists `in_list` may name, for the check. */
  readonly lists: Accessor<readonly ListRef[]>;
  /** Absent: the expression is checked by the server when the rule is saved. */
  readonly check?: ExpressionChecker;
  readonly setTimeout?: (fn: () => void, ms: number) => unknown;
  readonly clearTimeout?: (h: unknown) => void;
}

export interface RuleEditor {
  readonly isNew: boolean;
  readonly draft: Accessor<Rule>;
  set<K extends keyof Rule>(field: K, value: Rule[K]): void;
  /** The expression's verdict: null while unchecked (typing, or no checker). */
  readonly verdict: Accessor<ExpressionVerdict | null>;
  /** Field errors by JSON Pointer (`/expression`, `/id`…), from the schema or the server. */
  readonly fieldErrors: Accessor<Readonly<Record<string, string>>>;
  /** Why the last save failed, when no field is to blame. */
  readonly error: Accessor<string | null>;
  readonly saving: Accessor<boolean>;
  /**
   * Sends the rule — in `mode` when given ("publish as shadow", "publish active"), else in the
   * draft's — and resolves to the new ruleset version, or null when refused.
   */
  save(mode?: RuleMode): Promise<number | null>;
  dispose(): void;
}

const EMPTY: Rule = {
  id: '',
  name: '',
  description: '',
  expression: '',
  action: 'review' satisfies RuleAction,
  mode: 'shadow' satisfies RuleMode,
};

export function createRuleEditor(opts: RuleEditorOptions): RuleEditor {
  const setT = opts.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
  const clearT =
    opts.clearTimeout ??
    ((h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>));
  const [draft, setDraft] = createSignal<Rule>(opts.initial ?? EMPTY);
  const [verdict, setVerdict] = createSignal<ExpressionVerdict | null>(null);
  const [fieldErrors, setFieldErrors] = createSignal<Readonly<Record<string, string>>>({});
  const [error, setError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);
  let timer: unknown = null;

  const runCheck = (): ExpressionVerdict | null => {
    if (!opts.check) return null;
    const v = opts.check(draft().expression, opts.lists());
    setVerdict(v);
    return v;
  };

  const scheduleCheck = (): void => {
    if (timer !== null) clearT(timer);
    setVerdict(null);
    if (!opts.check) return;
    timer = setT(() => {
      timer = null;
      runCheck();
    }, CHECK_DEBOUNCE_MS);
  };

  if (opts.initial) runCheck();

  return {
    isNew: !opts.initial,
    draft,
    set(field, value) {
      setDraft((d) => ({ ...d, [field]: value }));
      const path = `/${field}`;
      if (fieldErrors()[path]) {
        const { [path]: _gone, ...rest } = fieldErrors();
        setFieldErrors(rest);
      }
      if (field === 'expression') scheduleCheck();
    },
    verdict,
    fieldErrors,
    error,
    saving,
    async save(mode) {
      if (saving()) return null;
      setError(null);
      if (mode !== undefined) setDraft((d) => ({ ...d, mode }));
      const checked = checkWith(ruleSchema, draft());
      const local: Record<string, string> = {};
      if (!checked.ok) for (const i of checked.issues) local[i.path] ??= i.message;
      if (timer !== null) {
        clearT(timer);
        timer = null;
      }
      const v = runCheck();
      if (v && !v.ok) local['/expression'] ??= verdictMessage(v);
      setFieldErrors(local);
      if (!checked.ok || Object.keys(local).length > 0) return null;

      setSaving(true);
      try {
        const rule = checked.value;
        const answer = opts.initial
          ? await opts.client.updateRule(rule)
          : await opts.client.createRule(rule);
        return answer.version;
      } catch (err) {
        const fields = err instanceof ApiError ? err.fieldErrors.filter((e) => e.path) : [];
        if (fields.length > 0) {
          setFieldErrors(Object.fromEntries(fields.map((e) => [e.path, e.message])));
          const elsewhere = fields.filter((e) => !(e.path.slice(1) in EMPTY));
          if (elsewhere.length > 0) setError(errorMessage(err));
        } else {
          setError(errorMessage(err));
        }
        return null;
      } finally {
        setSaving(false);
      }
    },
    dispose() {
      if (timer !== null) clearT(timer);
      timer = null;
    },
  };
}
