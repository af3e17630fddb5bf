import { describe, expect, it } from 'vitest';
import { SHORTCUTS, shortcutFor, withKey } from './shortcuts.js';

const key = (k: string, over: Partial<Parameters<typeof shortcutFor>[0]> = {}) =>
  shortcutFor({ key: k, ctrlKey: false, metaKey: false, altKey: false, target: null, ...over });

describe('shortcuts', () => {
  it('maps the keys to their actions', () => {
    expect(key('j')).toBe('next-case');
    expect(key('k')).toBe('prev-case');
    expect(key('f')).toBe('fraud');
    expect(key('l')).toBe('legitimate');
    expect(key('/')).toBe('search');
    expect(key('?')).toBe('help');
    expect(key('x')).toBeNull();
  });

  it('does not fire while typing or with a modifier', () => {
    expect(key('f', { target: { tagName: 'INPUT' } as unknown as EventTarget })).toBeNull();
    expect(key('f', { target: { tagName: 'textarea' } as unknown as EventTarget })).toBeNull();
    expect(key('f', { target: { tagName: 'SELECT' } as unknown as EventTarget })).toBeNull();
    expect(
      key('f', { target: { tagName: 'DIV', isContentEditable: true } as unknown as EventTarget }),
    ).toBeNull();
    expect(key('f', { target: { tagName: 'BUTTON' } as unknown as EventTarget })).toBe('fraud');
    expect(key('f', { ctrlKey: true })).toBeNull();
    expect(key('l', { metaKey: true })).toBeNull();
  });

  it('names the key in titles, one key per action', () => {
    expect(withKey('Resolve as fraud', 'fraud')).toBe('Resolve as fraud (f)');
    expect(new Set(SHORTCUTS.map((s) => s.key)).size).toBe(SHORTCUTS.length);
    expect(new Set(SHORTCUTS.map((s) => s.action)).size).toBe(SHORTCUTS.length);
  });
});
