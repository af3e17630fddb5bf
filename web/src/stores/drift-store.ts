/**
 * The drift tile's data: GET /api/drift, polled while the tile is shown (the job runs hourly, so
 * a minute's staleness is nothing).
 */
import { createSignal, type Accessor } from 'solid-js';
import type { DriftAnswer } from '@vigil/core';
import type { ApiClient } from '../api/client.js';
import { errorMessage } from '../api/api-error.js';
import { createPoller } from './poller.js';

export const DRIFT_REFRESH_MS = 60_000;

export interface DriftStoreOptions {
  readonly client: Pick<ApiClient, 'getDrift'>;
  readonly setTimeout?: (fn: () => void, ms: number) => unknown;
  readonly clearTimeout?: (h: unknown) => void;
}

export interface DriftStore {
  readonly drift: Accessor<DriftAnswer | null>;
  readonly error: Accessor<string | null>;
  load(): Promise<void>;
  /** Loads now and every DRIFT_REFRESH_MS; returns the function that stops it. */
  watch(): () => void;
  reset(): void;
}

export function createDriftStore(opts: DriftStoreOptions): DriftStore {
  const [drift, setDrift] = createSignal<DriftAnswer | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  async function load(): Promise<void> {
    try {
      setDrift(await opts.client.getDrift());
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }
  const poller = createPoller({
    intervalMs: DRIFT_REFRESH_MS,
    tick: load,
    ...(opts.setTimeout ? { setTimeout: opts.setTimeout } : {}),
    ...(opts.clearTimeout ? { clearTimeout: opts.clearTimeout } : {}),
  });
  return {
    drift,
    error,
    load,
    watch() {
      poller.start();
      return () => poller.stop();
    },
    reset() {
      poller.stop();
      setDrift(null);
      setError(null);
    },
  };
}
