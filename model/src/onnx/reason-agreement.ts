/**
 * How alike two ensembles' reasons are on the same feature rows: the trainer's trees (the shipped
 * trees file) against the trees an edge reads out of the ONNX (core's ensembleFromOnnx), which
 * is all a registry model carries. Used by the test that keeps the two in step and to measure.
 */
import { N_FEATURES, topReasons, type TreeEnsemble } from '@vigil/core';

/** Shares of rows (of `rows`) on which both ensembles give the same reasons. */
export interface ReasonAgreement {
  readonly rows: number;
  /** Rows where either gives at least one reason. */
  readonly withReasons: number;
  /** The same first reason (or none from both). */
  readonly top1: number;
  /** The same top-3 features in the same order. */
  readonly top3Ordered: number;
  /** The same top-3 features in any order. */
  readonly top3Set: number;
}

/** Compare `a`'s and `b`'s top-3 reasons over the row-major feature matrix `X`. */
export function reasonAgreement(
  a: TreeEnsemble,
  b: TreeEnsemble,
  X: Float32Array,
): ReasonAgreement {
  const rows = X.length / N_FEATURES;
  const scratch = new Float64Array(N_FEATURES);
  let withReasons = 0;
  let top1 = 0;
  let ordered = 0;
  let set = 0;
  for (let r = 0; r < rows; r++) {
    const fa = topReasons(a, X, 3, scratch, r * N_FEATURES).map((x) => x.feature);
    const fb = topReasons(b, X, 3, scratch, r * N_FEATURES).map((x) => x.feature);
    if (fa.length > 0 || fb.length > 0) withReasons++;
    if (fa[0] === fb[0]) top1++;
    if (fa.length === fb.length && fa.every((f, i) => f === fb[i])) ordered++;
    if (fa.length === fb.length && fa.every((f) => fb.includes(f))) set++;
  }
  return { rows, withReasons, top1: top1 / rows, top3Ordered: ordered / rows, top3Set: set / rows };
}
