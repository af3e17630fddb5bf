/**
 * Feature rows when the feature store is out of reach, and the one check that needs no store: an
 * id repeated inside the batch with another payload.
 */
import {
  N_FEATURES,
  newCustomerState,
  newTerminalState,
  samePayload,
  stepInPlace,
  type CustomerState,
  type StoreTransaction,
  type TerminalState,
} from '@vigil/core';
import type { ItemPlan } from './item-plan.js';

/**
 * Features when the store is unavailable: every customer and terminal starts from core's empty
 * state ("nothing known"), the same features a first-ever transaction gets, which is the
 * least-surprising input for the trees (they were trained on such rows) and biases no decision
 * towards decline. Inside one batch the fallback states are folded in order, so later items
 * still see earlier ones. In-batch duplicates of an id (with the same payload: the caller
 * refuses others first) are answered as replays of the first. Reuse of an id scored by an
 * earlier request cannot be seen here: the store holds those records. Returns the rows written.
 */
export function fallbackFeatures(txs: StoreTransaction[], x: Float32Array, plan: ItemPlan): number {
  const customers = new Map<string, CustomerState>();
  const terminals = new Map<string, TerminalState>();
  const first = new Map<string, number>();
  let rows = 0;
  for (let i = 0; i < txs.length; i++) {
    const tx = txs[i]!;
    const j = first.get(tx.transactionId);
    if (j !== undefined) {
      plan.duplicate(i, j);
      continue;
    }
    first.set(tx.transactionId, i);
    let c = customers.get(tx.customerId);
    if (!c) customers.set(tx.customerId, (c = newCustomerState()));
    let t = terminals.get(tx.terminalId);
    if (!t) terminals.set(tx.terminalId, (t = newTerminalState()));
    stepInPlace(c, t, tx, x, rows * N_FEATURES);
    plan.score(i, rows++);
  }
  return rows;
}

/** Indexes of the items that repeat an earlier item's id with another payload. */
export function inBatchConflicts(txs: readonly StoreTransaction[]): number[] {
  const first = new Map<string, StoreTransaction>();
  const out: number[] = [];
  for (let i = 0; i < txs.length; i++) {
    const tx = txs[i]!;
    const f = first.get(tx.transactionId);
    if (!f) first.set(tx.transactionId, tx);
    else if (!samePayload(f, tx)) out.push(i);
  }
  return out;
}
