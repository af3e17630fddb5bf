/**
 * A small real model for tests, trained in-process: simulated transactions → core's features
 * (labels fed back 7 days late, as served) → GBDT → ONNX. Tests get the same graph contract as
 * the committed model without depending on model/artifacts, which the lead retrains as core's
 * features change. Test support only: it imports the trainer (model/, a dev dependency).
 */
import {
  FEATURE_NAMES,
  parseModelMetadata,
  predictProbability,
  type ModelMetadata,
  type TreeEnsemble,
} from '@vigil/core';
import { replayFeatures, simulate, trainGbdt } from '@vigil/model';
// model/ does not export its ONNX exporter from its package entry (yet).
import { exportOnnx } from '../../../model/src/onnx/export-onnx.js';

export interface TestModel {
  readonly onnx: Uint8Array;
  readonly metadata: ModelMetadata;
  readonly ensemble: TreeEnsemble;
}

let cached: Promise<TestModel> | undefined;

/** Train (once per test module) a ~40-tree model on 40 simulated days. */
export function trainTestModel(): Promise<TestModel> {
  cached ??= Promise.resolve().then(train);
  return cached;
}

function train(): TestModel {
  const ds = simulate({ customers: 300, terminals: 600, days: 60, seed: 7 });
  const X = replayFeatures(ds);
  const { ensemble } = trainGbdt(
    { X, y: ds.isFraud, nFeatures: FEATURE_NAMES.length },
    { nRounds: 40, maxDepth: 4, learningRate: 0.3, seed: 1, earlyStoppingRounds: 0 },
  );
  const version = 'gbdt-edge-test';
  const onnx = exportOnnx(ensemble, { featureNames: FEATURE_NAMES, version });
  // Thresholds at the top 5 % and 1 % of training scores: all three decisions occur.
  const scores: number[] = [];
  for (let i = 0; i < ds.length; i++) {
    scores.push(predictProbability(ensemble, X, i * FEATURE_NAMES.length));
  }
  scores.sort((a, b) => b - a);
  const at = (q: number) => scores[Math.floor(q * (scores.length - 1))]!;
  let frauds = 0;
  for (let i = 0; i < ds.length; i++) frauds += ds.isFraud[i]!;
  const metrics = { auc: 0, ap: 0, cp100: 0 };
  const window = { start: '2024-01-01', end: '2024-02-29' };
  const metadata = parseModelMetadata({
    version,
    feature_names: [...FEATURE_NAMES],
    thresholds: { review: at(0.05), decline: at(0.01) },
    training: {
      seed: 1,
      train_window: window,
      validation_window: window,
      rows: ds.length,
      frauds,
      trees: ensemble.roots.length,
      params: { nRounds: 40, maxDepth: 4 },
    },
    // Not evaluated: this model exists to exercise the serving path, not to be good.
    metrics: { validation: metrics, test: metrics },
  });
  return { onnx, metadata, ensemble };
}
