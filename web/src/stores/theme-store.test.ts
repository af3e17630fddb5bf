import { describe, expect, it } from 'vitest';
import {
  createThemeStore,
  initialTheme,
  THEME_STORAGE_KEY,
  type KeyValueStorage,
} from './theme-store.js';

function memoryStorage(
  init: Record<string, string> = {},
): KeyValueStorage & { data: Record<string, string> } {
  const data = { ...init };
  return {
    data,
    getItem: (k) => data[k] ?? null,
    setItem: (k, v) => {
      data[k] = v;
    },
  };
}

describe('theme', () => {
  it('defaults to dark, follows a light system preference, and a stored choice wins', () => {
    expect(initialTheme(memoryStorage(), () => false)).toBe('dark');
    expect(initialTheme(memoryStorage(), () => true)).toBe('light');
    expect(initialTheme(memoryStorage({ [THEME_STORAGE_KEY]: 'dark' }), () => true)).toBe('dark');
    expect(initialTheme(memoryStorage({ [THEME_STORAGE_KEY]: 'purple' }), () => false)).toBe(
      'dark',
    );
    expect(initialTheme(null, () => true)).toBe('light');
  });

  it('survives a storage that throws', () => {
    const throwing: KeyValueStorage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    const applied: string[] = [];
    const t = createThemeStore({
      storage: throwing,
      prefersLight: () => false,
      apply: (x) => applied.push(x),
    });
    t.toggle();
    expect(t.theme()).toBe('light');
    expect(applied).toEqual(['dark', 'light']);
  });

  it('applies and remembers a toggled choice', () => {
    const storage = memoryStorage();
    const applied: string[] = [];
    const t = createThemeStore({
      storage,
      prefersLight: () => false,
      apply: (x) => applied.push(x),
    });
    t.toggle();
    expect(storage.data[THEME_STORAGE_KEY]).toBe('light');
    t.toggle();
    expect(t.theme()).toBe('dark');
    expect(applied).toEqual(['dark', 'light', 'dark']);
  });
});
