import { N_FEATURES, predictProbability } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrtScorer, type OrtScorer } from './ort-scorer.js';
import { loadTestModel, narrowTestOnnx, type TestModel } from './test-model-files.js';

/** Deterministic rows in plausible feature ranges. */
function rows(n: number, seed: number): Float32Array {
  const x = new Float32Array(n * N_FEATURES);
  let s = seed;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    x[i] = (s / 2 ** 31) * (i % N_FEATURES === 0 ? 400 : 8);
  }
  return x;
}

describe('ORT scorer', () => {
  let m: TestModel;
  let scorer: OrtScorer;
  beforeAll(async () => {
    m = await loadTestModel();
    scorer = await createOrtScorer({ model: m.onnx, metadata: m.metadata });
  });
  afterAll(() => scorer.release());

  it('gives the trees’ probabilities, in one call for many rows', async () => {
    const x = rows(2_000, 1);
    const out = new Float32Array(2_000);
    await scorer.score(x, 2_000, out);
    for (let i = 0; i < 2_000; i++) {
      expect(out[i]).toBeCloseTo(predictProbability(m.ensemble, x, i * N_FEATURES), 5);
    }
    expect(scorer.version).toBe(m.metadata.version);
  });

  it('reads a reused single-row buffer afresh on every call', async () => {
    const x = new Float32Array(N_FEATURES);
    const out = new Float32Array(1);
    const source = rows(20, 2);
    for (let i = 0; i < 20; i++) {
      x.set(source.subarray(i * N_FEATURES, (i + 1) * N_FEATURES));
      await scorer.score(x, 1, out);
      expect(out[0]).toBeCloseTo(predictProbability(m.ensemble, x), 5);
    }
  });

  it('scores only the first `rows` rows of a larger buffer', async () => {
    const x = rows(10, 3);
    const out = new Float32Array(10).fill(-1);
    await scorer.score(x, 3, out);
    expect(out[2]).toBeGreaterThanOrEqual(0);
    expect(out[3]).toBe(-1);
    await scorer.score(x, 0, out);
  });

  it('refuses at start-up a model whose input width is not this build’s', async () => {
    const bytes = await narrowTestOnnx();
    await expect(createOrtScorer({ model: bytes, metadata: m.metadata })).rejects.toThrow(
      /warm-up run failed/,
    );
  });
});
