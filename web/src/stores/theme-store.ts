/**
 * Dark (the operations-room default) or light. The first visit follows the system's
 * prefers-color-scheme; a choice made with the toggle is remembered in localStorage.
 */
import { createSignal, type Accessor } from 'solid-js';

export type Theme = 'dark' | 'light';

export const THEME_STORAGE_KEY = 'vigil.theme';

/** The parts of localStorage the store uses. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface ThemeStoreOptions {
  readonly storage: KeyValueStorage | null;
  /** Whether the system prefers a light scheme. */
  readonly prefersLight: () => boolean;
  /** Puts the theme on the document (data-theme on <html>). */
  readonly apply: (theme: Theme) => void;
}

export interface ThemeStore {
  readonly theme: Accessor<Theme>;
  toggle(): void;
  set(theme: Theme): void;
}

/** The stored choice, else the system's preference, else dark. */
export function initialTheme(storage: KeyValueStorage | null, prefersLight: () => boolean): Theme {
  let stored: string | null = null;
  try {
    stored = storage?.getItem(THEME_STORAGE_KEY) ?? null;
  } catch {
    stored = null; // storage can throw (privacy modes)
  }
  if (stored === 'dark' || stored === 'light') return stored;
  return prefersLight() ? 'light' : 'dark';
}

export function createThemeStore(opts: ThemeStoreOptions): ThemeStore {
  const [theme, setTheme] = createSignal<Theme>(initialTheme(opts.storage, opts.prefersLight));
  opts.apply(theme());

  function set(t: Theme): void {
    // The document first: views that read its colours (the charts) rebuild on the signal.
    opts.apply(t);
    setTheme(t);
    try {
      opts.storage?.setItem(THEME_STORAGE_KEY, t);
    } catch {
      // Not remembered; the choice still holds for this page.
    }
  }

  return {
    theme,
    set,
    toggle: () => set(theme() === 'dark' ? 'light' : 'dark'),
  };
}
