/**
 * The workspace's keyboard shortcuts: one table that the key handler, the buttons' titles and the
 * "?" overlay all read, so what the UI says is what the keys do.
 */
export type ShortcutAction =
  | 'search'
  | 'next-case'
  | 'prev-case'
  | 'take-next'
  | 'fraud'
  | 'legitimate'
  | 'assign'
  | 'comment'
  | 'help';

export interface Shortcut {
  readonly key: string;
  readonly action: ShortcutAction;
  readonly does: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { key: '/', action: 'search', does: 'Search a transaction, card or terminal' },
  { key: 'j', action: 'next-case', does: 'Open the next case in the queue' },
  { key: 'k', action: 'prev-case', does: 'Open the previous case in the queue' },
  { key: 'n', action: 'take-next', does: 'Take the next case (assigns it to you)' },
  { key: 'f', action: 'fraud', does: 'Resolve the open case as fraud' },
  { key: 'l', action: 'legitimate', does: 'Resolve the open case as legitimate (false positive)' },
  { key: 'a', action: 'assign', does: 'Assign the open case to me' },
  { key: 'c', action: 'comment', does: 'Comment on the open case' },
  { key: '?', action: 'help', does: 'Show these shortcuts' },
];

const BY_KEY = new Map(SHORTCUTS.map((s) => [s.key, s.action]));
const KEY_OF = new Map(SHORTCUTS.map((s) => [s.action, s.key]));

/** A button's title with its key: `Resolve as fraud (f)`. */
export function withKey(title: string, action: ShortcutAction): string {
  return `${title} (${KEY_OF.get(action) ?? '?'})`;
}

/** The part of a key event a shortcut depends on (a KeyboardEvent has it). */
export interface KeyLike {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
  readonly target: EventTarget | null;
}

/** Whether keys typed at `target` are text (inputs, text areas, selects, editable content). */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as { tagName?: unknown; isContentEditable?: unknown } | null;
  if (!el || typeof el.tagName !== 'string') return false;
  const tag = el.tagName.toUpperCase();
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable === true;
}

/** The action a key press asks for; null while typing, with a modifier, or for any other key. */
export function shortcutFor(e: KeyLike): ShortcutAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return null;
  return BY_KEY.get(e.key) ?? null;
}
