import { contributions, ensembleToJson, predictMargin, type TreeEnsemble } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { Rng } from '@vigil/sim';
import { logLossFromMargin, rocAuc } from './metrics.js';
import { trainGbdt } from './train.js';

const NF = 6;

/** y = (x0 > 0.5) xor (x1 > 0.3), labels flipped with probability `noise`; x2..x5 are noise. */
function xorData(n: number, seed: number, noise = 0.05) {
  const r = new Rng(seed, 11, 22, 33);
  const X = new Float32Array(n * NF);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < NF; f++) X[i * NF + f] = f === 5 ? r.integer(4) : r.uniform();
    const rule = X[i * NF]! > 0.5 !== X[i * NF + 1]! > 0.3;
    y[i] = (rule ? 1 : 0) ^ (r.uniform() < noise ? 1 : 0);
  }
  return { X, y };
}

function margins(e: TreeEnsemble, X: Float32Array): Float64Array {
  const out = new Float64Array(X.length / e.nFeatures);
  for (let i = 0; i < out.length; i++) out[i] = predictMargin(e, X, i * e.nFeatures);
  return out;
}

describe('trainGbdt', () => {
  const train = xorData(6_000, 1);
  const test = xorData(4_000, 2);

  it('learns an xor rule to near the noise ceiling', () => {
    const res = trainGbdt(
      { ...train, nFeatures: NF },
      { nRounds: 80, maxDepth: 4, learningRate: 0.2, seed: 3 },
    );
    const auc = rocAuc(test.y, margins(res.ensemble, test.X));
    expect(auc).toBeGreaterThan(0.93); // 5% flipped labels cap it near 0.95
    // The two rule features carry the most gain (the late trees fit label noise everywhere).
    const g = Array.from(res.gainImportance);
    expect(Math.min(g[0]!, g[1]!)).toBeGreaterThan(2 * Math.max(...g.slice(2)));
    expect(res.splitCount.reduce((a, b) => a + b, 0)).toBeGreaterThan(80);
    expect(res.ensemble.roots.length).toBe(80);
  });

  it('walks trees on raw floats exactly as it trained on bins', () => {
    const res = trainGbdt(
      { ...train, nFeatures: NF },
      { nRounds: 30, maxDepth: 5, subsample: 0.7, seed: 4 },
    );
    // trainLoss comes from the trainer's own margins (in-bag leaf ranges and binned walks);
    // recomputing it from predictMargin on float inputs must give the same number.
    const last = res.history.at(-1)!;
    expect(logLossFromMargin(train.y, margins(res.ensemble, train.X))).toBe(last.trainLoss);
  });

  it('grows loss-guided trees within maxLeaves and maxDepth', () => {
    const res = trainGbdt(
      { ...train, nFeatures: NF },
      { nRounds: 10, maxDepth: 10, maxLeaves: 8, minChildWeight: 0 },
    );
    const e = res.ensemble;
    const depthOf = (k: number): number =>
      e.feature[k]! < 0 ? 0 : 1 + Math.max(depthOf(e.left[k]!), depthOf(e.right[k]!));
    e.roots.forEach((root, t) => {
      const end = t + 1 < e.roots.length ? e.roots[t + 1]! : e.feature.length;
      const leaves = e.feature.subarray(root, end).filter((f) => f < 0).length;
      expect(leaves).toBe(8);
      expect(depthOf(root)).toBeLessThanOrEqual(10);
    });
    // Best-first growth goes deeper than a balanced 8-leaf tree somewhere.
    expect(Math.max(...Array.from(e.roots, depthOf))).toBeGreaterThan(3);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const params = { nRounds: 25, maxDepth: 5, subsample: 0.8, colsampleByTree: 0.7, seed: 9 };
    const a = trainGbdt({ ...train, nFeatures: NF }, params);
    const b = trainGbdt({ ...train, nFeatures: NF }, params);
    const c = trainGbdt({ ...train, nFeatures: NF }, { ...params, seed: 10 });
    expect(ensembleToJson(a.ensemble)).toEqual(ensembleToJson(b.ensemble));
    expect(a.history).toEqual(b.history);
    expect(ensembleToJson(a.ensemble)).not.toEqual(ensembleToJson(c.ensemble));
  });

  it('stops early and keeps the best iteration', () => {
    const noisy = xorData(1_500, 5, 0.3);
    const valid = xorData(1_500, 6, 0.3);
    const patience = 10;
    const seen: number[] = [];
    const res = trainGbdt(
      { ...noisy, nFeatures: NF, validation: valid },
      {
        nRounds: 500,
        maxDepth: 6,
        learningRate: 0.5,
        minChildWeight: 0,
        lambda: 0,
        earlyStoppingRounds: patience,
        evalMetric: 'logloss',
      },
      { onIteration: (h) => seen.push(h.iter) },
    );
    expect(seen).toEqual(Array.from(res.history.keys()));
    expect(res.history.map((h) => h.iter)).toEqual(seen);
    const best = res.bestIteration;
    expect(res.history.length).toBe(best + 1 + patience);
    expect(res.ensemble.roots.length).toBe(best + 1);
    const losses = res.history.map((h) => h.valMetric);
    expect(Math.min(...losses)).toBe(losses[best]);
    // The kept ensemble reproduces the recorded validation metric.
    expect(logLossFromMargin(valid.y, margins(res.ensemble, valid.X))).toBeCloseTo(
      losses[best]!,
      12,
    );
  });

  it('maximises AP by default', () => {
    const valid = xorData(2_000, 8);
    const res = trainGbdt(
      { ...train, nFeatures: NF, validation: valid },
      { nRounds: 60, maxDepth: 3, earlyStoppingRounds: 5 },
    );
    const aps = res.history.map((h) => h.valMetric);
    expect(aps[res.bestIteration]).toBe(Math.max(...aps));
    expect(aps[res.bestIteration]).toBeGreaterThan(0.85);
  });

  it("builds Saabas-ready trees: contributions + bias = margin, internal values within leaves'", () => {
    const res = trainGbdt({ ...train, nFeatures: NF }, { nRounds: 40, maxDepth: 5, seed: 2 });
    const e = res.ensemble;
    const out = new Float64Array(NF);
    for (let i = 0; i < 500; i++) {
      const bias = contributions(e, test.X, out, i * NF);
      const sum = out.reduce((a, b) => a + b, bias);
      expect(sum).toBeCloseTo(predictMargin(e, test.X, i * NF), 10);
    }
    // Each internal value is a weighted mean of its children, so it lies between them.
    for (let k = 0; k < e.feature.length; k++) {
      if (e.feature[k]! < 0) continue;
      const [l, r] = [e.value[e.left[k]!]!, e.value[e.right[k]!]!];
      expect(e.value[k]!).toBeGreaterThanOrEqual(Math.min(l, r) - 1e-12);
      expect(e.value[k]!).toBeLessThanOrEqual(Math.max(l, r) + 1e-12);
    }
  });

  it('treats an integer weight like repeated rows, and scalePosWeight like weighting positives', () => {
    // Few distinct values, so the bin edges do not depend on the repeated rows.
    const r = new Rng(5, 5, 5, 5);
    const n = 800;
    const X = new Float32Array(n * NF);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < NF; f++) X[i * NF + f] = r.integer(20);
      y[i] = (X[i * NF]! > 9 ? 0.6 : 0.2) > r.uniform() ? 1 : 0;
    }
    const weight = new Float32Array(n);
    const Xr: number[] = [];
    const yr: number[] = [];
    for (let i = 0; i < n; i++) {
      weight[i] = 1 + (i % 3);
      for (let k = 0; k < weight[i]!; k++) {
        for (let f = 0; f < NF; f++) Xr.push(X[i * NF + f]!);
        yr.push(y[i]!);
      }
    }
    const params = { nRounds: 10, maxDepth: 3 };
    const weighted = trainGbdt({ X, y, weight, nFeatures: NF }, params);
    const repeated = trainGbdt(
      { X: Float32Array.from(Xr), y: Uint8Array.from(yr), nFeatures: NF },
      params,
    );
    const mw = margins(weighted.ensemble, X);
    const mr = margins(repeated.ensemble, X);
    for (let i = 0; i < n; i++) expect(mw[i]).toBeCloseTo(mr[i]!, 5);

    const posWeight = Float32Array.from(y, (v) => (v === 1 ? 3 : 1));
    const a = trainGbdt({ X, y, nFeatures: NF }, { ...params, scalePosWeight: 3 });
    const b = trainGbdt({ X, y, weight: posWeight, nFeatures: NF }, params);
    expect(ensembleToJson(a.ensemble)).toEqual(ensembleToJson(b.ensemble));
    expect(a.ensemble.baseMargin).toBeCloseTo(
      Math.log((3 * y.reduce((s, v) => s + v, 0)) / y.reduce((s, v) => s + 1 - v, 0)),
      6,
    );
  });

  it('rejects one-class data and malformed shapes', () => {
    const X = new Float32Array(4 * NF);
    expect(() => trainGbdt({ X, y: new Uint8Array(4), nFeatures: NF })).toThrow(/both classes/);
    expect(() => trainGbdt({ X, y: new Uint8Array(5), nFeatures: NF })).toThrow(RangeError);
    expect(() =>
      trainGbdt({ X, y: Uint8Array.from([0, 1, 0, 1]), nFeatures: NF }, { subsample: 0 }),
    ).toThrow(/subsample/);
  });
});
