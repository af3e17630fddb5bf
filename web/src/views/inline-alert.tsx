/** A failure sentence in place (role="alert"), shown while there is one. */
import { Show, type JSX } from 'solid-js';

export function InlineAlert(props: { message: string | null; testid: string }): JSX.Element {
  return (
    <Show when={props.message}>
      {(m) => (
        <p class="inline-error" role="alert" data-testid={props.testid}>
          {m()}
        </p>
      )}
    </Show>
  );
}
