/**
 * How a call's rows are scored by the challenger once the answer has gone. The port lets each
 * runtime choose where that work runs: on Node in a worker thread (runtime/node/challenger-thread.ts),
 * so the challenger's ORT runs share no turn of the event loop with the answers; on Workers in the
 * isolate itself, under the request's waitUntil (an isolate has one thread: there is nowhere else
 * to run it), which `inlineChallenger` does.
 */
import type { ServedEntry } from './served-models.js';

export interface ChallengerScorer {
  /**
   * The challenger's score of each of `rows` rows of `x` (row k at k), or null when it was
   * skipped (behind beyond its bound, or failed): the events then go without `challenger`, and
   * the implementation has counted why. Rejects only on a fault the caller should count as the
   * challenger failing.
   */
  score(entry: ServedEntry, x: Float32Array, rows: number): Promise<Float32Array | null>;
}

/** The challenger scored in the calling thread by its own scorer (Workers; an app without a thread). */
export const inlineChallenger: ChallengerScorer = {
  async score(entry, x, rows) {
    const out = new Float32Array(rows);
    await entry.scorer.score(x, rows, out);
    return out;
  },
};
