/**
 * The spine's acceptance: the committed model, served by onnxruntime-web, beats the handbook on its
 * own protocol; and the whole pipeline retrained on other simulated data does too.
 */
import { N_FEATURES, predictProbability } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { handbookTestSet } from '../evaluate/handbook-protocol.js';
import { createOrtScorer } from '../onnx/ort-session.js';
import { simulate } from '@vigil/sim';
import { readArtifacts } from './artifacts.js';
import { replayFeatures } from './replay-features.js';
import { handbookMetrics, runPipeline } from './train-pipeline.js';
import { DEFAULT_WINDOWS, gatherRows } from './windows.js';

const TARGET = { auc: 0.875, ap: 0.7, cp100: 0.31 };

describe('acceptance', () => {
  it('the committed model, in onnxruntime-web, beats the handbook on the seed-0 test week', async () => {
    const model = await readArtifacts();
    expect(model.metadata.training.seed).toBe(0);
    const ds = simulate({ seed: 0 });
    const X = replayFeatures(ds);
    const test = handbookTestSet(ds, DEFAULT_WINDOWS.handbookTrainStart);
    const Xt = gatherRows(X, N_FEATURES, test.rows);
    const scorer = await createOrtScorer(model.onnx);
    const p = await scorer.score(Xt);
    await scorer.release();

    const m = handbookMetrics(ds, test, p);
    expect(m.auc).toBeGreaterThanOrEqual(TARGET.auc);
    expect(m.ap).toBeGreaterThanOrEqual(TARGET.ap);
    expect(m.cp100).toBeGreaterThanOrEqual(TARGET.cp100);
    // The metadata reports what the model really does.
    expect(model.metadata.metrics.test.ap).toBeCloseTo(m.ap, 6);

    // Served probabilities equal the TypeScript tree walk on 10,000 real rows.
    let maxDiff = 0;
    for (let k = 0; k < Math.min(10_000, test.rows.length); k++) {
      maxDiff = Math.max(
        maxDiff,
        Math.abs(p[k]! - predictProbability(model.ensemble, Xt, k * N_FEATURES)),
      );
    }
    expect(maxDiff).toBeLessThan(1e-5);
  }, 300_000);

  it('retrained on data simulated with another seed, the pipeline still beats the handbook', () => {
    const r = runPipeline({ seed: 1 });
    expect(r.test.auc).toBeGreaterThanOrEqual(TARGET.auc);
    expect(r.test.ap).toBeGreaterThanOrEqual(TARGET.ap);
    expect(r.test.cp100).toBeGreaterThanOrEqual(TARGET.cp100);
    expect(r.thresholds.review).toBeLessThanOrEqual(r.thresholds.decline);
  }, 600_000);
});
