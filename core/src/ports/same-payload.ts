import type { StoreTransaction } from './feature-store.port.js';

/**
 * Whether a repeated transaction id carries its first payload — the fields the features and the
 * score depend on (customer, terminal, event time, amount) — so that it replays rather than
 * conflicts (the FeatureStore port's `conflict`). Compared field by field, not hashed: four
 * comparisons, no allocation, no collision. The Redis stores' Lua script compares the same fields.
 */
export function samePayload(
  a: Omit<StoreTransaction, 'transactionId'>,
  b: Omit<StoreTransaction, 'transactionId'>,
): boolean {
  return (
    a.customerId === b.customerId &&
    a.terminalId === b.terminalId &&
    a.timeSec === b.timeSec &&
    a.amount === b.amount
  );
}
