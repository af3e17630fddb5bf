/**
 * `npx tsx edge/test-model/make-test-model.ts`: writes the edge's small test model beside this
 * file, once; its output is committed. Simulated transactions (sim) → core's features, labels fed
 * back 7 days late as served → model's GBDT trainer (10 trees of depth 4) → ONNX, in the same three
 * files `npm run train` writes to edge/model/. Also `narrow.onnx`, a one-tree graph 3 features
 * wide, for the start-up check that refuses a graph of the wrong width.
 *
 * Why a committed fixture: the edge's tests exercise the serving path with the same graph
 * contract as the served model, without importing the trainer (the edge never depends on model/)
 * and without training in-process on every run. Rerun this when core's features change.
 */
import { writeFile } from 'node:fs/promises';
import {
  FEATURE_NAMES,
  parseModelMetadata,
  predictProbability,
  type TreeEnsemble,
} from '@vigil/core';
import { exportOnnx, modelVersion, replayFeatures, trainGbdt, writeArtifacts } from '@vigil/model';
import { simulate } from '@vigil/sim';

const HERE = new URL('.', import.meta.url).pathname;
const PARAMS = { nRounds: 10, maxDepth: 4, learningRate: 0.4, seed: 1, earlyStoppingRounds: 0 };

const ds = simulate({ customers: 300, terminals: 600, days: 60, seed: 7 });
const X = replayFeatures(ds);
const { ensemble } = trainGbdt({ X, y: ds.isFraud, nFeatures: FEATURE_NAMES.length }, PARAMS);
const version = modelVersion(ensemble);

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
const window = { start: '2018-04-01', end: '2018-05-30' };
const metadata = parseModelMetadata({
  version,
  feature_names: [...FEATURE_NAMES],
  thresholds: { review: at(0.05), decline: at(0.01) },
  training: {
    seed: PARAMS.seed,
    train_window: window,
    validation_window: window,
    rows: ds.length,
    frauds,
    trees: ensemble.roots.length,
    params: { nRounds: PARAMS.nRounds, maxDepth: PARAMS.maxDepth },
  },
  // Not evaluated: this model exists to exercise the serving path, not to be good.
  metrics: { validation: metrics, test: metrics },
});
const onnx = exportOnnx(ensemble, { featureNames: FEATURE_NAMES, version });
await writeArtifacts(HERE, { metadata, ensemble, onnx });

const narrow: TreeEnsemble = {
  nFeatures: 3,
  baseMargin: 0,
  roots: Int32Array.from([0]),
  feature: Int32Array.from([0, -1, -1]),
  threshold: Float32Array.from([1, 0, 0]),
  left: Int32Array.from([1, -1, -1]),
  right: Int32Array.from([2, -1, -1]),
  value: Float64Array.from([0, -1, 1]),
};
await writeFile(
  `${HERE}narrow.onnx`,
  exportOnnx(narrow, { featureNames: ['a', 'b', 'c'], version: 'narrow' }),
);
process.stdout.write(`${version}: ${ensemble.roots.length} trees, written to ${HERE}\n`);
