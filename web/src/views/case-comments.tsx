/** A case's comments and the box to add one: the queue's row and the drawer show the same. */
import { For, Show, type JSX } from 'solid-js';
import type { CaseComment } from '@vigil/core';
import { formatDateTime } from '../format/format.js';

export function CaseComments(props: {
  comments: readonly CaseComment[];
  /** Shown when there are none; nothing when absent. */
  empty?: string;
  inputId: string;
  /** `case` or `drawer`: the test ids are `<prefix>-comment-input` / `-submit`. */
  testPrefix: string;
  label: JSX.Element;
  draft: string;
  onDraft: (text: string) => void;
  busy: boolean;
  onSubmit: () => void;
}): JSX.Element {
  return (
    <>
      <Show
        when={props.comments.length > 0}
        fallback={props.empty ? <p class="muted">{props.empty}</p> : null}
      >
        <ul class="comment-list">
          <For each={props.comments}>
            {(cm) => (
              <li>
                <span class="comment-author">{cm.author}</span>{' '}
                <span class="muted">{formatDateTime(cm.created_at)}</span>
                <p>{cm.body}</p>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <form
        class="comment-form"
        onSubmit={(e) => {
          e.preventDefault();
          props.onSubmit();
        }}
      >
        <label for={props.inputId}>{props.label}</label>
        <textarea
          id={props.inputId}
          rows={2}
          data-testid={`${props.testPrefix}-comment-input`}
          value={props.draft}
          onInput={(e) => props.onDraft(e.currentTarget.value)}
        />
        <button
          type="submit"
          class="btn"
          data-testid={`${props.testPrefix}-comment-submit`}
          disabled={props.busy || !props.draft.trim()}
        >
          Add comment
        </button>
      </form>
    </>
  );
}
