/**
 * The form of one rule: id, name, description, action and the CEL expression, which is
 * checked as it is typed and offers the names it can use (the word before the caret completes from
 * the list below it; Tab or a click takes the first or the chosen one).
 */
import {
  createEffect,
  createMemo,
  createSignal,
  For,
  on,
  Show,
  untrack,
  type Accessor,
  type JSX,
} from 'solid-js';
import { RULE_ACTIONS, type ListRef, type RuleAction, type RuleMode } from '@vigil/core';
import type { BacktestStore } from '../stores/backtest-store.js';
import { verdictMessage, type RuleEditor } from '../stores/rule-editor-store.js';
import type { Theme } from '../stores/theme-store.js';
import { RuleBacktest } from './rule-backtest.js';
import { EnumSelect } from './enum-select.js';
import { complete, completionsAt, ruleNames } from './rule-names.js';
import { InlineAlert } from './inline-alert.js';

export interface RuleEditorFormProps {
  readonly editor: RuleEditor;
  readonly lists: readonly ListRef[];
  /** Whether the expression is checked in the browser (else on save, by the server). */
  readonly checksLive: boolean;
  readonly onSaved: (version: number) => void;
  readonly onCancel: () => void;
  /** The backtest that follows the draft as it is typed; absent, none is shown. */
  readonly backtest?: BacktestStore;
  readonly theme?: Accessor<Theme>;
  /** Opens a backtest example in the transaction drawer. */
  readonly onOpenTransaction?: (id: string) => void;
}

function FieldError(props: { editor: RuleEditor; path: string }): JSX.Element {
  return (
    <Show when={props.editor.fieldErrors()[props.path]}>
      {(m) => (
        <p class="inline-error" data-testid={`rule-error-${props.path.slice(1)}`}>
          {m()}
        </p>
      )}
    </Show>
  );
}

/** One of the rule's text fields, its label tied to it (`for`), its error under it. */
function TextField(props: {
  editor: RuleEditor;
  field: 'id' | 'name' | 'description';
  label: string;
  mono?: boolean;
  disabled?: boolean;
  placeholder?: string;
}): JSX.Element {
  const id = `rule-${props.field}`;
  return (
    <div>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        class={props.mono ? 'mono' : undefined}
        data-testid={id}
        value={props.editor.draft()[props.field]}
        disabled={props.disabled}
        placeholder={props.placeholder}
        onInput={(ev) => props.editor.set(props.field, ev.currentTarget.value)}
      />
      <FieldError editor={props.editor} path={`/${props.field}`} />
    </div>
  );
}

/** What an active rule of each action does to a payment it matches. */
export const ACTION_EFFECT: Record<RuleAction, string> = {
  allow: 'approve',
  review: 'send to review',
  block: 'decline',
};

