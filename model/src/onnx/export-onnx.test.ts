import { predictMargin, sigmoid, type TreeEnsemble } from '@vigil/core';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainGbdt } from '../gbdt/train.js';
import { Rng } from '@vigil/sim';
import { exportOnnx } from './export-onnx.js';
import { createOrtScorer, type OrtScorer } from './ort-session.js';

const NF = 8;
const NAMES = Array.from({ length: NF }, (_, f) => `f${f}`);

function synthetic(n: number, r: Rng) {
  const X = new Float32Array(n * NF);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < NF; f++) X[i * NF + f] = f % 2 ? r.normal() : r.integer(30);
    const m = X[i * NF]! / 10 - 2 + X[i * NF + 1]! * X[i * NF + 3]! + (X[i * NF + 2]! > 15 ? 1 : 0);
    y[i] = r.uniform() < sigmoid(m) ? 1 : 0;
  }
  return { X, y };
}

/** Random rows, with a share of values set exactly on split thresholds and some NaNs. */
function probeRows(e: TreeEnsemble, n: number, r: Rng): Float32Array {
  const X = synthetic(n, r).X;
  const splits: number[] = [];
  for (let k = 0; k < e.feature.length; k++) if (e.feature[k]! >= 0) splits.push(k);
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    if (u < 0.3) {
      const k = splits[r.integer(splits.length)]!;
      X[i * NF + e.feature[k]!] = e.threshold[k]!;
    } else if (u < 0.35) {
      X[i * NF + r.integer(NF)] = NaN;
    }
  }
  return X;
}

describe('exportOnnx + onnxruntime-web', () => {
  const r = new Rng(42, 0, 0, 1);
  const train = synthetic(20_000, r);
  const { ensemble } = trainGbdt(
    { ...train, nFeatures: NF },
    { nRounds: 120, maxDepth: 6, learningRate: 0.1, subsample: 0.8, seed: 1 },
  );
  const bytes = exportOnnx(ensemble, { featureNames: NAMES, version: 'test-1' });
  let scorer: OrtScorer;
  let session: ort.InferenceSession;

  beforeAll(async () => {
    scorer = await createOrtScorer(bytes);
    session = await ort.InferenceSession.create(bytes);
  });
  afterAll(async () => {
    await scorer.release();
    await session.release();
  });

  it('has ≥ 100 trees of depth ≥ 5 to test against', () => {
    expect(ensemble.roots.length).toBe(120);
    let maxDepth = 0;
    const walk = (k: number, d: number): void => {
      maxDepth = Math.max(maxDepth, d);
      if (ensemble.feature[k]! >= 0) {
        walk(ensemble.left[k]!, d + 1);
        walk(ensemble.right[k]!, d + 1);
      }
    };
    ensemble.roots.forEach((root) => walk(root, 0));
    expect(maxDepth).toBeGreaterThanOrEqual(5);
  });

  it('gives the probabilities of the TS walk within 1e-5 on 10,000 rows', async () => {
    const X = probeRows(ensemble, 10_000, r);
    const out = await session.run({ features: new ort.Tensor('float32', X, [10_000, NF]) });
    const probs = out['probabilities']!.data as Float32Array;
    const labels = out['label']!.data as BigInt64Array;
    expect(out['probabilities']!.dims).toEqual([10_000, 2]);
    let maxDiff = 0;
    for (let i = 0; i < 10_000; i++) {
      const margin = predictMargin(ensemble, X, i * NF);
      const p = sigmoid(margin);
      maxDiff = Math.max(
        maxDiff,
        Math.abs(probs[2 * i + 1]! - p),
        Math.abs(probs[2 * i]! - (1 - p)),
      );
      if (Math.abs(margin) > 1e-5) expect(labels[i]).toBe(margin > 0 ? 1n : 0n);
    }
    expect(maxDiff).toBeLessThan(1e-5);
    console.log(`onnxruntime vs TS walk: max |Δp| = ${maxDiff.toExponential(2)}`);

    const viaScorer = await scorer.score(X);
    for (let i = 0; i < 10_000; i++) expect(viaScorer[i]).toBe(probs[2 * i + 1]);
  });

  it('scores one row fast enough for the edge (reports latency)', async () => {
    const X = probeRows(ensemble, 1_000, r);
    const times: number[] = [];
    for (let i = 0; i < 1_000; i++) {
      const row = new ort.Tensor('float32', X.subarray(i * NF, (i + 1) * NF), [1, NF]);
      const t0 = performance.now();
      await session.run({ features: row });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.floor(p * (times.length - 1))]!;
    console.log(
      `single-row session.run (${ensemble.roots.length} trees): ` +
        `p50 ${(q(0.5) * 1000).toFixed(0)} µs, p99 ${(q(0.99) * 1000).toFixed(0)} µs`,
    );
    expect(q(0.5)).toBeLessThan(5);
  });

  it('stores feature names and version in the metadata', () => {
    const model = onnxProto.onnx.ModelProto.decode(bytes);
    const meta = new Map(model.metadataProps.map((p) => [p.key, p.value] as const));
    expect(JSON.parse(meta.get('feature_names') ?? 'null')).toEqual(NAMES);
    expect(meta.get('version')).toBe('test-1');
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([
      ['', 17],
      ['ai.onnx.ml', 3],
    ]);
  });

  it('keeps the label right when every leaf is positive', async () => {
    // A stump with leaves +0.1 / +0.7 and base −0.2: margins 0.1 / 0.5.
    const stump: TreeEnsemble = {
      nFeatures: 1,
      baseMargin: -0.2,
      roots: Int32Array.from([0]),
      feature: Int32Array.from([0, -1, -1]),
      threshold: Float32Array.from([0.5, 0, 0]),
      left: Int32Array.from([1, -1, -1]),
      right: Int32Array.from([2, -1, -1]),
      value: Float64Array.from([0.4, 0.3, 0.7]),
    };
    const s = await ort.InferenceSession.create(
      exportOnnx(stump, { featureNames: ['x'], version: 't' }),
    );
    const out = await s.run({
      features: new ort.Tensor('float32', Float32Array.from([0.5, 0.6, NaN]), [3, 1]),
    });
    const probs = Array.from(out['probabilities']!.data as Float32Array);
    const expected = [0.1, 0.5, 0.5].flatMap((m) => [1 - sigmoid(m), sigmoid(m)]);
    probs.forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 6));
    expect(Array.from(out['label']!.data as BigInt64Array)).toEqual([1n, 1n, 1n]);
    await s.release();
  });

  it('rejects mismatched feature names', () => {
    expect(() => exportOnnx(ensemble, { featureNames: ['a'], version: 'x' })).toThrow(RangeError);
  });
});
