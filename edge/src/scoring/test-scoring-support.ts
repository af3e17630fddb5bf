/**
 * Test support for the scoring service's tests (model holder, challenger thread): an observer
 * that fails the test on any error it is told of, and runs of payments with fresh ids.
 */
import type { Transaction } from '@vigil/core';
import type { ScoringObserver } from './scoring-service.js';

const rethrow = (e: unknown) => {
  throw e;
};

/** Counts nothing; any save, sink or challenger failure is thrown into the test. */
export const strictObserver: ScoringObserver = {
  decided: () => {},
  replayed: () => {},
  pending: () => {},
  conflicted: () => {},
  degraded: () => {},
  answerSaveFailed: rethrow,
  sinkFailed: rethrow,
  rulesFailed: () => {},
  challengerFailed: rethrow,
};

/** `n` payments with ids `${run}_i`, a minute apart, over 7 cards and 5 terminals. */
export function paymentRun(n: number, run: string): Transaction[] {
  return Array.from({ length: n }, (_, i) => ({
    transaction_id: `${run}_${i}`,
    timestamp: new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString(),
    customer_id: `c_${i % 7}`,
    terminal_id: `t_${i % 5}`,
    amount: 5 + ((i * 37) % 400),
  }));
}
