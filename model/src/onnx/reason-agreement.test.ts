/**
 * A registry model carries only its ONNX file: the edge reads the trees out of it (core's
 * ensembleFromOnnx) for reasons and its fallback walk. The exporter writes each node's hessian
 * share as `nodes_hitrates`, so those trees give the reasons of the trainer's own trees file.
 */
import { ensembleFromOnnx, N_FEATURES } from '@vigil/core';
import { simulate } from '@vigil/sim';
import { describe, expect, it } from 'vitest';
import { readArtifacts } from '../pipeline/artifacts.js';
import { replayFeatures } from '../pipeline/replay-features.js';
import { exportOnnx } from './export-onnx.js';
import { reasonAgreement } from './reason-agreement.js';

describe('reasons of a model read back from its ONNX', () => {
  it('are the trainer’s: same internal values, same top-3 reasons on simulated payments', async () => {
    const { ensemble, metadata } = await readArtifacts();
    const onnx = exportOnnx(ensemble, {
      featureNames: metadata.feature_names,
      version: metadata.version,
    });
    const read = ensembleFromOnnx(onnx, N_FEATURES);
    // Node by node (the reader numbers nodes its own way: walk both trees side by side).
    let worst = 0;
    expect(read.roots.length).toBe(ensemble.roots.length);
    for (let t = 0; t < ensemble.roots.length; t++) {
      const stack: [number, number][] = [[ensemble.roots[t]!, read.roots[t]!]];
      while (stack.length > 0) {
        const [a, b] = stack.pop()!;
        expect(read.feature[b]).toBe(ensemble.feature[a]);
        worst = Math.max(worst, Math.abs(read.value[b]! - ensemble.value[a]!));
        if (ensemble.feature[a]! >= 0) {
          stack.push([ensemble.left[a]!, read.left[b]!], [ensemble.right[a]!, read.right[b]!]);
        }
      }
    }
    expect(worst).toBeLessThan(1e-6);
    // A world the model never saw: another seed and start.
    const ds = simulate({ seed: 77, customers: 120, terminals: 240, days: 30 });
    const X = replayFeatures(ds);
    const agreement = reasonAgreement(ensemble, read, X);
    expect(agreement.rows).toBeGreaterThan(3000);
    expect(agreement.withReasons).toBeGreaterThan(agreement.rows / 2);
    expect(agreement.top3Ordered).toBe(1);
  });
});
