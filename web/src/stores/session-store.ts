/**
 * Who is signed in. At start: a one-time token in the URL (`/?token=…`, printed by `npm start`) is
 * exchanged for the session cookie and stripped from the address bar; otherwise the existing
 * session is asked for, and the sign-in form shows when there is none.
 */
import { createSignal, type Accessor } from 'solid-js';
import { UNNAMED_SUBJECT, type SessionInfo } from '@vigil/core';
import type { ApiClient } from '../api/client.js';
import { ApiError, errorMessage } from '../api/api-error.js';

export type SessionStatus = 'checking' | 'signed-out' | 'signed-in';

export interface SessionStoreOptions {
  readonly client: Pick<ApiClient, 'getSession' | 'signIn' | 'signOut' | 'renameSession'>;
  /** The page's address (location.href). */
  readonly href: () => string;
  /** Rewrites the address without navigating (history.replaceState). */
  readonly replaceUrl: (url: string) => void;
}

export interface SessionStore {
  readonly status: Accessor<SessionStatus>;
  readonly info: Accessor<SessionInfo | null>;
  /** The analyst's name, for assignments and comments. */
  readonly subject: Accessor<string | null>;
  readonly error: Accessor<string | null>;
  readonly busy: Accessor<boolean>;
  init(): Promise<void>;
  /** Signs in with a pasted API key (or token); `name` is who the analyst is. */
  signIn(key: string, name?: string): Promise<boolean>;
  signOut(): Promise<void>;
  /**
   * True while the session has the unnamed subject (core's UNNAMED_SUBJECT): the link `npm start`
   * prints cannot carry a name, so the analyst is asked for one (`rename`).
   */
  readonly needsName: Accessor<boolean>;
  /** Names the session; false (with `error`) when refused. */
  rename(name: string): Promise<boolean>;
  /** The server said 401 on a call: the session is over. */
  expired(): void;
}

/** The URL without its `token` parameter, and the token (null when absent). */
export function takeTokenFromUrl(href: string): { token: string | null; cleanUrl: string } {
  const url = new URL(href);
  const token = url.searchParams.get('token');
  if (token === null) return { token: null, cleanUrl: href };
  url.searchParams.delete('token');
  return { token: token || null, cleanUrl: url.pathname + url.search + url.hash };
}

export function createSessionStore(opts: SessionStoreOptions): SessionStore {
  const [status, setStatus] = createSignal<SessionStatus>('checking');
  const [info, setInfo] = createSignal<SessionInfo | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  async function check(): Promise<void> {
    try {
      const s = await opts.client.getSession();
      setInfo(s);
      setStatus(s.authenticated ? 'signed-in' : 'signed-out');
    } catch (err) {
      setInfo(null);
      setStatus('signed-out');
      if (!(err instanceof ApiError && err.status === 401)) {
        setError(`Could not check the session: ${errorMessage(err)}`);
      }
    }
  }

  return {
    status,
    info,
    subject: () => info()?.subject ?? null,
    error,
    busy,
    async init() {
      const { token, cleanUrl } = takeTokenFromUrl(opts.href());
      if (token !== null || cleanUrl !== opts.href()) opts.replaceUrl(cleanUrl);
      if (token) {
        try {
          await opts.client.signIn(token);
        } catch (err) {
          setError(
            err instanceof ApiError && (err.status === 401 || err.status === 403)
              ? 'This sign-in link was already used or has expired. Paste an API key instead.'
              : `Sign-in failed: ${errorMessage(err)}`,
          );
        }
      }
      await check();
    },
    async signIn(key, name) {
      const token = key.trim();
      if (!token) {
        setError('Paste an API key to sign in.');
        return false;
      }
      setBusy(true);
      setError(null);
      try {
        await opts.client.signIn(token, name?.trim() || undefined);
        await check();
        return status() === 'signed-in';
      } catch (err) {
        setError(
          err instanceof ApiError && err.status === 401
            ? 'That key was not accepted.'
            : `Sign-in failed: ${errorMessage(err)}`,
        );
        return false;
      } finally {
        setBusy(false);
      }
    },
    // Asked of the session itself, so a reload before naming asks again.
    needsName: () => {
      const s = info();
      return s?.authenticated === true && s.via === 'session' && s.subject === UNNAMED_SUBJECT;
    },
    async rename(name) {
      const text = name.trim();
      if (!text) {
        setError('Type your name.');
        return false;
      }
      setBusy(true);
      setError(null);
      try {
        setInfo(await opts.client.renameSession(text));
        return true;
      } catch (err) {
        setError(`Could not set the name: ${errorMessage(err)}`);
        return false;
      } finally {
        setBusy(false);
      }
    },
    async signOut() {
      setBusy(true);
      try {
        await opts.client.signOut();
      } catch {
        // Signed out locally either way; the cookie expires on its own.
      } finally {
        setBusy(false);
        setInfo(null);
        setError(null);
        setStatus('signed-out');
      }
    },
    expired() {
      if (status() !== 'signed-in') return;
      setInfo(null);
      setStatus('signed-out');
      setError('The session ended. Sign in again.');
    },
  };
}
