import type { StoreLabel } from '@vigil/core';

/** 2026-12-04T12:00:00Z in epoch µs: the tests' first verdict time. */
export const VERDICT_T0_US = Date.UTC(2026, 11, 4, 12) * 1000;

let clock = 0;

/**
 * A verdict for the stores' tests, dated after every verdict made before it unless `timeUs` is
 * given: tests that do not care about verdict times get arrival order = time order.
 */
export function verdict(
  transactionId: string,
  label: StoreLabel['label'],
  timeUs: number = VERDICT_T0_US + ++clock,
): StoreLabel {
  return { transactionId, label, timeUs };
}
