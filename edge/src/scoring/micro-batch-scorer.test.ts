import { N_FEATURES, type Scorer } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { MicroBatchScorer } from './micro-batch-scorer.js';

/** A scorer whose "probability" is the row's first feature, recording the size of each run. */
function echoScorer() {
  const runs: number[] = [];
  const s: Scorer & { release(): Promise<void> } = {
    version: 'echo',
    async score(x, rows, out) {
      runs.push(rows);
      await new Promise((r) => setTimeout(r, 5));
      for (let i = 0; i < rows; i++) out[i] = x[i * N_FEATURES]!;
    },
    release: () => Promise.resolve(),
  };
  return { s, runs };
}

function rows(values: number[]): Float32Array {
  const x = new Float32Array(values.length * N_FEATURES);
  values.forEach((v, i) => (x[i * N_FEATURES] = v));
  return x;
}

describe('micro-batch scorer', () => {
  it('merges requests that wait on a running inference, and returns each its own rows', async () => {
    const { s, runs } = echoScorer();
    const m = new MicroBatchScorer(s, 64);
    const outs = [
      new Float32Array(1),
      new Float32Array(2),
      new Float32Array(3),
      new Float32Array(1),
    ];
    await Promise.all([
      m.score(rows([1]), 1, outs[0]!),
      m.score(rows([2, 3]), 2, outs[1]!),
      m.score(rows([4, 5, 6]), 3, outs[2]!),
      m.score(rows([7]), 1, outs[3]!),
    ]);
    expect(runs).toEqual([7]); // all four arrived in one turn of the event loop: one run
    expect(outs.map((o) => Array.from(o))).toEqual([[1], [2, 3], [4, 5, 6], [7]]);
  });

  it('caps a merged run at maxRows and fails only the requests of a failed run', async () => {
    const { s, runs } = echoScorer();
    const m = new MicroBatchScorer(s, 4);
    const outs = Array.from({ length: 4 }, () => new Float32Array(2));
    await Promise.all(outs.map((o, i) => m.score(rows([i, i]), 2, o)));
    expect(runs).toEqual([4, 4]);

    let fail = true;
    const flaky: Scorer & { release(): Promise<void> } = {
      version: 'flaky',
      async score(x, n, out) {
        await new Promise((r) => setTimeout(r, 1));
        if (fail) {
          fail = false;
          throw new Error('boom');
        }
        for (let i = 0; i < n; i++) out[i] = x[i * N_FEATURES]!;
      },
      release: () => Promise.resolve(),
    };
    const f = new MicroBatchScorer(flaky, 8);
    const o2 = new Float32Array(1);
    const first = f.score(rows([1]), 1, new Float32Array(1));
    // Let the first run start; the second request then queues for a run of its own.
    await new Promise((r) => setTimeout(r, 0));
    const results = await Promise.allSettled([first, f.score(rows([9]), 1, o2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(o2[0]).toBe(9);
  });
});
