/**
 * Gradient-boosted decision trees for binary classification (log-loss), histogram-based.
 *
 * Why our own trainer: no maintained GBDT trainer exists on npm. `ml-xgboost` is an old
 * emscripten build of XGBoost 0.x, `xgboost-scorer` only scores, and the rest (ml-cart,
 * ml-random-forest, decision-tree…) are single trees, forests or small from-scratch boosters
 * without histogram binning, sample weights or early stopping. The algorithm here is
 * XGBoost's second-order boosting with LightGBM's histogram tricks; it is small enough to own,
 * and owning it lets the trainer emit core's TreeEnsemble directly, with float32 thresholds
 * that match ONNX `BRANCH_LEQ` exactly.
 */
import type { TreeEnsemble } from '@vigil/core';
import { stream } from '@vigil/sim';
import { binColumns, computeBinMapper } from './binning.js';
import { EnsembleBuilder, type StoredTree } from './ensemble-builder.js';
import { logisticGradients } from './logistic-objective.js';
import { averagePrecision, logLossFromMargin, rocAuc } from './metrics.js';
import { resolveParams, type EvalMetric, type GbdtParams } from './params.js';
import { TreeGrower } from './tree-grower.js';
import { RoundSampler } from './round-sampler.js';
import { EarlyStopping } from './early-stopping.js';

/** A held-out set for early stopping. */
export interface ValidationSet {
  /** Row-major float32 features, n × nFeatures. */
  readonly X: Float32Array;
  readonly y: Uint8Array;
  readonly weight?: Float32Array;
}

export interface TrainingSet {
  /** Row-major float32 features, n × nFeatures. */
  readonly X: Float32Array;
  /** Labels 0 / 1. */
  readonly y: Uint8Array;
  readonly nFeatures: number;
  /** Per-row sample weights (e.g. to undo the downsampling of legitimate rows). */
  readonly weight?: Float32Array;
  readonly validation?: ValidationSet;
}

export interface HistoryEntry {
  readonly iter: number;
  /** Weighted log-loss on the training rows (scalePosWeight included). */
  readonly trainLoss: number;
  /** Early-stopping metric on the validation set; NaN without one. */
  readonly valMetric: number;
}

export interface GbdtResult {
  /** Trees 0 … bestIteration only. */
  readonly ensemble: TreeEnsemble;
  /** 0-based index of the best round (the ensemble keeps bestIteration + 1 trees). */
  readonly bestIteration: number;
  readonly history: HistoryEntry[];
  /** Total split gain per feature in the kept trees. */
  readonly gainImportance: Float64Array;
  /** Number of splits per feature in the kept trees. */
  readonly splitCount: Int32Array;
  readonly timing: { readonly binningMs: number; readonly boostingMs: number };
}

export interface TrainHooks {
  /**
   * Called once per round, in order, for progress logging. Each entry is reported at the start
   * of the next round (its training loss falls out of that round's gradient pass).
   */
  readonly onIteration?: (entry: HistoryEntry) => void;
}

function evalMetric(
  metric: EvalMetric,
  y: Uint8Array,
  margin: Float64Array,
  weight?: Float32Array,
): number {
  // Margins rank rows exactly as probabilities do, without sigmoid's saturation ties.
  if (metric === 'ap') return averagePrecision(y, margin, weight);
  if (metric === 'auc') return rocAuc(y, margin, weight);
  return logLossFromMargin(y, margin, weight);
}

function checkData(d: TrainingSet): number {
  const nf = d.nFeatures;
  if (!Number.isInteger(nf) || nf < 1) throw new RangeError(`gbdt: bad nFeatures ${nf}`);
  const n = d.y.length;
  if (d.X.length !== n * nf) throw new RangeError('gbdt: X is not y.length × nFeatures');
  if (d.weight && d.weight.length !== n) throw new RangeError('gbdt: weight length ≠ rows');
  const v = d.validation;
  if (v) {
    if (v.X.length !== v.y.length * nf) throw new RangeError('gbdt: validation X shape');
    if (v.weight && v.weight.length !== v.y.length) throw new RangeError('gbdt: validation weight');
  }
  return n;
}

/**
 * Per-row weights with scalePosWeight folded in, and the base margin: their prior log-odds,
 * the constant that minimises the weighted loss before any tree (float32, as ONNX stores it).
 */
