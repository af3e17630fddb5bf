/**
 * Asks the analyst's name after a sign-in with the `npm start` link (which cannot carry one), so
 * assignments and comments say who worked the case instead of "analyst".
 */
import { createSignal, Show, type JSX } from 'solid-js';
import type { SessionStore } from '../stores/session-store.js';

export function NamePrompt(props: { session: SessionStore }): JSX.Element {
  const [name, setName] = createSignal('');
  return (
    <Show when={props.session.needsName()}>
      <form
        class="name-prompt"
        data-testid="name-prompt"
        onSubmit={(e) => {
          e.preventDefault();
          void props.session.rename(name());
        }}
      >
        <label for="name-prompt-input">
          You signed in with the link, as “{props.session.subject() ?? 'analyst'}”. Your name, for
          the cases you work:
        </label>
        <input
          id="name-prompt-input"
          type="text"
          autocomplete="name"
          data-testid="name-prompt-input"
          value={name()}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button
          type="submit"
          class="btn btn-primary"
          data-testid="name-prompt-save"
          disabled={props.session.busy() || !name().trim()}
        >
          Save
        </button>
        <Show when={props.session.error()}>
          {(e) => (
            <span class="inline-error" role="alert">
              {e()}
            </span>
          )}
        </Show>
      </form>
    </Show>
  );
}
