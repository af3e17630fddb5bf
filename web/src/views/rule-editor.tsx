/**
 * The form of one rule: id, name, description, action, mode and the CEL expression, which is
 * checked as it is typed and offers the names it can use (the word before the caret completes from
 * the list below it; Tab or a click takes the first or the chosen one).
 */
import { createMemo, createSignal, For, Show, type JSX } from 'solid-js';
import { RULE_ACTIONS, RULE_MODES, type ListRef } from '@vigil/core';
import { verdictMessage, type RuleEditor } from '../stores/rule-editor-store.js';
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

export function RuleEditorForm(props: RuleEditorFormProps): JSX.Element {
  const e = props.editor;
  const [caret, setCaret] = createSignal(0);
  const names = createMemo(() => ruleNames(props.lists));
  const suggestions = createMemo(() => completionsAt(names(), e.draft().expression, caret()));
  let area: HTMLTextAreaElement | undefined;

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
    const err = e.fieldErrors()['/expression'];
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
        void e.save().then((v) => {
          if (v !== null) props.onSaved(v);
        });
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
        <div>
          <label for="rule-mode">Mode</label>
          <EnumSelect
            id="rule-mode"
            testid="rule-editor-mode"
            values={RULE_MODES}
            value={e.draft().mode}
            onChange={(v) => e.set('mode', v)}
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
      <InlineAlert message={e.error()} testid="rule-save-error" />
      <div class="row">
        <button type="submit" class="btn btn-primary" data-testid="rule-save" disabled={e.saving()}>
          {e.isNew ? 'Create rule' : 'Save rule'}
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
    </form>
  );
}
