/**
 * Ranking and probability metrics for binary labels, matching scikit-learn's definitions:
 * `rocAuc` ≡ roc_auc_score (ties count ½: the Mann–Whitney U with midranks), `averagePrecision`
 * ≡ average_precision_score (step-wise sum over distinct thresholds, tied scores form one
 * threshold, no interpolation), `logLoss` ≡ log_loss. All accept optional per-row weights.
 */

/** Cumulative (weighted) true- and false-positive counts at each distinct score, highest first. */
interface Sweep {
  readonly tps: Float64Array;
  readonly fps: Float64Array;
  readonly count: number;
}

function checkInputs(y: ArrayLike<number>, score: ArrayLike<number>, weight?: ArrayLike<number>) {
  if (score.length !== y.length) throw new RangeError('metrics: y and score differ in length');
  if (weight && weight.length !== y.length) {
    throw new RangeError('metrics: y and weight differ in length');
  }
  for (let i = 0; i < score.length; i++) {
    if (Number.isNaN(score[i])) throw new RangeError(`metrics: score ${i} is NaN`);
  }
}

/**
 * Unweighted rows need no index sort: positives' and negatives' scores are sorted separately
 * with the native numeric typed-array sort (much faster than a comparator) and merged from the
 * top. This matters because early stopping calls the metric every boosting round.
 */
function sweepUnweighted(y: ArrayLike<number>, score: ArrayLike<number>): Sweep {
  let nPos = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) nPos++;
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(y.length - nPos);
  for (let i = 0, p = 0, q = 0; i < y.length; i++) {
    if (y[i] === 1) pos[p++] = score[i]!;
    else neg[q++] = score[i]!;
  }
  pos.sort();
  neg.sort();
  const tps = new Float64Array(y.length);
  const fps = new Float64Array(y.length);
  let i = pos.length - 1;
  let j = neg.length - 1;
  let tp = 0;
  let fp = 0;
  let count = 0;
  while (i >= 0 || j >= 0) {
    const t = i < 0 ? neg[j]! : j < 0 ? pos[i]! : Math.max(pos[i]!, neg[j]!);
    while (i >= 0 && pos[i] === t) {
      tp++;
      i--;
    }
    while (j >= 0 && neg[j] === t) {
      fp++;
      j--;
    }
    tps[count] = tp;
    fps[count] = fp;
    count++;
  }
  return { tps, fps, count };
}

function sweepWeighted(
  y: ArrayLike<number>,
  score: ArrayLike<number>,
  weight: ArrayLike<number>,
): Sweep {
  const order = new Uint32Array(y.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => score[b]! - score[a]!);
  const tps = new Float64Array(y.length);
  const fps = new Float64Array(y.length);
  let tp = 0;
  let fp = 0;
  let count = 0;
  for (let k = 0; k < order.length;) {
    const t = score[order[k]!]!;
    while (k < order.length && score[order[k]!] === t) {
      const r = order[k++]!;
      if (y[r] === 1) tp += weight[r]!;
      else fp += weight[r]!;
    }
    tps[count] = tp;
    fps[count] = fp;
    count++;
  }
  return { tps, fps, count };
}

function sweep(y: ArrayLike<number>, score: ArrayLike<number>, weight?: ArrayLike<number>): Sweep {
  checkInputs(y, score, weight);
  return weight ? sweepWeighted(y, score, weight) : sweepUnweighted(y, score);
}

/**
 * Area under the ROC curve; tied scores count ½ (trapezoids between distinct thresholds).
 * NaN when only one class is present.
 */
export function rocAuc(
  y: ArrayLike<number>,
  score: ArrayLike<number>,
  weight?: ArrayLike<number>,
): number {
  const { tps, fps, count } = sweep(y, score, weight);
  if (count === 0) return NaN;
  const totalPos = tps[count - 1]!;
  const totalNeg = fps[count - 1]!;
  if (totalPos <= 0 || totalNeg <= 0) return NaN;
  let area = 0;
  let prevTp = 0;
  let prevFp = 0;
  for (let k = 0; k < count; k++) {
    area += (fps[k]! - prevFp) * (tps[k]! + prevTp);
    prevTp = tps[k]!;
    prevFp = fps[k]!;
  }
  return area / (2 * totalPos * totalNeg);
}

/**
 * Average precision: Σ over distinct thresholds (highest first) of Δrecall × precision.
 * NaN when there are no positives.
 */
export function averagePrecision(
  y: ArrayLike<number>,
  score: ArrayLike<number>,
  weight?: ArrayLike<number>,
): number {
  const { tps, fps, count } = sweep(y, score, weight);
  if (count === 0) return NaN;
  const totalPos = tps[count - 1]!;
  if (totalPos <= 0) return NaN;
  let ap = 0;
  let prevTp = 0;
  for (let k = 0; k < count; k++) {
    const tp = tps[k]!;
    if (tp !== prevTp) ap += ((tp - prevTp) * tp) / (tp + fps[k]!);
    prevTp = tp;
  }
  return ap / totalPos;
}

/** Mean (weighted) log-loss of probabilities, clipped to [eps, 1 − eps] like scikit-learn. */
export function logLoss(
  y: ArrayLike<number>,
  prob: ArrayLike<number>,
  weight?: ArrayLike<number>,
  eps = 1e-15,
): number {
  checkInputs(y, prob, weight);
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < y.length; i++) {
    const p = Math.min(Math.max(prob[i]!, eps), 1 - eps);
    const w = weight ? weight[i]! : 1;
    sum -= w * (y[i] === 1 ? Math.log(p) : Math.log(1 - p));
    wsum += w;
  }
  return sum / wsum;
}

/** log(1 + e^x) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/**
 * Mean (weighted) log-loss computed from raw margins (log-odds), exact where probabilities
 * would round to 0 or 1: loss = softplus(−m) for positives, softplus(m) for negatives.
 */
export function logLossFromMargin(
  y: ArrayLike<number>,
  margin: ArrayLike<number>,
  weight?: ArrayLike<number>,
): number {
  checkInputs(y, margin, weight);
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < y.length; i++) {
    const m = margin[i]!;
    const w = weight ? weight[i]! : 1;
    sum += w * softplus(y[i] === 1 ? -m : m);
    wsum += w;
  }
  return sum / wsum;
}
