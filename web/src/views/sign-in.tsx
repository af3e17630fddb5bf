/** The sign-in form: paste an API key (the link `npm start` prints signs in by itself). */
import { createSignal, Show, type JSX } from 'solid-js';
import type { SessionStore } from '../stores/session-store.js';

export function SignIn(props: { session: SessionStore }): JSX.Element {
  const [key, setKey] = createSignal('');
  const [name, setName] = createSignal('');
  let keyInput!: HTMLInputElement;

  async function submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const ok = await props.session.signIn(key(), name());
    if (!ok) keyInput.focus();
  }

  return (
    <main class="sign-in" id="main">
      <form
        class="panel sign-in-form"
        data-testid="sign-in-form"
        aria-labelledby="sign-in-heading"
        onSubmit={(e) => void submit(e)}
      >
        <h1 id="sign-in-heading">Sign in to Vigil</h1>
        <p class="muted">
          Open the sign-in link that <code>npm start</code> printed, or paste an API key.
        </p>
        <label for="sign-in-key">API key</label>
        <input
          id="sign-in-key"
          ref={keyInput}
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          data-testid="sign-in-key"
          value={key()}
          onInput={(e) => setKey(e.currentTarget.value)}
          aria-describedby={props.session.error() ? 'sign-in-error' : undefined}
        />
        <label for="sign-in-name">Your name (shown on cases you work)</label>
        <input
          id="sign-in-name"
          type="text"
          autocomplete="name"
          data-testid="sign-in-name"
          value={name()}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <Show when={props.session.error()}>
          {(err) => (
            <p class="inline-error" id="sign-in-error" role="alert" data-testid="sign-in-error">
              {err()}
            </p>
          )}
        </Show>
        <button
          type="submit"
          class="btn btn-primary"
          data-testid="sign-in-submit"
          disabled={props.session.busy()}
        >
          {props.session.busy() ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
