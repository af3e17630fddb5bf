/**
 * Saving first answers for replay, off the latency path: a failure is counted, never the
 * request's failure.
 */
import type { FeatureStore, StepOutcome, StoreTransaction } from '@vigil/core';
import type { ItemPlan } from './item-plan.js';

export interface SaveContext {
  readonly store: FeatureStore;
  readonly failed: (error: unknown) => void;
  /** Keep work alive past the response (a Worker's waitUntil). */
  readonly background?: (work: Promise<unknown>) => void;
}

export type AnswerSave = { transactionId: string; answer: string };

/** Save `saves` in the background. */
export function saveAnswers(saves: AnswerSave[], ctx: SaveContext): void {
  if (saves.length === 0) return;
  let work: Promise<void>;
  try {
    work = ctx.store.saveAnswers(saves);
  } catch (error) {
    ctx.failed(error);
    return;
  }
  const guarded = work.catch((error: unknown) => ctx.failed(error));
  ctx.background?.(guarded);
}

/**
 * A step that missed its deadline may still have recorded the transactions. If it did, the
 * degraded answers just given are their first answers: save them, so that a retry replays them
 * instead of waiting forever on `pending`.
 */
export function saveWhenLate(
  late: Promise<StepOutcome[]>,
  txs: StoreTransaction[],
  plan: ItemPlan,
  answers: string[],
  ctx: SaveContext,
): void {
  const work = late.then(
    (outcomes) => {
      const saves: AnswerSave[] = [];
      for (let i = 0; i < txs.length; i++) {
        if (plan.row(i) >= 0 && outcomes[i]?.kind === 'fresh') {
          saves.push({ transactionId: txs[i]!.transactionId, answer: answers[i]! });
        }
      }
      saveAnswers(saves, ctx);
    },
    // The request was answered degraded already; this failure was counted as its cause.
    () => undefined,
  );
  ctx.background?.(work);
}
