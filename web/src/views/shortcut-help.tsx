/** The "?" overlay: every keyboard shortcut, from the one table the keys obey. */
import { For, onCleanup, onMount, type JSX } from 'solid-js';
import { SHORTCUTS } from './shortcuts.js';

export function ShortcutHelp(props: { onClose: () => void }): JSX.Element {
  let closeButton: HTMLButtonElement | undefined;
  const onKey = (e: KeyboardEvent): void => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      props.onClose();
    }
  };
  onMount(() => {
    closeButton?.focus();
    document.addEventListener('keydown', onKey, true);
  });
  onCleanup(() => document.removeEventListener('keydown', onKey, true));

  return (
    <div class="help-overlay" role="dialog" aria-modal="true" aria-labelledby="help-title">
      <div class="panel help-panel" data-testid="shortcut-help">
        <div class="panel-head">
          <h2 id="help-title">Keyboard shortcuts</h2>
          <div class="spacer" />
          <button
            type="button"
            class="btn btn-ghost"
            ref={closeButton}
            onClick={() => props.onClose()}
          >
            Close <kbd>Esc</kbd>
          </button>
        </div>
        <p class="muted">Not while typing in a field.</p>
        <dl class="help-list">
          <For each={SHORTCUTS}>
            {(s) => (
              <div>
                <dt>
                  <kbd>{s.key}</kbd>
                </dt>
                <dd>{s.does}</dd>
              </div>
            )}
          </For>
        </dl>
      </div>
    </div>
  );
}
