/**
 * A gradient-boosted tree ensemble in flat typed arrays: the one in-memory form shared by the
 * trainer (model/), the ONNX exporter, the pure-JS scorer and the reason-code explainer.
 *
 * Nodes of all trees live in one set of arrays; `roots[t]` is the index of tree t's root.
 * Split rule (identical to ONNX `BRANCH_LEQ`): go left when `x[feature] <= threshold`.
 * Thresholds are float32 values and inputs are float32, so this walk and onnxruntime agree
 * bit-for-bit on the path taken.
 */
export interface TreeEnsemble {
  /** Number of input features; rows are read as `x[row * nFeatures + feature]`. */
  readonly nFeatures: number;
  /** Raw margin (log-odds) added before the trees' sum. */
  readonly baseMargin: number;
  /** Index of each tree's root node. */
  readonly roots: Int32Array;
  /** Split feature per node; -1 marks a leaf. */
  readonly feature: Int32Array;
  /** Split threshold per node (float32). Unused on leaves. */
  readonly threshold: Float32Array;
  /** Left / right child node index; -1 on leaves. */
  readonly left: Int32Array;
  readonly right: Int32Array;
  /**
   * Per node, in margin units: the leaf's output on leaves (shrinkage already applied); on
   * internal nodes the hessian-weighted mean output of the leaves below it. Internal values let
   * the explainer attribute each step of a decision path to its split feature (Saabas method).
   */
  readonly value: Float64Array;
}

/** Serialisable form (JSON) of a TreeEnsemble. */
export interface TreeEnsembleJson {
  nFeatures: number;
  baseMargin: number;
  roots: number[];
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

export function ensembleToJson(e: TreeEnsemble): TreeEnsembleJson {
  return {
    nFeatures: e.nFeatures,
    baseMargin: e.baseMargin,
    roots: Array.from(e.roots),
    feature: Array.from(e.feature),
    threshold: Array.from(e.threshold),
    left: Array.from(e.left),
    right: Array.from(e.right),
    value: Array.from(e.value),
  };
}

export function ensembleFromJson(j: TreeEnsembleJson): TreeEnsemble {
  const n = j.feature.length;
  if (
    j.threshold.length !== n ||
    j.left.length !== n ||
    j.right.length !== n ||
    j.value.length !== n
  ) {
    throw new Error('tree ensemble: node arrays differ in length');
  }
  const e: TreeEnsemble = {
    nFeatures: j.nFeatures,
    baseMargin: j.baseMargin,
    roots: Int32Array.from(j.roots),
    feature: Int32Array.from(j.feature),
    threshold: Float32Array.from(j.threshold),
    left: Int32Array.from(j.left),
    right: Int32Array.from(j.right),
    value: Float64Array.from(j.value),
  };
  for (let i = 0; i < n; i++) {
    const f = e.feature[i]!;
    if (f >= e.nFeatures) throw new Error(`tree ensemble: node ${i} splits on feature ${f}`);
    if (f >= 0 && (e.left[i]! < 0 || e.left[i]! >= n || e.right[i]! < 0 || e.right[i]! >= n)) {
      throw new Error(`tree ensemble: node ${i} has a child out of range`);
    }
  }
  return e;
}

/** Raw margin (log-odds) of one row starting at `offset` in `x`. */
export function predictMargin(e: TreeEnsemble, x: ArrayLike<number>, offset = 0): number {
  const { roots, feature, threshold, left, right, value } = e;
  let sum = e.baseMargin;
  for (let t = 0; t < roots.length; t++) {
    let n = roots[t]!;
    let f = feature[n]!;
    while (f >= 0) {
      n = x[offset + f]! <= threshold[n]! ? left[n]! : right[n]!;
      f = feature[n]!;
    }
    sum += value[n]!;
  }
  return sum;
}

export function sigmoid(margin: number): number {
  return 1 / (1 + Math.exp(-margin));
}

/** Fraud probability of one row. */
export function predictProbability(e: TreeEnsemble, x: ArrayLike<number>, offset = 0): number {
  return sigmoid(predictMargin(e, x, offset));
}

/**
 * Per-feature contributions (margin units) along the decision paths of one row, written into
 * `out` (length nFeatures, overwritten). Returns the bias: baseMargin plus each tree's root value.
 * bias + sum(out) equals predictMargin(e, x).
 */
export function contributions(
  e: TreeEnsemble,
  x: ArrayLike<number>,
  out: Float64Array,
  offset = 0,
): number {
  const { roots, feature, threshold, left, right, value } = e;
  out.fill(0);
  let bias = e.baseMargin;
  for (let t = 0; t < roots.length; t++) {
    let n = roots[t]!;
    bias += value[n]!;
    let f = feature[n]!;
    while (f >= 0) {
      const next = x[offset + f]! <= threshold[n]! ? left[n]! : right[n]!;
      out[f]! += value[next]! - value[n]!;
      n = next;
      f = feature[n]!;
    }
  }
  return bias;
}
