/**
 * The Rules page: the ruleset in force (its version; each rule's action, mode, expression and hits
 * in the last hour and day), a mode switch and delete per rule, the editor for a new or an existing
 * rule, and every version with restore.
 */
import { createSignal, For, onCleanup, onMount, Show, type Accessor, type JSX } from 'solid-js';
import { RULE_MODES, type Rule, type RuleAction, type RuleMode } from '@vigil/core';
import { formatCount, formatDateTime } from '../format/format.js';
import type { BacktestStore } from '../stores/backtest-store.js';
import type { RuleEditor } from '../stores/rule-editor-store.js';
import type { Theme } from '../stores/theme-store.js';
import type { RulesStore } from '../stores/rules-store.js';
import { EnumSelect } from './enum-select.js';
import { ACTION_EFFECT, RuleEditorForm } from './rule-editor.js';
import { InlineAlert } from './inline-alert.js';

/** An action's colour: the decision it leads to. */
const ACTION_BADGE: Record<RuleAction, string> = {
  allow: 'badge-approve',
  review: 'badge-review',
  block: 'badge-decline',
};

export interface RulesPageProps {
  readonly rules: RulesStore;
  /** A fresh editor for `initial`, or for a new rule. */
  readonly newEditor: (initial?: Rule) => RuleEditor;
  readonly checksLive: boolean;
  /** A fresh backtest for the editor; absent, the editor shows none. */
  readonly newBacktest?: () => BacktestStore;
  readonly theme?: Accessor<Theme>;
  /** Opens a transaction (a backtest example) in the drawer. */
  readonly onOpenTransaction?: (id: string) => void;
}

/**
 * The rules the backplane seeds (backplane/migrations/006_rules_lists_audit.sql; core names their
 * lists, not the rules): deleting one is allowed but rarely meant, so Delete suggests disabling it.
 */
export const BUILT_IN_RULES: ReadonlySet<string> = new Set([
  'block_listed_customers',
  'block_listed_terminals',
  'allow_listed_customers',
]);

/** What the row is asking the analyst to confirm, if anything. */
type Asking = { readonly kind: 'delete' } | { readonly kind: 'mode'; readonly mode: RuleMode };

function RuleRow(props: { rule: Rule; store: RulesStore; onEdit: () => void }): JSX.Element {
  const [asking, setAsking] = createSignal<Asking | null>(null);
  const busy = (): boolean => props.store.pending() !== null;
  const builtIn = (): boolean => BUILT_IN_RULES.has(props.rule.id);
  const hits = () => props.store.hits(props.rule.id);
  /** The mode the select shows: the one asked about while it waits for a yes. */
  const shownMode = (): RuleMode => {
    const a = asking();
    return a?.kind === 'mode' ? a.mode : props.rule.mode;
  };
  const chooseMode = (m: RuleMode): void => {
    // Going active makes the rule decide payments within 5 s: asked first, as Delete is.
    if (m === 'active') setAsking({ kind: 'mode', mode: m });
    else void props.store.setMode(props.rule.id, m);
  };
  const confirm = (): void => {
    const a = asking();
    setAsking(null);
    if (a?.kind === 'mode') void props.store.setMode(props.rule.id, a.mode);
    else if (a?.kind === 'delete') void props.store.remove(props.rule.id);
  };
  return (
    <tr
      data-testid="rule-row"
      data-rule-id={props.rule.id}
      data-mode={props.rule.mode}
      class={`rule-${props.rule.mode}`}
      aria-busy={props.store.pending() === props.rule.id}
    >
      <th scope="row">
        <span class="mono">{props.rule.id}</span>
        <div class="muted">{props.rule.name}</div>
      </th>
      <td>
        <span class={`badge ${ACTION_BADGE[props.rule.action]}`} data-testid="rule-action-badge">
          {props.rule.action}
        </span>
      </td>
      <td>
        <EnumSelect
          ariaLabel={`Mode of ${props.rule.id}`}
          testid="rule-mode"
          values={RULE_MODES}
          value={shownMode()}
          disabled={busy() || asking() !== null}
          onChange={chooseMode}
        />
      </td>
      <td>
        <code class="rule-expression-cell" data-testid="rule-expression-text">
          {props.rule.expression}
        </code>
      </td>
      <td class="num mono" data-testid="rule-hits-hour">
        {hits() ? formatCount(hits()!.hour) : '—'}
      </td>
      <td class="num mono" data-testid="rule-hits-day">
        {hits() ? formatCount(hits()!.day) : '—'}
      </td>
      <td class="rule-actions">
        <Show
          when={asking()}
          fallback={
            <>
              <button
                type="button"
                class="btn"
                data-testid="rule-edit"
                onClick={() => props.onEdit()}
              >
                Edit
              </button>
              <button
                type="button"
                class="btn btn-danger"
                data-testid="rule-delete"
                disabled={busy()}
                onClick={() => setAsking({ kind: 'delete' })}
              >
                Delete
              </button>
            </>
          }
        >
          {(a) => (
            <div
              class="rule-confirm"
              role="group"
              aria-label={`Confirm a change to ${props.rule.id}`}
            >
              <Show when={a().kind === 'delete' && builtIn()}>
                <p class="warning" data-testid="rule-delete-built-in">
                  {props.rule.id} is built in: it makes the lists act. To stop it for a while,
                  switch its mode to disabled instead; deleting it can be undone only by restoring a
                  version.
                </p>
              </Show>
              <Show when={a().kind === 'mode'}>
                <p class="warning" data-testid="rule-mode-warning">
                  Active, {props.rule.id} will {ACTION_EFFECT[props.rule.action]} every payment it
                  matches, on every edge within 5 s.
                </p>
              </Show>
              <button
                type="button"
                class={a().kind === 'delete' ? 'btn btn-danger' : 'btn btn-primary'}
                data-testid={a().kind === 'delete' ? 'rule-delete-confirm' : 'rule-mode-confirm'}
                disabled={busy()}
                onClick={confirm}
              >
                {a().kind === 'delete' ? `Delete ${props.rule.id}` : 'Switch to active'}
              </button>
              <button
                type="button"
                class="btn btn-ghost"
                data-testid="rule-confirm-cancel"
                onClick={() => setAsking(null)}
              >
                Keep
              </button>
            </div>
          )}
        </Show>
      </td>
    </tr>
  );
}

