/**
 * The Rules page: the ruleset in force (its version; each rule's action, mode, expression and hits
 * in the last hour and day), a mode switch and delete per rule, the editor for a new or an existing
 * rule, and every version with restore.
 */
import { createSignal, For, onCleanup, onMount, Show, type JSX } from 'solid-js';
import { RULE_MODES, type Rule, type RuleAction } from '@vigil/core';
import { formatCount, formatDateTime } from '../format/format.js';
import type { RuleEditor } from '../stores/rule-editor-store.js';
import type { RulesStore } from '../stores/rules-store.js';
import { EnumSelect } from './enum-select.js';
import { RuleEditorForm } from './rule-editor.js';
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
}

function RuleRow(props: {
  rule: Rule & { hits: { hour: number; day: number } };
  store: RulesStore;
  onEdit: () => void;
}): JSX.Element {
  const [confirming, setConfirming] = createSignal(false);
  const busy = (): boolean => props.store.pending() !== null;
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
          value={props.rule.mode}
          disabled={busy()}
          onChange={(m) => void props.store.setMode(props.rule.id, m)}
        />
      </td>
      <td>
        <code class="rule-expression-cell" data-testid="rule-expression-text">
          {props.rule.expression}
        </code>
      </td>
      <td class="num mono" data-testid="rule-hits-hour">
        {formatCount(props.rule.hits.hour)}
      </td>
      <td class="num mono" data-testid="rule-hits-day">
        {formatCount(props.rule.hits.day)}
      </td>
      <td class="rule-actions">
        <button type="button" class="btn" data-testid="rule-edit" onClick={() => props.onEdit()}>
          Edit
        </button>
        <Show
          when={confirming()}
          fallback={
            <button
              type="button"
              class="btn btn-danger"
              data-testid="rule-delete"
              disabled={busy()}
              onClick={() => setConfirming(true)}
            >
              Delete
            </button>
          }
        >
          <button
            type="button"
            class="btn btn-danger"
            data-testid="rule-delete-confirm"
            disabled={busy()}
            onClick={() => void props.store.remove(props.rule.id)}
          >
            Delete {props.rule.id}
          </button>
          <button type="button" class="btn btn-ghost" onClick={() => setConfirming(false)}>
            Keep
          </button>
        </Show>
      </td>
    </tr>
  );
}

export function RulesPage(props: RulesPageProps): JSX.Element {
  const store = props.rules;
  const [editor, setEditor] = createSignal<RuleEditor | null>(null);
  const open = (initial?: Rule): void => {
    editor()?.dispose();
    setEditor(props.newEditor(initial));
  };
  const closeEditor = (): void => {
    editor()?.dispose();
    setEditor(null);
  };
  onMount(() => void store.load());
  onCleanup(() => editor()?.dispose());

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
                <th scope="col" class="num">
                  Hits 1 h
                </th>
                <th scope="col" class="num">
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
                        <button
                          type="button"
                          class="btn"
                          data-testid="rule-version-restore"
                          disabled={store.pending() !== null}
                          onClick={() => void store.restore(v.version)}
                        >
                          Restore
                        </button>
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
