/**
 * Deciding from the drawer, where the evidence is: resolve the open transaction's case as fraud or
 * legitimate, take it, comment. Each answer updates the drawer's case and the queue's row at once
 * (the live `case` event follows for the other analysts).
 */
import { createSignal, type Accessor } from 'solid-js';
import type { Case, CaseResolution } from '@vigil/core';
import type { ApiClient } from '../api/client.js';
import { ApiError, errorMessage } from '../api/api-error.js';

export interface DrawerCaseStoreOptions {
  readonly client: Pick<ApiClient, 'assignCase' | 'commentCase' | 'resolveCase'>;
  /** The signed-in analyst; null when unknown. */
  readonly me: Accessor<string | null>;
  /** The case of the transaction open in the drawer; null without one. */
  readonly current: Accessor<Case | null>;
  /** The case as the server now has it. */
  readonly changed: (c: Case) => void;
  /** The server did not say the new case: read the transaction again. */
  readonly refresh: () => Promise<void>;
}

export interface DrawerCaseStore {
  readonly pending: Accessor<boolean>;
  readonly error: Accessor<string | null>;
  /** Whether the open transaction has a case still to decide. */
  readonly actionable: Accessor<boolean>;
  resolve(resolution: CaseResolution, comment?: string): Promise<boolean>;
  assignToMe(): Promise<boolean>;
  comment(body: string): Promise<boolean>;
  reset(): void;
}

export function createDrawerCaseStore(opts: DrawerCaseStoreOptions): DrawerCaseStore {
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const actionable = (): boolean => {
    const c = opts.current();
    return c !== null && c.status !== 'resolved';
  };

  async function run(send: (c: Case) => Promise<Case | null>): Promise<boolean> {
    const c = opts.current();
    if (!c || pending()) return false;
    setPending(true);
    setError(null);
    try {
      const answer = await send(c);
      if (answer) opts.changed(answer);
      else await opts.refresh();
      return true;
    } catch (err) {
      const stale = err instanceof ApiError && err.status === 409;
      setError(
        stale
          ? `${errorMessage(err)} — someone else changed this case; it was read again.`
          : errorMessage(err),
      );
      if (stale) await opts.refresh();
      return false;
    } finally {
      setPending(false);
    }
  }

  return {
    pending,
    error,
    actionable,
    resolve(resolution, comment) {
      if (!actionable()) return Promise.resolve(false);
      const text = comment?.trim() || undefined;
      return run((c) => opts.client.resolveCase(c.case_id, resolution, c.version, text));
    },
    assignToMe() {
      const me = opts.me();
      if (!me) {
        setError('Signed in without a name: cannot assign.');
        return Promise.resolve(false);
      }
      if (!actionable() || opts.current()?.assignee === me) return Promise.resolve(false);
      return run((c) => opts.client.assignCase(c.case_id, me, c.version));
    },
    comment(body) {
      const text = body.trim();
      if (!text) return Promise.resolve(false);
      return run((c) => opts.client.commentCase(c.case_id, text));
    },
    reset() {
      setPending(false);
      setError(null);
    },
  };
}