export function RulesPage(props: RulesPageProps): JSX.Element {
  const store = props.rules;
  const [editor, setEditor] = createSignal<RuleEditor | null>(null);
  let backtest: BacktestStore | undefined;
  const dispose = (): void => {
    editor()?.dispose();
    backtest?.dispose();
    backtest = undefined;
  };
  const open = (initial?: Rule): void => {
    dispose();
    backtest = props.newBacktest?.();
    setEditor(props.newEditor(initial));
  };
  const closeEditor = (): void => {
    dispose();
    setEditor(null);
  };
  const [restoring, setRestoring] = createSignal<number | null>(null);
  onMount(() => onCleanup(store.watch()));
  onCleanup(dispose);

  return (
    <main id="main" class="page rules-page" data-testid="rules-page">
      <section class="panel">
        <div class="section-head">
          <h2>Rules</h2>
          <span class="muted" data-testid="ruleset-version" data-version={store.version() ?? ''}>
            {store.version() !== null ? `Ruleset version ${store.version()}` : ''}
          </span>
          <div class="spacer" />
          <button type="button" class="btn" onClick={() => void store.load()}>
            Refresh
          </button>
          <button
            type="button"
            class="btn btn-primary"
            data-testid="rule-new"
            onClick={() => open()}
          >
            New rule
          </button>
        </div>
        <p class="muted">
          A matching active <b>allow</b> rule approves; else a matching active <b>block</b> rule
          declines; else an active <b>review</b> rule raises the model’s decision to review. Shadow
          rules are recorded, never acted on. Changes reach every edge within 5 s.
        </p>
        <InlineAlert message={store.error()} testid="rules-error" />
        <InlineAlert message={store.changeError()} testid="rules-change-error" />
        <Show when={editor()}>
          {(ed) => (
            <RuleEditorForm
              editor={ed()}
              lists={store.lists()}
              checksLive={props.checksLive}
              {...(backtest ? { backtest } : {})}
              {...(props.theme ? { theme: props.theme } : {})}
              {...(props.onOpenTransaction ? { onOpenTransaction: props.onOpenTransaction } : {})}
              onCancel={closeEditor}
              onSaved={() => {
                closeEditor();
                void store.load();
              }}
            />
          )}
        </Show>
        <Show
          when={store.rules().length > 0}
          fallback={<p class="empty">{store.loading() ? 'Loading…' : 'No rules yet.'}</p>}
        >
          <table class="table rules-table" data-testid="rules-table">
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Action</th>
                <th scope="col">Mode</th>
                <th scope="col">Expression</th>
                <th scope="col" class="num nowrap">
                  Hits 1 h
                </th>
                <th scope="col" class="num nowrap">
                  Hits 24 h
                </th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <For each={store.rules()}>
                {(r) => <RuleRow rule={r} store={store} onEdit={() => open(r)} />}
              </For>
            </tbody>
          </table>
        </Show>
      </section>

      <section class="panel" data-testid="rule-versions">
        <div class="section-head">
          <h2>Versions</h2>
        </div>
        <Show when={store.versions().length > 0} fallback={<p class="muted">No versions yet.</p>}>
          <table class="table compact">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">When (UTC)</th>
                <th scope="col">Who</th>
                <th scope="col">What changed</th>
                <th scope="col">
                  <span class="visually-hidden">Restore</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <For each={store.versions()}>
                {(v) => (
                  <tr data-testid="rule-version" data-version={v.version}>
                    <td class="mono">{v.version}</td>
                    <td class="mono">{formatDateTime(v.created_at)}</td>
                    <td>{v.created_by}</td>
                    <td>{v.summary}</td>
                    <td>
                      <Show
                        when={v.version !== store.version()}
                        fallback={<span class="muted">in force</span>}
                      >
                        <Show
                          when={restoring() === v.version}
                          fallback={
                            <button
                              type="button"
                              class="btn"
                              data-testid="rule-version-restore"
                              disabled={store.pending() !== null}
                              onClick={() => setRestoring(v.version)}
                            >
                              Restore
                            </button>
                          }
                        >
                          <span class="row">
                            <button
                              type="button"
                              class="btn btn-primary"
                              data-testid="rule-version-restore-confirm"
                              disabled={store.pending() !== null}
                              onClick={() => {
                                setRestoring(null);
                                void store.restore(v.version);
                              }}
                            >
                              Restore version {v.version}
                            </button>
                            <button
                              type="button"
                              class="btn btn-ghost"
                              onClick={() => setRestoring(null)}
                            >
                              Keep
                            </button>
                          </span>
                        </Show>
                      </Show>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </Show>
      </section>
    </main>
  );
}
