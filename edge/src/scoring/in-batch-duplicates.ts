/**
 * A `pending` item whose id appeared earlier in the same batch is a duplicate, not a concurrent
 * request: it gets the earlier item's answer as a replay.
 */
import type { Transaction } from '@vigil/core';
import type { ItemPlan } from './item-plan.js';

/**
 * Plan each pending item that repeats an earlier, answered item of `txs` as its duplicate;
 * returns the items still pending (their first answer is being computed elsewhere).
 */
export function resolveDuplicates(
  txs: readonly Transaction[],
  pending: number[],
  plan: ItemPlan,
  answers: string[],
): number[] {
  if (pending.length === 0) return pending;
  const first = new Map<string, number>();
  for (let i = 0; i < txs.length; i++) {
    if (!first.has(txs[i]!.transaction_id)) first.set(txs[i]!.transaction_id, i);
  }
  const still: number[] = [];
  for (const i of pending) {
    const j = first.get(txs[i]!.transaction_id)!;
    if (j < i && answers[j] !== undefined) plan.duplicate(i, j);
    else still.push(i);
  }
  return still;
}
