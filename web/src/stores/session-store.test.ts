import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '@vigil/core';
import { ApiError } from '../api/api-error.js';
import { createSessionStore, takeTokenFromUrl } from './session-store.js';

const signedIn: SessionInfo = { authenticated: true, subject: 'ana', via: 'session' };
const anonymous: SessionInfo = { authenticated: false, subject: null, via: null };
const unauthorized = () => new ApiError('http', 401, null, 'Unauthorized');

function setup(opts: {
  href: string;
  signIn?: (t: string, n?: string) => Promise<void>;
  session?: () => Promise<SessionInfo>;
}) {
  const replaced: string[] = [];
  const signIns: [string, string | undefined][] = [];
  let loggedIn = false;
  const renames: string[] = [];
  const store = createSessionStore({
    client: {
      renameSession: (name) => {
        renames.push(name);
        return name === 'refuse me'
          ? Promise.reject(new ApiError('http', 400, null, 'name must be 1–64 printable ASCII'))
          : Promise.resolve({ authenticated: true, subject: name, via: 'session' });
      },
      getSession: opts.session ?? (() => Promise.resolve(loggedIn ? signedIn : anonymous)),
      signIn: async (t, n) => {
        signIns.push([t, n]);
        if (opts.signIn) await opts.signIn(t, n);
        loggedIn = true;
      },
      signOut: () => {
        loggedIn = false;
        return Promise.resolve();
      },
    },
    href: () => opts.href,
    replaceUrl: (u) => replaced.push(u),
  });
  return { store, replaced, signIns, renames };
}

describe('takeTokenFromUrl', () => {
  it('removes only the token, keeping other parameters and the hash', () => {
    expect(takeTokenFromUrl('http://h:8787/?token=abc&x=1#tx=t1')).toEqual({
      token: 'abc',
      cleanUrl: '/?x=1#tx=t1',
    });
    expect(takeTokenFromUrl('http://h/')).toEqual({ token: null, cleanUrl: 'http://h/' });
  });
});

describe('session store', () => {
  it('exchanges a URL token for a session and strips it from the address bar', async () => {
    const t = setup({ href: 'http://127.0.0.1:8787/?token=one-time' });
    expect(t.store.status()).toBe('checking');
    await t.store.init();
    expect(t.replaced).toEqual(['/']);
    expect(t.signIns).toEqual([['one-time', undefined]]);
    expect(t.store.status()).toBe('signed-in');
    expect(t.store.subject()).toBe('ana');
    expect(t.store.needsName()).toBe(false);
  });

  it('asks a name of a session the link signed in unnamed, and renames it', async () => {
    const t = setup({
      href: 'http://h/?token=one-time',
      session: () => Promise.resolve({ authenticated: true, subject: 'analyst', via: 'session' }),
    });
    await t.store.init();
    expect(t.store.needsName()).toBe(true);
    expect(await t.store.rename('refuse me')).toBe(false);
    expect(t.store.error()).toMatch(/^Could not set the name: name must be/);
    expect(t.store.needsName()).toBe(true);
    expect(await t.store.rename('  Ada ')).toBe(true);
    expect(t.renames).toEqual(['refuse me', 'Ada']);
    expect(t.store.subject()).toBe('Ada');
    expect(t.store.needsName()).toBe(false);
  });

  it('does not ask a name of a session signed in with a key and a name', async () => {
    const t = setup({ href: 'http://h/' });
    await t.store.init();
    expect(await t.store.signIn('key', 'ana')).toBe(true);
    expect(t.store.needsName()).toBe(false);
  });

  it('strips a used token even when it is refused, and offers the form', async () => {
    const t = setup({
      href: 'http://h/?token=used',
      signIn: () => Promise.reject(unauthorized()),
    });
    await t.store.init();
    expect(t.replaced).toEqual(['/']);
    expect(t.store.status()).toBe('signed-out');
    expect(t.store.error()).toMatch(/already used or has expired/);
  });

  it('without a token asks for the session; a 401 means signed out, silently', async () => {
    const t = setup({ href: 'http://h/', session: () => Promise.reject(unauthorized()) });
    await t.store.init();
    expect(t.replaced).toEqual([]);
    expect(t.store.status()).toBe('signed-out');
    expect(t.store.error()).toBeNull();
  });

  it('signs in with a pasted key and a name, and out again', async () => {
    const t = setup({ href: 'http://h/' });
    await t.store.init();
    expect(await t.store.signIn('  ', 'x')).toBe(false);
    expect(t.store.error()).toMatch(/Paste an API key/);
    expect(await t.store.signIn(' key-1 ', ' Ana ')).toBe(true);
    expect(t.signIns).toEqual([['key-1', 'Ana']]);
    expect(t.store.status()).toBe('signed-in');
    await t.store.signOut();
    expect(t.store.status()).toBe('signed-out');
  });

  it('ends the session when the API says 401 mid-way', async () => {
    const t = setup({ href: 'http://h/?token=ok' });
    await t.store.init();
    t.store.expired();
    expect(t.store.status()).toBe('signed-out');
    expect(t.store.error()).toMatch(/session ended/);
  });
});
