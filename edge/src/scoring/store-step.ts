/**
 * The feature store's step for one scoring call, within its deadline. Never throws: a store that
 * errors, answers nonsense or misses the deadline is an outcome, and the call answers degraded.
 */
import {
  featureDeadlineMs,
  type FeatureStore,
  type StepOptions,
  type StepOutcome,
  type StoreTransaction,
} from '@vigil/core';

export type Stepped =
  | { readonly ok: true; readonly outcomes: StepOutcome[] }
  | {
      readonly ok: false;
      readonly cause: 'store_timeout' | 'store_error';
      readonly error: unknown;
      /** A step still running past its deadline. */
      readonly late: Promise<StepOutcome[]> | null;
    };

const TIMED_OUT = Symbol('timed out');

/** `store.step(txs, options)` within core's deadline for a batch of this size. */
export async function stepWithin(
  store: FeatureStore,
  txs: StoreTransaction[],
  featureTimeoutMs: number,
  options?: StepOptions,
): Promise<Stepped> {
  let step: Promise<StepOutcome[]>;
  try {
    step = store.step(txs, options);
  } catch (error) {
    return { ok: false, cause: 'store_error', error, late: null };
  }
  // Scaled with the batch: a flat limit would degrade every large batch on Redis, whose
  // script works ~0.1 ms a transaction (issue 13).
  const limitMs = featureDeadlineMs(featureTimeoutMs, txs.length);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), limitMs);
  });
  try {
    const r = await Promise.race([step, deadline]);
    if (r === TIMED_OUT) {
      const error = new Error(`feature store: no answer within ${limitMs} ms`);
      return { ok: false, cause: 'store_timeout', error, late: step };
    }
    if (!Array.isArray(r) || r.length !== txs.length) {
      const error = new Error(`feature store: ${String(r?.length)} outcomes for ${txs.length}`);
      return { ok: false, cause: 'store_error', error, late: null };
    }
    return { ok: true, outcomes: r };
  } catch (error) {
    return { ok: false, cause: 'store_error', error, late: null };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
