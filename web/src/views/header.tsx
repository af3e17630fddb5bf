/**
 * The top bar: brand, the pages, live connection state, who is signed in, theme toggle, sign-out.
 */
import { For, Show, type Accessor, type JSX } from 'solid-js';
import type { ConnectionState } from '../api/live-socket.js';
import type { ThemeStore } from '../stores/theme-store.js';
import { PAGES, PAGE_TITLES, pageHref, type PageName } from './page-route.js';

export interface HeaderProps {
  readonly theme: ThemeStore;
  /** Present when signed in. */
  readonly connection?: { state: Accessor<ConnectionState>; attempts: Accessor<number> };
  readonly subject?: Accessor<string | null>;
  readonly onSignOut?: () => void;
  readonly signingOut?: Accessor<boolean>;
  /** The page shown; present when signed in. */
  readonly page?: Accessor<PageName>;
  /** The search box; present when signed in. */
  readonly search?: JSX.Element;
}

const STATE_TEXT: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

export function connectionText(state: ConnectionState, attempts: number): string {
  if (state === 'reconnecting' && attempts > 1) return `Reconnecting… (attempt ${attempts})`;
  return STATE_TEXT[state];
}

export function Header(props: HeaderProps): JSX.Element {
  return (
    <header class="app-header">
      <a class="skip-link" href="#live-feed">
        Skip to the live feed
      </a>
      <div class="brand">
        <span class="brand-mark" aria-hidden="true" />
        Vigil
      </div>
      <Show when={props.page}>
        {(page) => (
          <nav class="page-nav" aria-label="Pages">
            <For each={PAGES}>
              {(p) => (
                <a
                  href={pageHref(p)}
                  data-testid={`nav-${p}`}
                  aria-current={page()() === p ? 'page' : undefined}
                >
                  {PAGE_TITLES[p]}
                </a>
              )}
            </For>
          </nav>
        )}
      </Show>
      <Show when={props.connection}>
        {(c) => (
          <div
            class={`conn conn-${c().state()}`}
            role="status"
            aria-live="polite"
            data-testid="connection-state"
            data-state={c().state()}
          >
            <span class="conn-dot" aria-hidden="true" />
            <span>
              <span class="visually-hidden">Live feed: </span>
              {connectionText(c().state(), c().attempts())}
            </span>
          </div>
        )}
      </Show>
      <div class="spacer" />
      {props.search}
      <Show when={props.subject?.()}>
        {(s) => (
          <span class="subject" data-testid="session-subject">
            {s()}
          </span>
        )}
      </Show>
      <button
        type="button"
        class="btn btn-ghost"
        data-testid="theme-toggle"
        onClick={() => props.theme.toggle()}
        aria-label={`Switch to the ${props.theme.theme() === 'dark' ? 'light' : 'dark'} theme`}
      >
        {props.theme.theme() === 'dark' ? 'Light theme' : 'Dark theme'}
      </button>
      <Show when={props.onSignOut}>
        {(signOut) => (
          <button
            type="button"
            class="btn"
            data-testid="sign-out"
            disabled={props.signingOut?.()}
            onClick={() => signOut()()}
          >
            Sign out
          </button>
        )}
      </Show>
    </header>
  );
}