export function RuleEditorForm(props: RuleEditorFormProps): JSX.Element {
  const e = props.editor;
  const [caret, setCaret] = createSignal(0);
  const names = createMemo(() => ruleNames(props.lists));
  const suggestions = createMemo(() => completionsAt(names(), e.draft().expression, caret()));
  let area: HTMLTextAreaElement | undefined;
  const [askingActive, setAskingActive] = createSignal(false);
  /**
   * What Save leaves the rule as: shadow, or disabled for a disabled rule being edited (a fix to a
   * rule switched off must not switch it back on). Active is the other button's, asked first.
   */
  const opened = untrack(() => e.draft().mode);
  const keptMode = (): 'shadow' | 'disabled' => (opened === 'disabled' ? 'disabled' : 'shadow');

  // The backtest follows what the rule would do: its expression and action (debounced there).
  // Memos, so typing the name or the description does not restart it.
  const expression = createMemo(() => e.draft().expression);
  const action = createMemo(() => e.draft().action);
  createEffect(
    on([expression, action], ([expr, act]) =>
      props.backtest?.setRule({
        expression: expr,
        action: act,
        ...(e.isNew ? {} : { ruleId: e.draft().id }),
      }),
    ),
  );

  const publish = (mode?: RuleMode): void => {
    setAskingActive(false);
    void e.save(mode).then((v) => {
      if (v !== null) props.onSaved(v);
    });
  };

  const take = (name: string): void => {
    const next = complete(e.draft().expression, caret(), name);
    e.set('expression', next.text);
    setCaret(next.caret);
    queueMicrotask(() => {
      area?.focus();
      area?.setSelectionRange(next.caret, next.caret);
    });
  };

  const status = (): { state: string; text: string } => {
    const err = e.fieldErrors()['/expression'] ?? props.backtest?.expressionError();
    if (err) return { state: 'invalid', text: err };
    const v = e.verdict();
    if (v && !v.ok) return { state: 'invalid', text: verdictMessage(v) };
    if (v?.ok) return { state: 'valid', text: 'The expression checks: it is a bool.' };
    if (!props.checksLive) return { state: 'unchecked', text: 'Checked by the server on save.' };
    return { state: 'checking', text: e.draft().expression ? 'Checking…' : '' };
  };

  return (
    <form
      class="panel rule-editor"
      data-testid="rule-editor"
      onSubmit={(ev) => {
        ev.preventDefault();
        publish(keptMode());
      }}
    >
      <h3>{e.isNew ? 'New rule' : `Edit ${e.draft().id}`}</h3>
      <div class="rule-editor-grid">
        <TextField
          editor={e}
          field="id"
          label="Id"
          mono
          disabled={!e.isNew}
          placeholder="e.g. big_amount_new_card"
        />
        <TextField editor={e} field="name" label="Name" />
        <div>
          <label for="rule-action">Action</label>
          <EnumSelect
            id="rule-action"
            testid="rule-action"
            values={RULE_ACTIONS}
            value={e.draft().action}
            onChange={(v) => e.set('action', v)}
          />
        </div>
      </div>
      <TextField editor={e} field="description" label="Description" />
      <label for="rule-expression">Expression (CEL)</label>
      <textarea
        id="rule-expression"
        ref={area}
        class="mono rule-expression"
        data-testid="rule-expression"
        rows={4}
        spellcheck={false}
        value={e.draft().expression}
        aria-describedby="rule-expression-status"
        aria-invalid={status().state === 'invalid'}
        onInput={(ev) => {
          setCaret(ev.currentTarget.selectionStart);
          e.set('expression', ev.currentTarget.value);
        }}
        onKeyUp={(ev) => setCaret(ev.currentTarget.selectionStart)}
        onClick={(ev) => setCaret(ev.currentTarget.selectionStart)}
        onKeyDown={(ev) => {
          const first = suggestions()[0];
          if (ev.key === 'Tab' && !ev.shiftKey && first) {
            ev.preventDefault();
            take(first.name);
          }
        }}
      />
      <p
        id="rule-expression-status"
        class={`expression-status expression-${status().state}`}
        data-testid="rule-expression-status"
        data-state={status().state}
        role="status"
      >
        {status().text}
      </p>
      <Show when={suggestions().length > 0}>
        <ul class="completions" data-testid="rule-completions" aria-label="Names you can use">
          <For each={suggestions()}>
            {(n) => (
              <li>
                <button type="button" class="btn-link mono" onClick={() => take(n.name)}>
                  {n.name}
                </button>{' '}
                <span class="muted">{n.detail}</span>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <details class="rule-names">
        <summary>Names an expression can use</summary>
        <ul class="completions">
          <For each={names()}>
            {(n) => (
              <li>
                <code>{n.name}</code> <span class="muted">{n.detail}</span>
              </li>
            )}
          </For>
        </ul>
      </details>
      <Show when={props.backtest}>
        {(b) => (
          <RuleBacktest
            backtest={b()}
            theme={props.theme ?? (() => 'dark')}
            onOpenTransaction={(id) => props.onOpenTransaction?.(id)}
          />
        )}
      </Show>
      <InlineAlert message={e.error()} testid="rule-save-error" />
      {/* Two outcomes, two buttons: saved as shadow (recorded, never acted on) or published active
          (decides payments). Publish active asks first, in place of the buttons, not beside them. */}
      <Show
        when={askingActive()}
        fallback={
          <div class="row">
            <button
              type="submit"
              class="btn btn-primary"
              data-testid="rule-save"
              disabled={e.saving()}
              title={
                keptMode() === 'disabled'
                  ? 'Saved and left disabled: it matches nothing until its mode changes'
                  : 'Recorded on every payment it matches, never acted on'
              }
            >
              Save as {keptMode()}
            </button>
            <button
              type="button"
              class="btn"
              data-testid="rule-publish-active"
              disabled={e.saving()}
              onClick={() => setAskingActive(true)}
            >
              Publish active…
            </button>
            <button
              type="button"
              class="btn"
              data-testid="rule-cancel"
              onClick={() => props.onCancel()}
            >
              Cancel
            </button>
          </div>
        }
      >
        <div class="rule-confirm" role="group" aria-label="Confirm publishing active">
          <p class="warning" data-testid="rule-publish-active-warning">
            Active, this rule will {ACTION_EFFECT[e.draft().action]} every payment it matches, on
            every edge within 5 s.
          </p>
          <div class="row">
            <button
              type="button"
              class="btn btn-primary"
              data-testid="rule-publish-active-confirm"
              disabled={e.saving()}
              onClick={() => publish('active')}
            >
              Publish active
            </button>
            <button
              type="button"
              class="btn btn-ghost"
              data-testid="rule-publish-active-keep"
              onClick={() => setAskingActive(false)}
            >
              Keep editing
            </button>
          </div>
        </div>
      </Show>
    </form>
  );
}
