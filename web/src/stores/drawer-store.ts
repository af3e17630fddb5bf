/**
 * The transaction drawer: which transaction is open and its detail from the API. Opening another
 * cancels the request in flight, so a late answer never replaces a newer one.
 */
import { createSignal, type Accessor } from 'solid-js';
import type { Case, TransactionDetail } from '@vigil/core';
import type { ApiClient } from '../api/client.js';
import { ApiError, errorMessage } from '../api/api-error.js';

export interface DrawerStoreOptions {
  readonly client: Pick<ApiClient, 'getTransaction'>;
}

export interface DrawerStore {
  /** The open transaction's id; null when closed. */
  readonly openId: Accessor<string | null>;
  readonly detail: Accessor<TransactionDetail | null>;
  readonly loading: Accessor<boolean>;
  readonly error: Accessor<string | null>;
  open(id: string): Promise<void>;
  retry(): Promise<void>;
  /** Puts the server's newer copy of the open transaction's case in the detail. */
  replaceCase(c: Case): void;
  close(): void;
}

export function createDrawerStore(opts: DrawerStoreOptions): DrawerStore {
  const [openId, setOpenId] = createSignal<string | null>(null);
  const [detail, setDetail] = createSignal<TransactionDetail | null>(null);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  let controller: AbortController | null = null;

  async function load(id: string): Promise<void> {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    setOpenId(id);
    setDetail(null);
    setError(null);
    setLoading(true);
    try {
      const d = await opts.client.getTransaction(id, mine.signal);
      if (controller !== mine) return;
      setDetail(d);
    } catch (err) {
      if (controller !== mine) return;
      if (err instanceof ApiError && err.code === 'aborted') return;
      setError(
        err instanceof ApiError && err.status === 404
          ? 'Not stored yet: a decision reaches the database within a second or two. Try again.'
          : errorMessage(err),
      );
    } finally {
      if (controller === mine) {
        setLoading(false);
        controller = null;
      }
    }
  }

  return {
    openId,
    detail,
    loading,
    error,
    async open(id) {
      if (openId() === id && (detail() || loading())) return;
      await load(id);
    },
    async retry() {
      const id = openId();
      if (id) await load(id);
    },
    replaceCase(c) {
      const d = detail();
      if (!d || d.transaction_id !== c.transaction_id) return;
      if (d.case && d.case.version > c.version) return; // never go back to an older version
      setDetail({ ...d, case: c });
    },
    close() {
      controller?.abort();
      controller = null;
      setOpenId(null);
      setDetail(null);
      setError(null);
      setLoading(false);
    },
  };
}
