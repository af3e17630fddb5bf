import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { N_FEATURES } from '../features/feature-names.js';
import { parseTreeEnsemble } from './model-metadata.js';
import { ensembleFromOnnx, OnnxTreesError } from './onnx-trees.js';
import { predictProbability } from './tree-ensemble.js';

// The committed models, each as ONNX and as the trainer's own trees file.
const dir = (d: string) => new URL(`../../../edge/${d}/`, import.meta.url);
const load = (d: string) => ({
  onnx: new Uint8Array(readFileSync(new URL('vigil-model.onnx', dir(d)))),
  trees: parseTreeEnsemble(
    JSON.parse(readFileSync(new URL('vigil-model.trees.json', dir(d)), 'utf8')) as unknown,
  ),
});

/** Deterministic rows spread over each feature's split thresholds. */
function rows(thresholds: Float32Array, n: number): Float32Array {
  const x = new Float32Array(n * N_FEATURES);
  let s = 12345;
  const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < x.length; i++) {
    const t = thresholds[Math.floor(rand() * thresholds.length)]!;
    x[i] = rand() < 0.1 ? t : t * (0.5 + rand());
  }
  return x;
}

describe('ensembleFromOnnx', () => {
  for (const d of ['model', 'test-model']) {
    it(`reads edge/${d}'s ONNX into trees that score as the trainer's own (1e-6)`, () => {
      const { onnx, trees } = load(d);
      const e = ensembleFromOnnx(onnx, N_FEATURES);
      expect(e.nFeatures).toBe(N_FEATURES);
      // The exporter adds at most one tie-break leaf tree (export-onnx.ts).
      expect(e.roots.length - trees.roots.length).toBeGreaterThanOrEqual(0);
      expect(e.roots.length - trees.roots.length).toBeLessThanOrEqual(1);
      const x = rows(trees.threshold, 500);
      let worst = 0;
      for (let r = 0; r < 500; r++) {
        const a = predictProbability(e, x, r * N_FEATURES);
        const b = predictProbability(trees, x, r * N_FEATURES);
        worst = Math.max(worst, Math.abs(a - b));
      }
      expect(worst).toBeLessThan(1e-6);
    });
  }

  it('refuses bytes that are not a tree ensemble, naming why', () => {
    expect(() => ensembleFromOnnx(new Uint8Array([1, 2, 3]), N_FEATURES)).toThrow(OnnxTreesError);
    expect(() => ensembleFromOnnx(new Uint8Array(0), N_FEATURES)).toThrow(/TreeEnsembleClassifier/);
  });

  it('refuses a model whose splits read features this build does not have', () => {
    const { onnx } = load('model');
    expect(() => ensembleFromOnnx(onnx, 3)).toThrow(/reads feature/);
  });
});