function effectiveWeights(
  d: TrainingSet,
  scalePosWeight: number,
): { w: Float64Array; baseMargin: number } {
  const { y, weight } = d;
  const w = new Float64Array(y.length);
  let wPos = 0;
  let wNeg = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = (weight ? weight[i]! : 1) * (y[i] === 1 ? scalePosWeight : 1);
    if (!(wi >= 0)) throw new RangeError(`gbdt: weight ${i} is negative or NaN`);
    w[i] = wi;
    if (y[i] === 1) wPos += wi;
    else wNeg += wi;
  }
  if (!(wPos > 0 && wNeg > 0)) throw new RangeError('gbdt: training needs both classes');
  return { w, baseMargin: Math.fround(Math.log(wPos / wNeg)) };
}

/** Add the grower's last tree to the training margins. */
function addToTrainingMargins(
  grower: TreeGrower,
  margin: Float64Array,
  outOfBag: Int32Array,
  nOut: number,
): void {
  // In-bag rows already sit in their leaves' ranges; out-of-bag rows walk the binned tree.
  for (let k = 0; k < grower.nodeCount; k++) {
    if (grower.splitFeature[k]! >= 0) continue;
    const v = grower.value[k]!;
    for (let i = grower.start[k]!; i < grower.end[k]!; i++) margin[grower.rows[i]!]! += v;
  }
  for (let i = 0; i < nOut; i++) {
    const r = outOfBag[i]!;
    margin[r]! += grower.value[grower.leafOfBinnedRow(r)]!;
  }
}

/** Add one tree's outputs on row-major float rows to their margins (the `x <= t` walk). */
function addToMargins(tree: StoredTree, X: Float32Array, nf: number, margin: Float64Array): void {
  const { feature, threshold, left, right, value } = tree;
  for (let r = 0; r < margin.length; r++) {
    let k = 0;
    let f = feature[0]!;
    while (f >= 0) {
      k = X[r * nf + f]! <= threshold[k]! ? left[k]! : right[k]!;
      f = feature[k]!;
    }
    margin[r]! += value[k]!;
  }
}

/** Train a binary GBDT. Deterministic for a given seed and inputs. */
export function trainGbdt(
  data: TrainingSet,
  given: Partial<GbdtParams> = {},
  hooks: TrainHooks = {},
): GbdtResult {
  const p = resolveParams(given);
  const n = checkData(data);
  const nf = data.nFeatures;
  const { y, X } = data;
  const rng = stream(p.seed, 'gbdt');
  const t0 = performance.now();

  const mapper = computeBinMapper(X, nf, rng, {
    maxBins: p.maxBins,
    sampleSize: p.binSampleSize,
  });
  const binned = binColumns(X, mapper);
  const t1 = performance.now();

  const { w, baseMargin } = effectiveWeights(data, p.scalePosWeight);
  const margin = new Float64Array(n).fill(baseMargin);
  const valid = data.validation;
  const valMargin = valid ? new Float64Array(valid.y.length).fill(baseMargin) : undefined;
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const sampler = new RoundSampler(n, nf, p.subsample, p.colsampleByTree, rng);
  const grower = new TreeGrower(binned, n, mapper, p);
  const builder = new EnsembleBuilder(mapper, baseMargin);
  const stopping = new EarlyStopping(p.evalMetric, p.earlyStoppingRounds);
  const history: HistoryEntry[] = [];
  const valMetrics: number[] = [];
  const record = (iter: number, trainLoss: number) => {
    const entry = { iter, trainLoss, valMetric: valMetrics[iter]! };
    history.push(entry);
    hooks.onIteration?.(entry);
  };

  for (let iter = 0; iter < p.nRounds; iter++) {
    // The gradient pass also yields the loss of the model so far: the previous round's entry.
    const lossSoFar = logisticGradients(margin, y, w, g, h);
    if (iter > 0) record(iter - 1, lossSoFar);

    sampler.draw();
    grower.grow(sampler.rows, sampler.nIn, g, h, sampler.features, sampler.nSelected);
    const tree = builder.add(grower);
    addToTrainingMargins(grower, margin, sampler.outOfBag, sampler.nOut);

    let valMetric = NaN;
    if (valid && valMargin) {
      addToMargins(tree, valid.X, nf, valMargin);
      valMetric = evalMetric(p.evalMetric, valid.y, valMargin, valid.weight);
    }
    valMetrics.push(valMetric);
    if (valid && stopping.update(iter, valMetric)) break;
  }
  record(valMetrics.length - 1, logLossFromMargin(y, margin, w));

  const bestIteration = valid ? stopping.bestIteration : valMetrics.length - 1;
  const kept = bestIteration + 1;
  const { gain, splits } = builder.importance(kept);
  return {
    ensemble: builder.build(kept),
    bestIteration,
    history,
    gainImportance: gain,
    splitCount: splits,
    timing: { binningMs: t1 - t0, boostingMs: performance.now() - t1 },
  };
}
